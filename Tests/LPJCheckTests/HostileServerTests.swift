import Foundation
import LPJSockets
import LPJWire
import Testing

@testable import LPJCheck

/// The runner proven bounded by servers that misbehave on purpose (`HostileServer`): whatever a server
/// does, every case ends within its budget, the run does not crash, and the report says what broke.
///
/// Each test runs the real runner (`ServerProbe`, then `CheckRunner` over the case catalog) with a short
/// time-out, each case under a `CaseDeadline` of time-out + margin, and asserts the run ended within
///
///     bound = (probe + cases) × (time-out + margin + slack)
///
/// where the probe counts as one case and slack covers the runner's own work between exchanges.
@Suite("Runner against hostile servers", .serialized)
struct HostileServerTests {
    static let timeout = 400
    /// The longest pause a selected case makes on its own (none over 1 s is selected) and the evidence work.
    static let margin = 1_000
    static let slack = 250

    /// What a bounded run found and how long it took.
    struct Run {
        var results: [CaseResult]
        var probe: ServerProbe?
        var seconds: Double
        var bound: Double
        var failures: [CaseResult] { results.filter { $0.verdict == .failed || $0.verdict == .warning } }
    }

    /// The IDs in the catalog that each of `patterns` selects, at most `limit` of each, in catalog order.
    static func caseIDs(_ patterns: [String], limit: Int = 2) throws -> [String] {
        let all = try CaseCatalog.all().map(\.id)
        let chosen = Set(
            patterns.flatMap { pattern -> [String] in
                var options = CheckOptions()
                options.only = [pattern]
                return Array(all.filter(options.selects).prefix(limit))
            })
        return all.filter(chosen.contains)
    }

    /// A probe that found nothing to report (of a server that answers pings), so the runner runs every
    /// selected case whatever the probe of the hostile server concluded.
    static func neutralProbe() throws -> ServerProbe {
        let plain = try HostileServer(.plainPing)
        defer { plain.stop() }
        return ServerProbe.run(host: "127.0.0.1", port: plain.port, pinned: .little, timeoutMilliseconds: 2_000)
    }

    /// Probes `server` and runs each of `ids` under its own case deadline, on a thread of its own, waiting
    /// at most twice the bound (a hung runner fails the test instead of hanging it).
    static func run(_ server: HostileServer, ids: [String]) throws -> Run {
        let perCase = timeout + margin
        let bound = Double((1 + ids.count) * (perCase + slack)) / 1_000
        let catalog = try CaseCatalog.all()
        let neutralProbe = try Self.neutralProbe()
        let port = server.port
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        let start = ContinuousClock.now
        let thread = Thread {
            let probe = CaseDeadline.run(milliseconds: perCase) {
                ServerProbe.run(host: "127.0.0.1", port: port, pinned: .little, timeoutMilliseconds: timeout)
            }
            let target =
                probe.target(host: "127.0.0.1", port: port, timeoutMilliseconds: timeout)
                ?? CheckTarget(host: "127.0.0.1", port: port, byteOrder: .little, timeoutMilliseconds: timeout)
            var results: [CaseResult] = []
            for id in ids {
                var options = CheckOptions()
                options.only = [id]
                let report = CaseDeadline.run(milliseconds: perCase) {
                    // The cases run even when the probe gave up on the server: the point is that each one ends.
                    CheckRunner(target: target, probe: neutralProbe, cases: catalog, options: options).run()
                }
                results += report.results.filter { $0.id == id }
            }
            box.set(results, probe)
            done.signal()
        }
        thread.start()
        let finished = done.wait(timeout: .now() + bound * 2) == .success
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        server.stop()
        guard finished, let (results, probe) = box.get() else {
            Issue.record("the runner against the hostile server (\(server.behaviour)) did not finish within \(bound * 2) s (bound \(bound) s)")
            return Run(results: [], probe: nil, seconds: seconds, bound: bound)
        }
        print("hostile server, \(server.behaviour): \(ids.count) case(s) + probe in \(String(format: "%.2f", seconds)) s, bound \(bound) s")
        for result in results { print("  \(result.id) \(result.verdict.rawValue) \(result.milliseconds) ms: \(result.summary.prefix(160))") }
        return Run(results: results, probe: probe, seconds: seconds, bound: bound)
    }

    /// The checks every hostile run must pass: within the bound, every selected case reported, and
    /// failures reported (no case passes against a hostile server).
    static func expectBoundedFailures(_ run: Run, ids: [String], behaviour: HostileServer.Behaviour) {
        #expect(run.seconds <= run.bound, "\(behaviour): took \(run.seconds) s, bound \(run.bound) s")
        #expect(run.results.map(\.id) == ids, "\(behaviour): every selected case reported")
        #expect(!run.failures.isEmpty, "\(behaviour): failures reported: \(run.results.map { "\($0.id) \($0.verdict)" })")
        #expect(!run.results.contains { $0.verdict == .passed }, "\(behaviour): \(run.results.filter { $0.verdict == .passed }.map(\.id)) passed")
    }

