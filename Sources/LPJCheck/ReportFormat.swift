import Foundation
import LPJWire

/// The ways a report is written: for people, as JSON, as JUnit XML.
public enum ReportFormat {
    /// Failures and warnings grouped by spec section, each with the text of the requirements it cites and
    /// its evidence; the profile; then the closing summary line.
    public static func human(_ report: CheckReport) -> String {
        var lines: [String] = []
        let reported = report.results.filter { $0.verdict == .failed || $0.verdict == .warning || $0.isStale }
        for (section, results) in CaseSection.grouped(reported, by: { ReportCase($0) }) {
            lines.append(section.heading)
            for result in results { lines += humanCase(result) }
        }
        if report.replaysFromPlaceholder {
            lines.append(
                "(REPORT.json: this run's report of --format json, or of --json FILE; without --report, lpj replay runs the case afresh and prints its wire log)"
            )
        }
        lines.append("")
        lines.append("Server profile of \(report.target.address):")
        for (name, value) in profile(report) { lines.append("  \(name.padding(22)) \(value)") }
        lines.append("")
        let expected = report.results.filter(\.isExpectedDeviation).count
        lines.append(
            "\(report.count(.warning)) warnings, \(report.count(.informational)) informational\(expected > 0 ? ", \(expected) expected deviations" : "")")
        if let line = report.notRunLine { lines.append(line) }
        lines.append(report.summaryLine)
        return lines.joined(separator: "\n")
    }

    /// One failed or warned case for people: its tag and ID, what it does, each requirement it cites with
    /// what was seen and the requirement's own words, the evidence, the replay.
    static func humanCase(_ result: CaseResult) -> [String] {
        var lines: [String] = []
        let tag = result.isExpectedDeviation ? "EXPECTED" : result.isStale ? "STALE" : result.verdict == .failed ? "FAIL" : "WARN"
        lines.append("\(tag) \(result.id)")
        lines.append("  \(result.title)")
        for violation in result.violations {
            lines.append("  \(violation.level.rawValue) \(violation.requirement): \(violation.summary)")
            if let text = RequirementCatalog.requirement(violation.requirement)?.text { lines.append("    spec: \(text)") }
        }
        if result.violations.isEmpty { lines.append("  \(result.summary)") }
        for detail in result.details.prefix(24) where detail != result.summary { lines.append("    " + detail) }
        if let replay = result.replay { lines.append("  replay: \(replay)") }
        return lines
    }

