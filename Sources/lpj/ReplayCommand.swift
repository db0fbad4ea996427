import ArgumentParser
import Foundation
import LPJCheck
import LPJSockets
import LPJWire

/// `lpj replay`: repeats one case of `lpj check` against a server and shows its wire log.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Repeat one case's writes against a server and show what comes back, octet by octet.",
        discussion: """
            With --report, takes the case's wire log from a JSON report of lpj check (--format json) and \
            repeats it: each connection opened when it was, the same octets in the same writes, the same \
            pauses between them, the half-close and close where they were; connections that overlapped \
            overlap again. Then prints what came back as a timed wire log (hex and ASCII, who closed and how).

            Without --report, probes the server and runs just that case, then prints its wire log and verdict.

            Exit status: 0 replayed (or the case did not fail); 1 the case failed; 2 could not test; 64 usage error.
            """
    )

    @Argument(help: "The case ID, as in the report or lpj check --list.")
    var caseID: String

    @Argument(help: "The server, as HOST:PORT.")
    var address: String

    @Option(help: "A JSON report of lpj check holding the case's wire log, to repeat it exactly.")
    var report: String?

    @Option(
        name: .customLong("byte-order"), help: "Without --report: the byte order the server is configured with (little, big, native or auto; default: probe).")
    var byteOrder: ByteOrderMode?

    @Option(help: "Milliseconds: without --report, one exchange's time-out; with it, how long to keep reading after the last write while nothing comes.")
    var timeout = 2_000

    func run() throws {
        guard let endpoint = HostPort(address) else {
            throw ReportFiles.usageError("the address must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
        }
        if let report {
            let logs = try Self.logs(of: caseID, inReport: try ReportFiles.read(report, option: "--report"), path: report)
            print("replaying \(caseID) from \(report) against \(endpoint.description): \(logs.count) connection(s)")
            let outcome = WireReplay(host: endpoint.host, port: endpoint.port, logs: logs, quietMilliseconds: timeout).run()
            for failure in outcome.failures { print("could not connect: \(failure)") }
            if outcome.shortened > 0 {
                print("note: \(outcome.shortened) write(s) sent only the octets the report kept (64 KiB per direction)")
            }
            for line in outcome.wire.flatMap({ $0.lines() }) { print(line) }
            return
        }
        let cases = try CaseCatalog.all()
        guard cases.contains(where: { $0.id == caseID }) else { throw ReportFiles.usageError("no case named \(caseID) (see lpj check --list)") }
        let probe = ServerProbe.run(host: endpoint.host, port: endpoint.port, configured: byteOrder, timeoutMilliseconds: timeout, pingOnly: false)
        guard let target = probe.target(host: endpoint.host, port: endpoint.port, timeoutMilliseconds: timeout) else {
            printToStandardError("lpj replay: could not test: \(probe.unusable ?? "no answer")")
            throw ExitCode(2)
        }
        var options = CheckOptions()
        options.only = [caseID]
        let checked = CheckRunner(target: target, probe: probe, cases: cases, options: options).run()
        guard let result = checked.results.first(where: { $0.id == caseID }) else { throw ExitCode(2) }
        for line in result.wire.flatMap({ $0.lines() }) { print(line) }
        print("\(result.verdict.rawValue) \(result.id): \(result.summary)")
        for violation in result.violations { print("  \(violation.level.rawValue) \(violation.requirement): \(violation.summary)") }
        throw ExitCode(result.verdict == .failed ? 1 : 0)
    }

    /// The wire logs of `caseID` in a JSON report (a single server's, or the every-model form's first
    /// report holding the case).
    static func logs(of caseID: String, inReport text: String, path: String) throws -> [WireLog] {
        guard let report = try? JSONParser.parse(text) else {
            throw ReportFiles.usageError("--report: \(path) is not JSON")
        }
        var reports = [report]
        if case .array(let models)? = report.objectValue?["models"] { reports = models.compactMap { $0.objectValue?["report"] } }
        for single in reports {
            guard case .array(let cases)? = single.objectValue?["cases"] else { continue }
            guard let found = cases.first(where: { $0.objectValue?["id"]?.stringValue == caseID })?.objectValue else { continue }
            guard case .array(let wire)? = found["wire"] else {
                throw ReportFiles.usageError("--report: case \(caseID) in \(path) has no wire log (a report older than schemaVersion 2?)")
            }
            let logs = wire.compactMap(WireLog.init(json:))
            guard logs.count == wire.count else { throw ReportFiles.usageError("--report: the wire log of \(caseID) in \(path) is malformed") }
            guard !logs.isEmpty else { throw ReportFiles.usageError("--report: case \(caseID) opened no connection: nothing to replay") }
            return logs
        }
        throw ReportFiles.usageError("--report: no case \(caseID) in \(path)")
    }
}
