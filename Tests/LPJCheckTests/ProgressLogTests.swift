import LPJFixtures
import LPJWire
import Testing

@testable import LPJCheck

/// The lines a run writes to a CI log: cases run section by section, so each section's heading comes once
/// and every case line sits under its own section.
@Suite struct ProgressLogTests {
    /// The section keys of `rules` lists in order, with runs of one key collapsed: `[frame, msg, frame]`
    /// when a section comes back.
    static func sectionRuns(_ rules: [[RuleID]]) -> [String] {
        var runs: [String] = []
        for key in rules.map({ CaseSection.of(rule: $0.first?.rawValue).key }) where runs.last != key { runs.append(key) }
        return runs
    }

    @Test("the server cases run section by section, in spec order")
    func serverCasesRunBySection() throws {
        let runs = Self.sectionRuns(try CaseCatalog.all().map(\.rules))
        #expect(runs == CaseSection.grouped(runs, section: { CaseSection.of(rule: $0 + ".x") }).map(\.section.key), "\(runs)")
        #expect(Set(runs).count == runs.count, "a section comes back: \(runs)")
        #expect(runs.count >= 5, "\(runs)")
    }

    @Test("the client cases run section by section, in spec order")
    func clientCasesRunBySection() throws {
        let runs = Self.sectionRuns(ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures).map(\.rules))
        #expect(Set(runs).count == runs.count, "a section comes back: \(runs)")
        #expect(runs == CaseSection.grouped(runs, section: { CaseSection.of(rule: $0 + ".x") }).map(\.section.key), "\(runs)")
    }

    @Test("a heading when the section changes, a line per case, and a failure's requirements with their text")
    func linesOfARun() {
        func result(_ id: String, _ rule: String, _ verdict: Verdict) -> CaseResult {
            var result = CaseResult(
                id: id, title: id, rules: [RuleID(rule)], level: .must, verdict: verdict, summary: "s", details: [], replay: nil,
                milliseconds: 1)
            if verdict == .failed { result.violations = [Violation(.unknownMethodAnswer, "closed the connection")] }
            return result
        }
        var log = ProgressLog()
        var lines: [String] = []
        lines += log.lines(result("split.a", "frame.reads-are-partial", .passed), done: 1, total: 3)
        lines += log.lines(result("split.b", "frame.max-size", .passed), done: 2, total: 3)
        lines += log.lines(result("message.names", "msg.unknown-method", .failed), done: 3, total: 3)
        let text = RequirementCatalog.requirement(.unknownMethodAnswer)!.text
        #expect(
            lines == [
                CaseSection.of(rule: "frame.x").heading,
                "[1/3] passed        split.a",
                "[2/3] passed        split.b",
                CaseSection.of(rule: "msg.x").heading,
                "[3/3] failed        message.names",
                "    MUST \(RequirementID.unknownMethodAnswer): closed the connection",
                "      spec: \(text)",
            ], "\(lines)")
        #expect(lines[0].hasPrefix("== frame: 2.1 Frame structure"), "\(lines[0])")
    }
}
