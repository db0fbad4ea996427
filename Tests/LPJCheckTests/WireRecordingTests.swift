import Foundation
import LPJWire
import Testing

@testable import LPJCheck

/// Every case's connections are logged as they went on the wire (`CaseResult.wire`): each write with its
/// octets, each read that returned data, who closed and how, with times; at most 64 KiB kept per direction.
@Suite("Wire logs of cases", .serialized)
struct WireRecordingTests {
    /// Runs the case `id` with the real runner against `server`, returning its result.
    static func run(_ id: String, against server: HostileServer, timeout: Int = 1_000) throws -> CaseResult {
        let target = CheckTarget(host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: timeout)
        var options = CheckOptions()
        options.only = [id]
        let report = CheckRunner(target: target, probe: try HostileServerTests.neutralProbe(), cases: try CaseCatalog.all(), options: options).run()
        return try #require(report.results.first { $0.id == id })
    }

    @Test("a ping split after two octets: two writes 150 ms apart, the pong read back, the checker's close")
    func segmentedCase() throws {
        let server = try HostileServer(.plainPing)
        defer { server.stop() }
        let result = try Self.run("segmentation.split-prefix-2", against: server)
        #expect(result.verdict == .passed)
        #expect(result.wire.count == 1)
        let events = try #require(result.wire.first?.events)
        #expect(events.map(\.kind) == [.connected, .sent, .sent, .received, .closed], "\(events.map(\.kind))")
        let sent = events.filter { $0.kind == .sent }
        let frame = FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: "split 2").body())
        #expect(sent.map(\.octets) == [Array(frame[..<2]), Array(frame[2...])])
        #expect(sent.map(\.octetCount) == [2, frame.count - 2])
        #expect(sent[1].milliseconds - sent[0].milliseconds >= 140, "the pause between the pieces: \(sent.map(\.milliseconds))")
        let received = events.first { $0.kind == .received }
        let pong = FrameEncoder(byteOrder: .little).frame(Response(out: "pong", result: "split 2").body())
        #expect(received?.octets == pong)
        #expect(events.map(\.milliseconds) == events.map(\.milliseconds).sorted(), "times in order")
    }

    @Test("a reset in the middle of a reply is logged as the server's reset, after what came before it")
    func reset() throws {
        let server = try HostileServer(.resetMidReply)
        defer { server.stop() }
        let result = try Self.run("fixture.request.ping.compact", against: server)
        let events = try #require(result.wire.first?.events)
        #expect(events.contains { $0.kind == .peerReset }, "\(events.map(\.kind))")
        #expect(!events.contains { $0.kind == .peerClosed })
        #expect(events.filter { $0.kind == .received }.allSatisfy { $0.octetCount > 0 })
    }

    @Test("endless bytes: at most 64 KiB kept of what came, every octet counted")
    func boundedOctets() throws {
        let server = try HostileServer(.endlessBytes)
        defer { server.stop() }
        let result = try Self.run("fixture.request.ping.compact", against: server, timeout: 400)
        let events = try #require(result.wire.first?.events)
        let received = events.filter { $0.kind == .received }
        let kept = received.map(\.octets.count).reduce(0, +)
        let count = received.map(\.octetCount).reduce(0, +)
        #expect(kept == WireLog.octetLimit, "kept \(kept) of \(count)")
        #expect(count > WireLog.octetLimit)
        #expect(received.allSatisfy { $0.octets.count <= $0.octetCount })
    }

    @Test("connections opened outside a case record nothing")
    func outsideACase() throws {
        let server = try HostileServer(.plainPing)
        defer { server.stop() }
        let (_, wire) = try WireRecorder.record {
            let connection = try ProbeConnection(host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: 1_000, responseLimit: 1 << 20)
            let unrecorded = try WireRecorder.$current.withValue(nil) {
                try ProbeConnection(host: "127.0.0.1", port: server.port, byteOrder: .little, timeoutMilliseconds: 1_000, responseLimit: 1 << 20)
            }
            try unrecorded.send(Request(method: "ping", params: "x"))
            try connection.send(Request(method: "ping", params: "y"))
            connection.halfClose()
            _ = connection.read(count: 1, timeoutMilliseconds: 1_000)
        }
        #expect(wire.count == 1)
        #expect(wire.first?.events.prefix(4).map(\.kind) == [.connected, .sent, .halfClosed, .received], "\(wire.first?.events.map(\.kind) ?? [])")
        #expect(wire.first?.events.first { $0.kind == .sent }?.octets == FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: "y").body()))
    }
}
