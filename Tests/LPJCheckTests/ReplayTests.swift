import Foundation
import LPJSockets
import LPJWire
import Testing

@testable import LPJCheck

/// Replays reproduce: `WireReplay` repeats a segmented case's writes from its JSON report in the same
/// boundaries with the same pause (a server that logs its reads sees them so), and the shell one-liner
/// of a one-write case runs under dash without nc and shows the server's answer.
@Suite("Replays of cases", .serialized)
struct ReplayTests {
    /// A server for one connection that keeps every read with its time and answers nothing.
    final class ChunkServer: @unchecked Sendable {
        let listener: Socket
        let port: Int
        private let lock = NSLock()
        private var chunks: [(octets: [UInt8], at: ContinuousClock.Instant)] = []
        private let done = DispatchSemaphore(value: 0)

        init() throws {
            listener = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 4)
            port = listener.localPort
            Thread { [self] in serve() }.start()
        }

        private func serve() {
            defer { done.signal() }
            guard (try? listener.waitUntilReadable(timeoutMilliseconds: 5_000)) == true, let connection = try? listener.accept() else { return }
            let end = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < end {
                guard (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) == true else { continue }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = chunk.withUnsafeMutableBytes { Glibc.recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                let at = ContinuousClock.now
                lock.withLock { chunks.append((Array(chunk[..<count]), at)) }
            }
        }

        /// Every read, once the client closed (or 5 s passed).
        func reads() -> [(octets: [UInt8], at: ContinuousClock.Instant)] {
            _ = done.wait(timeout: .now() + 6)
            return lock.withLock { chunks }
        }
    }

    @Test("a ping split in its body, replayed from the JSON report: the server reads the same two pieces about 150 ms apart")
    func segmentedReplay() throws {
        let pinger = try HostileServer(.plainPing)
        defer { pinger.stop() }
        let target = CheckTarget(host: "127.0.0.1", port: pinger.port, byteOrder: .little, timeoutMilliseconds: 1_000)
        var options = CheckOptions()
        options.only = ["segmentation.split-body"]
        let report = CheckRunner(target: target, probe: try HostileServerTests.neutralProbe(), cases: try CaseCatalog.all(), options: options).run()
        // Through the JSON report, as `lpj replay --report` reads it.
        let json = try JSONParser.parse(JSONWriter.string(ReportFormat.json(report)))
        guard case .array(let cases)? = json.objectValue?["cases"],
            case .array(let wire)? = cases.first(where: { $0.objectValue?["id"] == "segmentation.split-body" })?.objectValue?["wire"]
        else {
            Issue.record("no wire log in the report")
            return
        }
        let logs = wire.compactMap(WireLog.init(json:))
        let pieces = logs.flatMap(\.events).filter { $0.kind == .sent }.map(\.octets)
        #expect(pieces.count == 2)

        let server = try ChunkServer()
        let outcome = WireReplay(host: "127.0.0.1", port: server.port, logs: logs, quietMilliseconds: 300).run()
        let reads = server.reads()
        #expect(outcome.failures.isEmpty)
        #expect(reads.map(\.octets) == pieces, "the server read \(reads.map(\.octets.count)) octets, the case wrote \(pieces.map(\.count))")
        if reads.count == 2 {
            let gap = reads[1].at - reads[0].at
            #expect(gap >= .milliseconds(140) && gap < .milliseconds(1_000), "the pause between the pieces: \(gap)")
        }
        #expect(outcome.wire.flatMap(\.events).filter { $0.kind == .sent }.map(\.octets) == pieces)
        #expect(outcome.wire.first?.events.last?.kind == .closed)
    }