    @Test(
        "a stated depth limit deeper than the checker reads (10,000) is legal: the depth cases pass, checked as deep as the checker reads, and nothing crashes")
    func depthLimitPastTheChecker() throws {
        let server = try HostileServer(.deepEcho(maxDepth: 10_000))
        let ids = ["message.depth-at-limit", "fixture.request.body.depth-600"]
        let run = try Self.run(server, ids: ids)
        #expect(run.results.map(\.id) == ids)
        for result in run.results {
            // The fixture's depth is the server's choice: judged against what it states, a pass is informational.
            #expect([.passed, .informational].contains(result.verdict), "\(result.id): \(result.verdict) \(result.summary)")
        }
        let atLimit = run.results.first { $0.id == "message.depth-at-limit" }
        #expect(atLimit?.summary.contains("depth 4096 echoed") == true, "\(atLimit?.summary ?? "no result")")
    }

    @Test("a 1 MiB prefix, 64 KiB of body, silence and a close: the evidence is linear, the run bounded")
    func truncatedHugeReply() throws {
        let server = try HostileServer(.truncatedHugeReply(silenceMilliseconds: Self.timeout / 2))
        let ids = try Self.caseIDs(["fixture.request.ping.*"], limit: 3)
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
    }

    @Test("endless bytes: reading stops at the connection's limit, the run bounded")
    func endlessBytes() throws {
        let server = try HostileServer(.endlessBytes)
        let ids = try Self.caseIDs(["fixture.request.ping.*", "pipelining.*"])
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
    }

    @Test("endless bytes: one connection keeps at most its limit and says endless")
    func endlessBytesMemory() throws {
        let server = try HostileServer(.endlessBytes)
        defer { server.stop() }
        let connection = try ProbeConnection(
            host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: 2_000,
            responseLimit: 1 << 20)
        defer { connection.close() }
        try connection.send(Request(method: "ping", params: "endless?"))
        let start = ContinuousClock.now
        let reply = connection.read(timeoutMilliseconds: 10_000)
        #expect(reply.endless)
        #expect(connection.received.count <= connection.receiveLimit)
        #expect(connection.receiveLimit == (1 << 20) + 65_536)
        #expect(ContinuousClock.now - start < .seconds(10), "stopped at the limit, not at the time-out")
        let again = connection.read(timeoutMilliseconds: 10_000)
        #expect(again.endless && again.frames.isEmpty, "a connection that stopped reading stays stopped")
    }

    @Test("a server that never reads: the runner's 1 MiB send fails within its time-out, the run bounded")
    func neverReads() throws {
        let server = try HostileServer(.neverReads)
        let ids = try Self.caseIDs(["size.at-limit", "fixture.request.*1mib*"], limit: 1)
        #expect(!ids.isEmpty, "a case that sends 1 MiB is in the catalog")
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
    }

    @Test("a server that never reads: one 8 MiB send fails within its time-out, saying how far it got")
    func neverReadsSend() throws {
        let server = try HostileServer(.neverReads)
        defer { server.stop() }
        let connection = try ProbeConnection(
            host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: Self.timeout,
            responseLimit: 1 << 20)
        defer { connection.close() }
        #expect(server.waitForAccept(seconds: 5))
        let start = ContinuousClock.now
        // 8 MiB: more than the kernel buffers on both sides of a loopback connection (4 MiB at most to send).
        let error = #expect(throws: SocketWriteStalled.self) { try connection.send([UInt8](repeating: 0x20, count: 8 << 20)) }
        #expect(ContinuousClock.now - start < .milliseconds(Self.timeout + Self.margin))
        #expect(error?.total == 8 << 20)
        #expect((error?.written ?? 8 << 20) < 8 << 20)
        #expect(error.map { "\($0)" }?.hasPrefix("the server stopped reading after ") == true, "\(String(describing: error))")
    }

    @Test("one octet per 100 ms: reads end at their deadline, the run bounded")
    func trickle() throws {
        let server = try HostileServer(.trickle)
        let ids = try Self.caseIDs(["fixture.request.ping.*", "segmentation.*"])
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
    }

    @Test("a reset in the middle of a reply: reported, the run bounded")
    func resetMidReply() throws {
        let server = try HostileServer(.resetMidReply)
        let ids = try Self.caseIDs(["fixture.request.ping.*", "lifecycle.half-close"])
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
    }

    @Test("a server that accepts and never answers: every case ends at its deadline")
    func silent() throws {
        let server = try HostileServer(.silent)
        let ids = try Self.caseIDs(["fixture.request.ping.*", "concurrency.50-connections", "pipelining.*"], limit: 1)
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
        #expect(run.probe?.unusable != nil, "the probe says it cannot test a server that never answers")
    }

    @Test("a newline after every frame: cited as octets between frames (frame.body-follows.sender), not as missing responses")
    func newlineAfterFrames() throws {
        let server = try HostileServer(.newlineAfterFrames)
        let ids = try Self.caseIDs(["fixture.request.ping.compact", "fixture.stream.pipelined-three"], limit: 1)
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
        for result in run.failures {
            #expect(result.violations.map(\.requirement.rawValue) == ["frame.body-follows.sender"], "\(result.id): \(result.violations)")
        }
        #expect(run.failures.count == ids.count)
    }

