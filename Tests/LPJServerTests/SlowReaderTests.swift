import Foundation
import LPJServer
import LPJSockets
import LPJWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sec.slow-reader` in every model: a client that never reads is reset once the server's writes have made
/// no progress for `--slow-reader-ms`, and `lpj.describe` states that bound; a client that reads slowly
/// but steadily is never cut off, however long each response takes to drain.
@Suite("slow-reader bound in every model", .serialized)
struct SlowReaderTests {
    @Test("a client that never reads is reset within the bound plus a margin, not before it", arguments: ServerModel.allCases)
    func neverReads(model: ServerModel) throws {
        let bound = 1_000
        let server = try ServerProcess(model: model, ["--slow-reader-ms", "\(bound)"])
        defer { server.stop() }

        let describe = try server.connect()
        try describe.send(Request(method: "lpj.describe", params: .null))
        let stated = try describe.read(count: 1).responses.first?.result.objectValue?["slowReaderMs"]?.numberValue?.doubleValue
        #expect(stated == Double(bound), "\(model): lpj.describe states slowReaderMs \(String(describing: stated))")
        describe.close()

        let connection = try server.connect()
        defer { connection.close() }
        connection.socket.setReceiveBufferSize(4_096)
        let frame = FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: .string(String(repeating: "r", count: 60_000))).body())
        let start = ContinuousClock.now
        var stalledAt: ContinuousClock.Instant?
        var sent = 0
        // Pings until the server stops reading (its writes wait for this reader) or 3 s pass.
        while sent < 32 << 20, ContinuousClock.now - start < .seconds(3) {
            do {
                try connection.socket.writeAll(frame, timeoutMilliseconds: 300)
                sent += frame.count
            } catch is SocketWriteStalled {
                stalledAt = .now
                break
            }
        }
        let stalled = try #require(stalledAt, "\(model): the server read \(sent) octets from a client that never reads")
        // POLLHUP or POLLERR, without reading a pong: the reset.
        let ended = try connection.socket.poll(events: 0, timeoutMilliseconds: bound + 4_000)
        let sinceStart = Int((ContinuousClock.now - start) / .milliseconds(1))
        let sinceStall = Int((ContinuousClock.now - stalled) / .milliseconds(1))
        #expect(ended, "\(model): still open \(sinceStall) ms after its writes stalled, with --slow-reader-ms \(bound)")
        #expect(sinceStart >= bound - 50, "\(model): ended \(sinceStart) ms after the first ping, before the \(bound) ms bound")
        #expect(sinceStall <= bound + 2_500, "\(model): ended \(sinceStall) ms after the client's writes stalled, bound \(bound) ms")
    }

    @Test("a client that reads slowly but steadily is served to the end", arguments: ServerModel.allCases)
    func readsSteadily(model: ServerModel) throws {
        let bound = 1_500
        let server = try ServerProcess(model: model, ["--slow-reader-ms", "\(bound)"])
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        // 16 pongs of about 1 MB: each takes far longer than the bound to drain at the reading rate below.
        let count = 16
        let frames = (0..<count).map { index in
            FrameEncoder(byteOrder: .little).frame(
                Request(method: "ping", params: .string(String(format: "%02d:", index) + String(repeating: "s", count: 999_000))).body())
        }
        let socket = connection.socket
        let writer = Thread {
            for frame in frames { guard (try? socket.writeAll(frame)) != nil else { return } }
        }
        writer.start()

        // 3.5 s of 32 KiB every 50 ms (about 640 KB/s): progress all along, a pong drained every 1.6 s.
        let slowEnd = ContinuousClock.now + .milliseconds(3_500)
        var slowOctets = 0
        while ContinuousClock.now < slowEnd {
            usleep(50_000)  // the reading rate under test (pacing, not synchronisation)
            guard try socket.waitUntilReadable(timeoutMilliseconds: 0) else { continue }
            let before = connection.buffer.readableBytes
            let read = try? socket.read(into: &connection.buffer, maximum: 32_768, nonBlocking: true)
            if read == 0 || (read == nil && (try? socket.poll(events: 0, timeoutMilliseconds: 0)) == true) {
                Issue.record("\(model): the connection ended after \(slowOctets) octets read steadily, bound \(bound) ms")
                return
            }
            slowOctets += connection.buffer.readableBytes - before
        }
        #expect(slowOctets < count * 1_000_000 / 2, "\(model): \(slowOctets) octets read in the slow phase; the server was not waiting for the reader")
        let reply = try connection.read(count: count, timeoutMilliseconds: 30_000)
        #expect(reply.responses.count == count, "\(model): \(reply.responses.count) of \(count) pongs after a steady reader (closed: \(reply.closed))")
        for (index, response) in reply.responses.enumerated() where response.result.stringValue?.hasPrefix(String(format: "%02d:", index)) != true {
            Issue.record("\(model): response \(index) is not the pong to ping \(index)")
            break
        }
    }
}