    /// Runs `lpj` with `arguments` for at most 20 s: its exit status and standard output.
    static func lpj(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-replay-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = ReportSchemaTests.lpj
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    @Test("lpj replay, as a process: from a report file it repeats the pieces; without one it runs the case; an unknown case is a usage error")
    func replayCommand() throws {
        let pinger = try HostileServer(.plainPing)
        defer { pinger.stop() }
        let (status, text) = try Self.lpj(["check", "127.0.0.1:\(pinger.port)", "--format", "json", "--only", "segmentation.split-prefix-1"])
        #expect(status == 0)
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-report-\(UUID().uuidString).json")
        try text.write(to: report, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: report) }

        let server = try ChunkServer()
        let replayed = try Self.lpj(["replay", "segmentation.split-prefix-1", "127.0.0.1:\(server.port)", "--report", report.path, "--timeout", "300"])
        let reads = server.reads()
        #expect(replayed.status == 0)
        #expect(reads.map(\.octets.count) == [1, 35], "the server read \(reads.map(\.octets.count))")
        if reads.count == 2 { #expect(reads[1].at - reads[0].at >= .milliseconds(140), "the pause: \(reads[1].at - reads[0].at)") }
        #expect(replayed.output.contains("sent 1 octet\n") && replayed.output.contains("closed by the client"), "\(replayed.output)")

        let ran = try Self.lpj(["replay", "segmentation.split-prefix-1", "127.0.0.1:\(pinger.port)", "--timeout", "1000"])
        #expect(ran.status == 0)
        #expect(ran.output.contains("received 37 octets") && ran.output.contains("passed segmentation.split-prefix-1"), "\(ran.output)")
        #expect(try Self.lpj(["replay", "no.such-case", "127.0.0.1:\(pinger.port)", "--report", report.path]).status == 64)
    }

    @Test("the replay hints name the --json file: plain, or single-quoted when the shell would read it otherwise; other hints are kept")
    func hintsNameTheReportFile() {
        let segmented = Evidence.replayCommand(
            wire: [
                WireLog(
                    connection: 1,
                    events: [
                        WireEvent(kind: .connected, milliseconds: 0), WireEvent(kind: .sent, milliseconds: 1, octets: [1]),
                        WireEvent(kind: .sent, milliseconds: 151, octets: [2]),
                    ])
            ],
            sent: [1, 2], address: "127.0.0.1:7", host: "127.0.0.1", port: 7, caseID: "segmentation.x")
        let results = [
            CaseResult(
                id: "segmentation.x", title: "x", rules: [], level: .must, verdict: .failed, summary: "bad", details: [], replay: segmented, milliseconds: 1),
            CaseResult(
                id: "message.y", title: "y", rules: [], level: .must, verdict: .failed, summary: "bad", details: [], replay: "printf '' | od", milliseconds: 1),
        ]
        let report = CheckReport(target: CheckTarget(host: "127.0.0.1", port: 7), probe: ServerProbe(), results: results, serverStoppedAfter: nil)
        #expect(report.replaysFromPlaceholder)
        let unnamed = ReportFormat.human(report)
        #expect(
            unnamed.contains("  replay: lpj replay segmentation.x 127.0.0.1:7 --report REPORT.json\n") && unnamed.contains("\n(REPORT.json: this run's report"))

        let named = report.namingReportFile("out/run-1.json")
        #expect(named.results.map(\.replay) == ["lpj replay segmentation.x 127.0.0.1:7 --report out/run-1.json", "printf '' | od"])
        #expect(!named.replaysFromPlaceholder)
        let human = ReportFormat.human(named)
        #expect(human.contains("  replay: lpj replay segmentation.x 127.0.0.1:7 --report out/run-1.json\n") && !human.contains("REPORT.json"), "\(human)")
        #expect(
            report.namingReportFile("my report's.json").results[0].replay
                == #"lpj replay segmentation.x 127.0.0.1:7 --report 'my report'\''s.json'"#)
    }