    /// The informational profile: byte order, limits, refusals, implementation-defined choices, concurrency.
    public static func profile(_ report: CheckReport) -> [(String, String)] {
        var rows: [(String, String)] = [
            ("byte order", report.probe.byteOrderSummary),
            ("max body", "\(report.target.maxBody)\(report.target.maxBodyIsStated ? " (stated by lpj.describe)" : " (assumed: no lpj.describe)")"),
            ("methods", report.target.methods?.joined(separator: ", ") ?? "unknown"),
        ]
        if !report.target.greeting.isEmpty {
            rows.append(
                (
                    "greeting",
                    "\(report.target.greeting.count) frame(s) on every new connection before any request, set aside so that the other cases judge the responses alone (message.silent-until-asked reports them)"
                ))
        }
        let byID = Dictionary(report.results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if let oversize = byID["size.over-limit"] { rows.append(("oversize refusal", oversize.summary)) }
        for result in report.results where result.level == .implementationDefined || result.level == .informational {
            rows.append((result.id, "\(result.verdict.rawValue): \(result.summary)"))
        }
        return rows
    }

    /// The version of the JSON report's shape, `schemaVersion` in it; `docs/report.schema.json` describes it.
    public static let schemaVersion = 2
    /// The `$schema` member of the JSON report: the schema's `$id`.
    public static let schemaID = "urn:lpj:check-report:2"

    /// The whole report as JSON: target, profile, counts and every case with its wire log. Every key is
    /// camelCase; octets are only in `octetsHex` fields (see `WireLog.json`), never inside text.
    public static func json(_ report: CheckReport) -> JSONValue {
        func number(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
        let cases: [JSONValue] = report.results.map { result in
            var members: [JSONObject.Member] = [
                .init("id", .string(result.id)), .init("title", .string(result.title)),
                .init("rules", .array(result.rules.map { .string($0.rawValue) })), .init("level", .string(result.level.rawValue)),
                .init("verdict", .string(result.verdict.rawValue)), .init("summary", .string(result.summary)),
                .init("milliseconds", number(result.milliseconds)),
            ]
            if !result.violations.isEmpty {
                members.append(
                    .init(
                        "violations",
                        .array(
                            result.violations.map { violation in
                                .object([
                                    "requirement": .string(violation.requirement.rawValue), "level": .string(violation.level.rawValue),
                                    "summary": .string(violation.summary),
                                ])
                            })))
            }
            if !result.details.isEmpty { members.append(.init("details", .array(result.details.map { .string($0) }))) }
            if let replay = result.replay { members.append(.init("replay", .string(replay))) }
            if result.isExpectedDeviation { members.append(.init("expectedDeviation", true)) }
            if result.isStale { members.append(.init("stale", true)) }
            members.append(.init("wire", .array(result.wire.map(\.json))))
            return .object(JSONObject(members))
        }
        var members: [JSONObject.Member] = [
            .init("$schema", .string(schemaID)), .init("schemaVersion", number(schemaVersion)),
            .init("tool", "lpj check"), .init("protocol", "lpj/1"),
            .init("target", .string(report.target.address)),
            .init("profile", .array(profile(report).map { .object(["name": .string($0.0), "value": .string($0.1)]) })),
            .init(
                "counts",
                .object([
                    "passed": number(report.count(.passed)), "failed": number(report.failures), "warning": number(report.count(.warning)),
                    "informational": number(report.count(.informational)), "skipped": number(report.count(.skipped)),
                    "notRun": number(report.count(.notRun)),
                ])),
            .init("conformant", .bool(report.exitStatus == 0)),
            .init("cases", .array(cases)),
        ]
        if let description = report.probe.description { members.insert(.init("description", description), at: 5) }
        if let stopped = report.serverStoppedAfter { members.append(.init("serverStoppedAfter", .string(stopped))) }
        return .object(JSONObject(members))
    }

    /// The JSON report of a run that could not test the server (exit 2): no case ran.
    public static func json(couldNotTest target: String, reason: String) -> JSONValue {
        .object([
            "$schema": .string(schemaID), "schemaVersion": .number(JSONNumber(schemaVersion)),
            "tool": "lpj check", "protocol": "lpj/1", "target": .string(target), "conformant": false,
            "couldNotTest": .string(reason), "cases": .array([]),
        ])
    }

    /// The JUnit report of a run that could not test the server: one errored test, the probe, with the reason.
    public static func junit(couldNotTest target: String, reason: String, name: String = "lpj check") -> String {
        #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
            + #"<testsuite name="\#(Markup.escape(name)) \#(Markup.escape(target))" tests="1" failures="0" errors="1" skipped="0">"# + "\n"
            + #"  <testcase classname="probe" name="probe.ping" time="0"><error message="could not test: \#(Markup.escape(reason))"/></testcase>"# + "\n"
            + "</testsuite>\n"
    }

    /// JUnit XML: one test case per check case; failures for failed cases, skipped for skipped ones.
    public static func junit(_ report: CheckReport, name: String = "lpj check") -> String {
        #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + junitSuite(report, name: name)
    }

    /// JUnit XML for several runs (the reference server's models): one `<testsuite>` each, named by `name`.
    public static func junit(suites: [(name: String, report: CheckReport)]) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<testsuites>\n"
            + suites.map { junitSuite($0.report, name: $0.name) }.joined() + "</testsuites>\n"
    }

    /// One `<testsuite>` element: a test case per check case.
    static func junitSuite(_ report: CheckReport, name: String) -> String {
        var xml =
            #"<testsuite name="\#(Markup.escape(name)) \#(Markup.escape(report.target.address))" tests="\#(report.results.count)" failures="\#(report.failures)" skipped="\#(report.count(.skipped))">"#
            + "\n"
        for result in report.results {
            let time = String(format: "%.3f", Double(result.milliseconds) / 1000)
            xml +=
                #"  <testcase classname="\#(Markup.escape(result.id.split(separator: ".").first.map(String.init) ?? "lpj"))" name="\#(Markup.escape(result.id))" time="\#(time)">"#
            if result.verdict == .failed && !result.isExpectedDeviation || result.isStale {
                let cited = result.violations.map { "\($0.level.rawValue) \($0.requirement): \($0.summary)" }
                xml +=
                    "\n"
                    + #"    <failure message="\#(Markup.escape(result.summary))" type="\#(Markup.escape(result.violations.first.map { "\($0.requirement) \($0.level.rawValue)" } ?? "failed"))">\#(Markup.escape(cited.joined(separator: "\n")))\n\#(Markup.escape((result.details + [result.replay.map { "replay: \($0)" } ?? ""]).joined(separator: "\n")))</failure>"#
                    + "\n  "
            } else if result.verdict == .skipped {
                xml += #"<skipped message="\#(Markup.escape(result.summary))"/>"#
            } else if result.verdict != .passed {
                xml += #"<system-out>\#(Markup.escape(result.verdict.rawValue + ": " + result.summary))</system-out>"#
            }
            xml += "</testcase>\n"
        }
        return xml + "</testsuite>\n"
    }
}
