import Foundation
import LPJWire
import Testing

@testable import LPJCheck

/// Real JSON reports, from runs against a hostile server and against the reference server and from a
/// run that could not test, validated against `docs/report.schema.json`; and the validator shown to
/// reject a report with a key out of style.
@Suite("JSON report against its schema", .serialized)
struct ReportSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")

    static func validator() throws -> JSONSchemaValidator {
        let text = try String(contentsOf: repository.appendingPathComponent("docs/report.schema.json"), encoding: .utf8)
        return JSONSchemaValidator(root: try JSONParser.parse(text))
    }

    /// `report` as written and read back: numbers as the writer spells them.
    static func written(_ report: JSONValue) throws -> JSONValue {
        try JSONParser.parse(JSONWriter.string(report, style: .pretty))
    }

    /// Runs `lpj` with `arguments`, at most `seconds`; its exit status and standard output as JSON.
    static func lpjJSON(_ arguments: [String], seconds: Double) throws -> (status: Int32, report: JSONValue) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-report-\(UUID().uuidString).json")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = lpj
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, try JSONParser.parse(String(contentsOf: output, encoding: .utf8)))
    }

    @Test("a report of failures against a hostile server (violations, details, replays, wire logs) is valid")
    func hostileReport() throws {
        let server = try HostileServer(.garbage)
        defer { server.stop() }
        let target = CheckTarget(host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: 400)
        var options = CheckOptions()
        options.only = ["fixture.request.ping.compact", "segmentation.split-body", "lifecycle.half-close"]
        let report = CheckRunner(target: target, probe: try HostileServerTests.neutralProbe(), cases: try CaseCatalog.all(), options: options).run()
        let json = try Self.written(ReportFormat.json(report))
        let failed = report.results.filter { $0.verdict == .failed }
        // Garbage after the first case counts as the server no longer answering: the rest are not-run.
        #expect(failed.count == 1 && report.serverStoppedAfter != nil, "\(report.results.map { "\($0.id) \($0.verdict)" })")
        #expect(failed.allSatisfy { !$0.violations.isEmpty && !$0.wire.isEmpty && $0.replay != nil })
        let errors = try Self.validator().errors(json)
        #expect(errors.isEmpty, "\(errors.prefix(10))")
    }

    @Test("lpj check of the reference server (every model form, with wire logs) writes a valid report")
    func referenceReport() throws {
        let (status, report) = try Self.lpjJSON(
            [
                "check", "--models", "event-loop", "--format", "json",
                "--only", "segmentation.*", "--only", "size.over-limit", "--only", "lifecycle.half-close*",
            ], seconds: 120)
        #expect(status == 0)
        let cases = report.objectValue?["models"].flatMap { if case .array(let models) = $0 { return models.first } else { return nil } }?
            .objectValue?["report"]?.objectValue?["cases"]
        guard case .array(let items)? = cases else { Issue.record("no cases in \(JSONWriter.string(report).prefix(200))"); return }
        #expect(items.filter { $0.objectValue?["wire"] != .array([]) }.count >= 12, "cases that ran have wire logs")
        let errors = try Self.validator().errors(report)
        #expect(errors.isEmpty, "\(errors.prefix(10))")
    }

    @Test("lpj check of a port nobody listens on exits 2 and still writes a valid report that says why")
    func couldNotTestReport() throws {
        let listener = try HostileServer(.plainPing)
        let port = listener.port
        listener.stop()
        let (status, report) = try Self.lpjJSON(["check", "127.0.0.1:\(port)", "--format", "json", "--timeout", "500"], seconds: 30)
        #expect(status == 2)
        #expect(report.objectValue?["couldNotTest"]?.stringValue?.isEmpty == false)
        let errors = try Self.validator().errors(report)
        #expect(errors.isEmpty, "\(errors.prefix(10))")
    }

    @Test("the schema rejects a key out of style, octets in uppercase, a missing member and an unknown verdict")
    func wrongReportsRejected() throws {
        let server = try HostileServer(.plainPing)
        defer { server.stop() }
        let target = CheckTarget(host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: 1_000)
        var options = CheckOptions()
        options.only = ["segmentation.split-body"]
        let report = CheckRunner(target: target, probe: try HostileServerTests.neutralProbe(), cases: try CaseCatalog.all(), options: options).run()
        let text = JSONWriter.string(ReportFormat.json(report), style: .pretty)
        let validator = try Self.validator()
        #expect(validator.errors(try JSONParser.parse(text)).isEmpty)
        for (from, to) in [
            ("\"notRun\"", "\"not_run\""), ("\"octetCount\"", "\"octet_count\""), ("7b22", "7B22"),
            ("\"verdict\": \"passed\"", "\"verdict\": \"PASS\""), ("\"conformant\"", "\"isConformant\""),
        ] {
            #expect(text.contains(from), "\(from) is in the report")
            let broken = try JSONParser.parse(text.replacingOccurrences(of: from, with: to))
            #expect(!validator.errors(broken).isEmpty, "\(from) -> \(to) is rejected")
        }
    }
}