    @Test("lpj check --json FILE writes the JSON report while the human one is printed, and on exit 2 the could-not-test report")
    func checkWritesJSONFile() throws {
        let pinger = try HostileServer(.plainPing)
        defer { pinger.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("report.json")

        let (status, human) = try Self.lpj(["check", "127.0.0.1:\(pinger.port)", "--only", "segmentation.split-prefix-1", "--json", file.path])
        #expect(status == 0)
        #expect(human.contains("1 passed"), "\(human)")
        #expect(!human.hasPrefix("{"), "the printed report is the human one")
        let written = try JSONParser.parse(String(contentsOf: file, encoding: .utf8))
        guard case .array(let cases)? = written.objectValue?["cases"] else {
            Issue.record("no cases in \(written)")
            return
        }
        let run = cases.compactMap(\.objectValue).filter { $0["verdict"]?.stringValue != "skipped" }
        #expect(run.map { $0["id"]?.stringValue } == ["segmentation.split-prefix-1"] && run.first?["verdict"]?.stringValue == "passed")
        #expect(written.objectValue?["target"]?.stringValue == "127.0.0.1:\(pinger.port)")

        // Nothing listens on the port of a closed listener: could not test, and the file says so.
        let closed = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 1)
        let port = closed.localPort
        closed.close()
        let refused = try Self.lpj(["check", "127.0.0.1:\(port)", "--json", file.path])
        #expect(refused.status == 2)
        let couldNotTest = try JSONParser.parse(String(contentsOf: file, encoding: .utf8))
        #expect(couldNotTest.objectValue?["target"]?.stringValue == "127.0.0.1:\(port)", "\(couldNotTest)")
        #expect(couldNotTest.objectValue?["couldNotTest"]?.stringValue != nil, "\(couldNotTest)")

        let unwritable = try Self.lpj(["check", "127.0.0.1:\(pinger.port)", "--json", folder.appendingPathComponent("none/report.json").path])
        #expect(unwritable.status == 64)
    }

    /// `dash` where installed, else `sh`.
    static let posixShell = ["/usr/bin/dash", "/bin/dash", "/bin/sh"].first { FileManager.default.isExecutableFile(atPath: $0) }!

    @Test("the one-liner of a one-write case runs under dash, without nc, and dumps the pong")
    func shellOneLiner() throws {
        let server = try HostileServer(.plainPing)
        defer { server.stop() }
        // Octets a shell quote or printf would mangle: NUL, quote, backslash, percent, a digit after an escape.
        let request = FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: "a'b\\c%d\u{1}2").body())
        let command = Evidence.replayCommand(
            wire: [
                WireLog(
                    connection: 1,
                    events: [
                        WireEvent(kind: .connected, milliseconds: 0),
                        WireEvent(kind: .sent, milliseconds: 1, octets: request),
                    ])
            ],
            sent: request, address: "127.0.0.1:\(server.port)", host: "127.0.0.1", port: server.port, caseID: "x")
        let line = try #require(command)
        #expect(!line.contains("\\x") && !line.contains(" nc "), "\(line)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.posixShell)
        process.arguments = ["-c", line]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-replay-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        let start = ContinuousClock.now
        try process.run()
        // The one-liner waits 3 s for the reply, then ends: 10 s is a hang.
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(ContinuousClock.now - start < .seconds(6), "the one-liner ends after its 3 s wait")
        let dump = try String(contentsOf: output, encoding: .utf8)
        // od -A d -t x1z: offsets, hex pairs, then the printable octets between > and <.
        let hex = dump.split(separator: "\n").flatMap { line in line.split(separator: ">").first?.split(separator: " ").dropFirst() ?? [] }
        let pong = FrameEncoder(byteOrder: .little).frame(Response(out: "pong", result: "a'b\\c%d\u{1}2").body())
        #expect(hex.compactMap { UInt8($0, radix: 16) } == pong, "\(Self.posixShell): \(line)\n\(dump)")
    }

    @Test("several writes, a pause or a half-close: the replay is lpj replay with the report")
    func severalWrites() {
        let events = [
            WireEvent(kind: .connected, milliseconds: 0), WireEvent(kind: .sent, milliseconds: 1, octets: [1]),
            WireEvent(kind: .sent, milliseconds: 151, octets: [2]),
        ]
        let command = Evidence.replayCommand(
            wire: [WireLog(connection: 1, events: events)], sent: [1, 2], address: "[::1]:7", host: "::1", port: 7, caseID: "segmentation.x")
        #expect(command == "lpj replay segmentation.x [::1]:7 --report REPORT.json")
        let halfClosed = [
            WireEvent(kind: .connected, milliseconds: 0), WireEvent(kind: .sent, milliseconds: 1, octets: [1]), WireEvent(kind: .halfClosed, milliseconds: 2),
        ]
        #expect(
            Evidence.replayCommand(wire: [WireLog(connection: 1, events: halfClosed)], sent: [1], address: "h:1", host: "h", port: 1, caseID: "c")
                == "lpj replay c h:1 --report REPORT.json")
    }
}