    @Test("a body that begins with a control octet: cited as not JSON text at once, without waiting for the rest")
    func controlOctetBody() throws {
        let server = try HostileServer(.controlOctetBody)
        let ids = try Self.caseIDs(["fixture.request.ping.compact"], limit: 1)
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
        // It answers nothing else (no liveness pong either), so the case also reports it stopped answering.
        #expect(run.failures.first?.violations.contains { $0.requirement.rawValue == "body.json-text.sender" } == true, "\(run.failures.map(\.violations))")
    }

    @Test("a server that answers every request with garbage: diagnosed, the run bounded")
    func garbage() throws {
        let server = try HostileServer(.garbage)
        let ids = try Self.caseIDs(["fixture.request.ping.*", "segmentation.*"])
        let run = try Self.run(server, ids: ids)
        Self.expectBoundedFailures(run, ids: ids, behaviour: server.behaviour)
    }
}

extension HostileServerTests {
    /// `lpj check` as a process, with no case deadline of its own: each probe step and each case is then
    /// bounded by its exchanges, each ending within the time-out.
    static let exchangesPerProbe = 5
    static let exchangesPerCase = 6

    @Test(
        "lpj check, as a process, ends within its bound and without a crash against each hostile server",
        arguments: [HostileServer.Behaviour.truncatedHugeReply(silenceMilliseconds: timeout / 2), .garbage, .resetMidReply, .silent, .endlessBytes])
    func checkCommand(_ behaviour: HostileServer.Behaviour) throws {
        let server = try HostileServer(behaviour)
        defer { server.stop() }
        let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")
        let process = Process()
        process.executableURL = lpj
        process.arguments = ["check", "127.0.0.1:\(server.port)", "--timeout", "\(Self.timeout)", "--only", "fixture.request.ping.compact"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let bound = Double((Self.exchangesPerProbe + Self.exchangesPerCase) * (Self.timeout + Self.slack)) / 1_000
        let start = ContinuousClock.now
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + bound * 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("lpj check, hostile server \(behaviour): exit \(process.terminationStatus) in \(String(format: "%.2f", seconds)) s, bound \(bound) s")
        #expect(process.terminationReason == .exit, "no crash: \(process.terminationReason) \(process.terminationStatus)")
        #expect([1, 2].contains(process.terminationStatus), "not conformant (1) or could not test (2)")
        #expect(seconds <= bound, "\(behaviour): \(seconds) s, bound \(bound) s")
    }
}

/// Hands the runner thread's results to the test.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ([CaseResult], ServerProbe)?
    func set(_ results: [CaseResult], _ probe: ServerProbe) { lock.withLock { value = (results, probe) } }
    func get() -> ([CaseResult], ServerProbe)? { lock.withLock { value } }
}

/// The stream diagnosis, straight: linear in what it examines, and still right.
@Suite("Evidence bounds")
struct EvidenceBoundsTests {
    @Test("a body whose length was counted in characters is still recognised, in each of the three counts")
    func characterCountedLengthFound() throws {
        for (text, count) in [("héllo wörld ✓", 13), ("😀 smile", 7), ("e\u{301}", 1)] {
            let body = Response(out: "pong", result: .string(text)).body()
            let characters: Int
            switch count {
            case 7: characters = String(decoding: body, as: UTF8.self).utf16.count  // 😀 is two UTF-16 units
            case 1: characters = String(decoding: body, as: UTF8.self).count  // é as e + combining accent: one grapheme
            default: characters = String(decoding: body, as: UTF8.self).unicodeScalars.count
            }
            let stream = FrameEncoder(byteOrder: .little).prefix(forLength: characters) + body
            let found = try #require(Evidence.characterCountedLength(stream, at: 0, declared: UInt32(characters)), "\(text)")
            #expect(found.octets == body.count && found.characters == characters)
        }
        let ascii = Response(out: "pong", result: "plain").body()
        #expect(
            Evidence.characterCountedLength(
                FrameEncoder(byteOrder: .little).prefix(forLength: ascii.count) + ascii, at: 0,
                declared: UInt32(ascii.count)) == nil, "octets and characters agree: nothing to explain")
    }

    @Test("a prefix announcing 4 MiB followed by 1 MiB of one JSON string is diagnosed in well under a second")
    func truncatedMegabyteIsFast() {
        var stream = FrameEncoder(byteOrder: .little).prefix(forLength: 4 << 20) + Array(#"{"out":"pong","result":""#.utf8)
        stream += [UInt8](repeating: 0x78, count: 1 << 20)
        let start = ContinuousClock.now
        let lines = Evidence.streamDiagnosis(stream, byteOrder: .little)
        #expect(ContinuousClock.now - start < .seconds(1), "\(lines)")
        #expect(lines.first?.hasPrefix("prefix at stream offset 0") == true)
    }
}
