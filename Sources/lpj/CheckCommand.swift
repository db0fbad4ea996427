import ArgumentParser
import Foundation
import LPJCheck
import LPJFixtures
import LPJProcess
import LPJServer
import LPJSockets
import LPJWire

/// `lpj check`: the conformance runner.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an LPJ server against the spec and fixtures, rule by rule.",
        discussion: """
            With HOST:PORT, probes the server (does it answer, in which byte order, what lpj.describe says), \
            then runs every case on fresh connections: the request fixtures, segmentation, pipelining, sizes \
            and limits, lifecycle, messages and concurrency. After every hostile case a fresh connection must \
            still get its pong. Failures show expected against actual, a hex dump and a replay command.

            Without an address, starts the reference server in every model, checks each, and prints a model \
            by verdict matrix.

            Exit status: 0 conformant; 1 not conformant; 2 could not test (refused, no answer, a selection \
            that matches no case, a report that cannot be written); 64 usage error (an unknown option, a \
            malformed address, an unreadable file).
            """
    )

    @Argument(help: "The server to check, as HOST:PORT. Omit it to check the reference server in every model.")
    var address: String?

    @Option(
        name: .customLong("byte-order"),
        help: ArgumentHelp(
            "The byte order the server is configured with: little, big, native or auto (default: probe).",
            discussion:
                "The probe then verifies that the server speaks it (case byte-order.configured). native is the byte order of the host lpj check runs on: the server must then run on a host of the same byte order. auto: the server detects the order per connection, and both orders are checked on fresh connections."
        ))
    var byteOrder: ByteOrderMode?

    @Option(help: "Milliseconds one exchange may take before the server counts as not answering.")
    var timeout = 2_000

    @Flag(
        help: ArgumentHelp(
            "The server runs with its default configuration: judge the spec's recommended defaults too.",
            discussion:
                "Little-endian unconfigured (a MUST), a body limit of at least 1 MiB, an idle time-out of none or at least 30 s, a slow-sender bound of at least 10 s (SHOULDs). Without it those cases are skipped: a configured server may legally differ. Without an address, the reference server runs its defaults and this is implied."
        ))
    var defaults = false

    @Option(
        name: .customLong("max-wait"),
        help: "Seconds: the longest bound lpj.describe states (slowSenderMs, slowReaderMs) that is waited out to verify it; longer ones are not run.")
    var maxWait = 10

    @Option(parsing: .singleValue, help: "Run only cases whose ID matches (repeatable; * is a wildcard).")
    var only: [String] = []

    @Option(parsing: .singleValue, help: "Skip cases whose ID matches (repeatable; * is a wildcard).")
    var skip: [String] = []

    @Flag(help: "SHOULD violations fail the run.")
    var strict = false

    @Option(
        name: .customLong("expected-deviations"),
        help: "A file of case IDs known to fail, one per line (# comments, LF or CRLF); a listed case that passes fails the run as stale.")
    var expectedDeviations: String?

    @Option(name: .customLong("write-deviations"), help: "Write the cases that failed or warned to this file, in the --expected-deviations format.")
    var writeDeviations: String?

    @Option(help: "Output format: human or json.")
    var format: OutputFormat = .human

    @Option(
        help: ArgumentHelp(
            "Also write the JSON report (what --format json prints) to this file.",
            discussion:
                "The replay hints of the report printed (lpj replay CASE HOST:PORT --report FILE) then name this file instead of REPORT.json. Written when the server cannot be tested too (exit 2)."
        ))
    var json: String?

    @Option(help: "Also write a JUnit XML report to this file.")
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Also write an HTML report into this folder: index.html and a page per case (cases/ID.html).",
            discussion:
                "Without an address: index.html is the case by model matrix (disagreements.html the cases whose verdicts differ), and each model's report is in its own folder (MODEL/index.html)."
        ))
    var html: String?

    @Flag(help: "List the cases with their IDs, levels and requirements, and run nothing.")
    var list = false

    @Flag(help: "List every requirement of the spec with the cases that test it (or why none can), and run nothing.")
    var requirements = false

    @Option(
        name: .customLong("write-coverage"),
        help: "Rewrite the coverage table between <!-- coverage:begin --> and <!-- coverage:end --> in this file (docs/conformance.md), and run nothing.")
    var writeCoverage: String?

    @Option(name: .customLong("resume-after"), help: "Start after this case: for a server restarted after it stopped answering (the report names the case).")
    var resumeAfter: String?

    @Option(help: "Without an address: the models to check, comma-separated (default: all).")
    var models: String?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case human, json }

    func run() throws {
        let cases = try CaseCatalog.all()
        if requirements || writeCoverage != nil {
            let coverage = RequirementCoverage.all(cases: cases, clientCases: ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures))
            if requirements { for line in RequirementCoverage.listing(coverage) { print(line) } }
            if let writeCoverage { try Self.replaceBlock(in: writeCoverage, marker: "coverage", with: RequirementCoverage.markdown(coverage)) }
            let covered = coverage.filter(\.isCovered).count
            let observable = coverage.filter(\.requirement.observable).count
            printToStandardError("\(coverage.count) requirements, \(observable) observable, \(covered) covered by a case")
            return
        }
        if list {
            for checkCase in cases {
                print("\(checkCase.id)\t\(checkCase.level.rawValue)\t\(checkCase.requirements.map(\.rawValue).joined(separator: ","))\t\(checkCase.title)")
            }
            print("\(cases.count) cases")
            return
        }
        var options = CheckOptions()
        options.only = only
        options.skip = skip
        options.strict = strict
        if let resumeAfter {
            guard cases.contains(where: { $0.id == resumeAfter }) || resumeAfter.hasPrefix("probe.") else {
                throw ValidationError("--resume-after: no case named \(resumeAfter) (see --list)")
            }
            options.resumeAfter = resumeAfter.hasPrefix("probe.") ? nil : resumeAfter
        }
        if let expectedDeviations {
            options.expectedDeviations = Set(DeviationsFile.parse(try ReportFiles.read(expectedDeviations, option: "--expected-deviations")))
            let unknown = options.expectedDeviations.subtracting(cases.map(\.id))
            if !unknown.isEmpty { throw ValidationError("unknown case IDs in \(expectedDeviations): \(unknown.sorted().joined(separator: ", "))") }
        }
        guard cases.contains(where: { options.selects($0.id) }) else {
            let selection = only.map { "--only \($0)" } + skip.map { "--skip \($0)" }
            printToStandardError("lpj check: \(selection.joined(separator: " ")) selects no case; see --list for the case IDs")
            throw ExitCode(2)
        }
        for (option, path) in [("--json", json), ("--junit", junit), ("--write-deviations", writeDeviations)] {
            if let path { try ReportFiles.checkWritable(path, option: option) }
        }
        if let html { try ReportFiles.checkWritableFolder(html, option: "--html") }
        guard let address else {
            throw ExitCode(try checkEveryModel(cases: cases, options: options))
        }
        guard let endpoint = HostPort(address) else {
            throw ValidationError("the address must be HOST:PORT, e.g. 127.0.0.1:8080, localhost:8080 or [::1]:8080")
        }
        let probe = ServerProbe.run(
            host: endpoint.host, port: endpoint.port, configured: byteOrder, timeoutMilliseconds: timeout,
            pingOnly: resumeAfter?.hasPrefix("probe.") ?? false)
        let report = try check(host: endpoint.host, port: endpoint.port, cases: cases, options: options, live: true, probe: probe)
        guard let report else {
            // Could not test: the reports still say so, for CI that reads them rather than the exit status.
            let reason = probe.unusable ?? "no answer"
            let couldNotTest = JSONWriter.string(ReportFormat.json(couldNotTest: endpoint.description, reason: reason), style: .pretty)
            if format == .json { print(couldNotTest) }
            if let json { try ReportFiles.write(couldNotTest + "\n", to: json, option: "--json") }
            if let junit { try ReportFiles.write(ReportFormat.junit(couldNotTest: endpoint.description, reason: reason), to: junit, option: "--junit") }
            if let html {
                try ReportFiles.write(HTMLReport.files(ReportDocument(couldNotTest: endpoint.description, reason: reason)), into: html, option: "--html")
            }
            throw ExitCode(2)
        }
        try write(report, cases: cases)
        throw ExitCode(report.exitStatus)
    }

    /// Probes and checks one server; `nil` when it cannot be tested (after saying why).
    func check(host: String, port: Int, cases: [CheckCase], options: CheckOptions, live: Bool, probe: ServerProbe? = nil) throws -> CheckReport? {
        let probe =
            probe
            ?? ServerProbe.run(
                host: host, port: port, configured: byteOrder, timeoutMilliseconds: timeout,
                pingOnly: resumeAfter?.hasPrefix("probe.") ?? false)
        guard var target = probe.target(host: host, port: port, timeoutMilliseconds: timeout) else {
            printToStandardError("lpj check: could not test: \(probe.unusable ?? "no answer")")
            return nil
        }
        // Without an address the reference server was started here, with its defaults.
        target.runsDefaults = defaults || address == nil
        target.maxWaitMilliseconds = max(0, maxWait) * 1_000
        let progress = ProgressLine(enabled: live)
        let report = CheckRunner(target: target, probe: probe, cases: cases, options: options).run { done, total, result in
            if options.selects(result.id) { progress.finished(result, done: done, total: total) }
        }
        progress.clear()
        return report
    }

    func write(_ report: CheckReport, cases: [CheckCase]) throws {
        let report = named(report)
        switch format {
        case .human: print(TerminalColour.apply(ReportFormat.human(report)))
        case .json: print(JSONWriter.string(ReportFormat.json(report), style: .pretty))
        }
        if let json { try ReportFiles.write(JSONWriter.string(ReportFormat.json(report), style: .pretty) + "\n", to: json, option: "--json") }
        if let html { try ReportFiles.write(HTMLReport.files(ReportDocument(report, cases: cases)), into: html, option: "--html") }
        if let junit { try ReportFiles.write(ReportFormat.junit(report), to: junit, option: "--junit") }
        if let writeDeviations { try ReportFiles.write(DeviationsFile.render(report), to: writeDeviations, option: "--write-deviations") }
    }

    /// `report` with its replay hints naming the --json file, when there is one.
    func named(_ report: CheckReport) -> CheckReport {
        json.map { report.namingReportFile($0) } ?? report
    }

    /// Starts the reference server in each model, checks it, and prints the matrix; the exit status.
    func checkEveryModel(cases: [CheckCase], options: CheckOptions) throws -> Int32 {
        let chosen = try ServerModel.parseList(models)
        var rows: [(ServerModel, CheckReport?)] = []
        var reports: [JSONValue] = []
        var suites: [(name: String, report: CheckReport)] = []
        var documents: [(name: String, document: ReportDocument)] = []
        for model in chosen {
            printToStandardError("checking the reference server, model \(model.rawValue) ...")
            let server = try SpawnedServer(
                executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                arguments: ["--model", model.rawValue])
            let report = try check(host: "127.0.0.1", port: server.port, cases: cases, options: options, live: true).map(named)
            let status = server.stop()
            if let report {
                suites.append(("lpj check, model \(model.rawValue)", report))
                if format == .human {
                    let failures = ReportFormat.human(report).split(separator: "\n").prefix { !$0.hasPrefix("Server profile") }
                    if report.exitStatus != 0 { print("== \(model.rawValue)\n" + failures.joined(separator: "\n")) }
                }
                reports.append(.object(["model": .string(model.rawValue), "report": ReportFormat.json(report)]))
            }
            if status != 0 { printToStandardError("lpj check: the \(model.rawValue) server exited with status \(status)") }
            documents.append(
                (
                    model.rawValue,
                    report.map { ReportDocument($0, cases: cases) }
                        ?? ReportDocument(couldNotTest: "127.0.0.1:\(server.port)", reason: "the \(model.rawValue) server could not be tested")
                ))
            rows.append((model, status == 0 ? report : nil))
        }
        let conformant = rows.allSatisfy { $0.1?.exitStatus == 0 }
        if let html { try ReportFiles.write(HTMLComparison.files(ReportComparison(documents)), into: html, option: "--html") }
        if let junit { try ReportFiles.write(ReportFormat.junit(suites: suites), to: junit, option: "--junit") }
        let combined = JSONWriter.string(.object(["models": .array(reports), "conformant": .bool(conformant)]), style: .pretty)
        if let json { try ReportFiles.write(combined + "\n", to: json, option: "--json") }
        if format == .json {
            print(combined)
        } else {
            print("model               passed  failed  warnings  informational  skipped  verdict")
            for (model, report) in rows {
                guard let report else { print("\(model.rawValue.padded(20))could not test (or did not exit cleanly)"); continue }
                let verdict = report.exitStatus == 0 ? "conformant" : "NOT CONFORMANT"
                print(
                    "\(model.rawValue.padded(20))\(String(report.count(.passed)).padded(8))\(String(report.failures).padded(8))\(String(report.count(.warning)).padded(10))\(String(report.count(.informational)).padded(15))\(String(report.count(.skipped)).padded(9))\(verdict)"
                )
            }
            let all = rows.compactMap(\.1)
            print(
                "\(all.map { $0.count(.passed) }.reduce(0, +)) passed, \(all.map(\.failures).reduce(0, +) + rows.filter { $0.1 == nil }.count) failed, \(all.map { $0.count(.skipped) }.reduce(0, +)) skipped"
            )
        }
        return conformant ? 0 : 1
    }
}

extension CheckCommand {
    /// Replaces the text between `<!-- MARKER:begin -->` and `<!-- MARKER:end -->` in `path`.
    static func replaceBlock(in path: String, marker: String, with text: String) throws {
        guard let document = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read \(path)")
        }
        let begin = "<!-- \(marker):begin -->"
        let end = "<!-- \(marker):end -->"
        guard let start = document.range(of: begin), let stop = document.range(of: end), start.upperBound <= stop.lowerBound else {
            throw ValidationError("\(path) has no \(begin) ... \(end) block")
        }
        let updated = document[..<start.upperBound] + "\n" + text + "\n" + document[stop.lowerBound...]
        do { try String(updated).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

extension ByteOrder: ExpressibleByArgument {}

extension String {
    /// The string followed by spaces up to `width` columns.
    func padded(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
