import Foundation
import LPJWire

/// What the user chose: which cases, how strict, which deviations are known.
public struct CheckOptions: Sendable {
    /// Run only cases whose ID matches one of these patterns (`*` matches any run of characters).
    public var only: [String] = []
    /// Skip cases whose ID matches one of these patterns.
    public var skip: [String] = []
    /// SHOULD violations fail the run.
    public var strict = false
    /// Case IDs known to fail; listed cases that pass are stale and fail the run.
    public var expectedDeviations: Set<String> = []

    public init() {}

    /// Whether `id` is selected by `--only` and `--skip`.
    public func selects(_ id: String) -> Bool {
        (only.isEmpty || only.contains { Self.matches(id, $0) }) && !skip.contains { Self.matches(id, $0) }
    }

    /// Glob match with `*`.
    static func matches(_ id: String, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return id == pattern }
        var rest = Substring(id)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}

/// One case's result, as reports show it.
public struct CaseResult: Sendable {
    public var id: String
    public var title: String
    public var rules: [RuleID]
    public var level: CaseLevel
    public var verdict: Verdict
    public var summary: String
    public var details: [String]
    /// A shell command that replays the exact octets the case sent.
    public var replay: String?
    public var milliseconds: Int
    /// Listed in the expected-deviations file and failed as expected.
    public var isExpectedDeviation = false
    /// Listed in the expected-deviations file but passed: the list is out of date.
    public var isStale = false
}

/// The whole run: the target, the probe, every case's result.
public struct CheckReport: Sendable {
    public var target: CheckTarget
    public var probe: ServerProbe
    public var results: [CaseResult]
    /// The server stopped answering after this case; later cases were skipped.
    public var serverStoppedAfter: String?

    public func count(_ verdict: Verdict) -> Int {
        results.filter { $0.verdict == verdict && !$0.isExpectedDeviation }.count
    }

    /// Failures that count: unexpected failures and stale deviations.
    public var failures: Int { count(.failed) + results.filter(\.isStale).count }

    /// 0 conformant, 1 not conformant.
    public var exitStatus: Int32 { failures == 0 ? 0 : 1 }

    /// The closing line: `N passed, N failed, N skipped`.
    public var summaryLine: String { "\(count(.passed)) passed, \(failures) failed, \(count(.skipped)) skipped" }
}

/// Runs the cases against one server, one at a time, each on fresh connections.
public struct CheckRunner {
    public var target: CheckTarget
    public var probe: ServerProbe
    public var cases: [CheckCase]
    public var options: CheckOptions

    public init(target: CheckTarget, probe: ServerProbe, cases: [CheckCase], options: CheckOptions) {
        self.target = target
        self.probe = probe
        self.cases = cases
        self.options = options
    }

    /// Runs every selected case; `progress` hears about each as it finishes.
    public func run(progress: (_ done: Int, _ total: Int, CaseResult) -> Void = { _, _, _ in }) -> CheckReport {
        let context = CheckContext(target: target, pongsAtProbe: probe.answersLittle || probe.answersBig)
        var report = CheckReport(target: target, probe: probe, results: [])
        for (index, checkCase) in cases.enumerated() {
            var result: CaseResult
            if !options.selects(checkCase.id) {
                result = Self.result(checkCase, .skipped("not selected (--only/--skip)"), 0, target)
            } else if let stopped = report.serverStoppedAfter {
                result = Self.result(checkCase, .skipped("the server stopped answering after \(stopped)"), 0, target)
            } else {
                let start = Date()
                var outcome: CaseOutcome
                do {
                    outcome = try checkCase.run(context)
                } catch {
                    outcome = .violation(.must, "could not run: \(error)")
                }
                if checkCase.isHostile, outcome.verdict != .skipped, !context.serverAnswers() {
                    outcome = CaseOutcome(verdict: .failed, summary: "the server stopped answering after this case (a fresh connection got no pong)",
                                          details: [outcome.summary] + outcome.details, sent: outcome.sent)
                    report.serverStoppedAfter = checkCase.id
                }
                result = Self.result(checkCase, outcome, Int(Date().timeIntervalSince(start) * 1000), target)
            }
            if options.strict, result.verdict == .warning { result.verdict = .failed }
            if options.expectedDeviations.contains(checkCase.id) {
                if result.verdict == .failed || result.verdict == .warning {
                    result.isExpectedDeviation = true
                } else if result.verdict == .passed {
                    result.isStale = true
                    result.summary = "listed as an expected deviation but passed: remove it from the list (" + result.summary + ")"
                }
            }
            report.results.append(result)
            progress(index + 1, cases.count, result)
        }
        return report
    }

    static func result(_ checkCase: CheckCase, _ outcome: CaseOutcome, _ milliseconds: Int, _ target: CheckTarget) -> CaseResult {
        let failed = outcome.verdict == .failed || outcome.verdict == .warning
        return CaseResult(
            id: checkCase.id, title: checkCase.title, rules: checkCase.rules, level: checkCase.level, verdict: outcome.verdict,
            summary: outcome.summary, details: failed ? outcome.details : [],
            replay: failed ? outcome.sent.map { Evidence.replayCommand($0, host: target.host, port: target.port, caseID: checkCase.id) } : nil,
            milliseconds: milliseconds)
    }
}
