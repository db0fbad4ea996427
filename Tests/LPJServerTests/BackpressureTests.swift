import Foundation
import LPJServer
import LPJSockets
import LPJWire
import Testing

/// `sec.buffer-bound.unwritten` and `.unprocessed` in every model: a client that writes pipelined pings
/// and reads nothing sees its writes stall long before 64 MiB (the server stopped reading), and once it
/// reads, every pong comes back in order.
@Suite("backpressure in every model", .serialized)
struct BackpressureTests {
    /// Writes pings of 60,000-octet params until a frame cannot be written within 500 ms or 64 MiB went
    /// out; returns the frames written whole and the octets written.
    static func flood(_ connection: TestConnection) -> (frames: Int, octets: Int) {
        var frames = 0
        var octets = 0
        while octets < 64 << 20 {
            let params = String(format: "%06d:", frames) + String(repeating: "a", count: 59_993)
            let frame = FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: .string(params)).body())
            do {
                try connection.socket.writeAll(frame, timeoutMilliseconds: 500)
            } catch let stalled as SocketWriteStalled {
                // Finish the cut frame later, from a reader's side: count it as sent.
                return (frames, octets + stalled.written)
            } catch {
                return (frames, octets)
            }
            frames += 1
            octets += frame.count
        }
        return (frames, octets)
    }

    @Test("a client that never reads: the server stops reading, then answers every ping in order", arguments: ServerModel.allCases)
    func unwritten(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        defer { server.stop() }
        let connection = try server.connect()
        let (frames, octets) = Self.flood(connection)
        #expect(octets < 48 << 20, "\(model): the server read \(octets) octets while nothing was read back")
        // Read back the pongs to the frames written whole; the cut frame stays unfinished.
        let reply = try connection.read(count: frames, timeoutMilliseconds: 10_000)
        #expect(reply.responses.count == frames, "\(model): \(reply.responses.count) of \(frames) pongs")
        for (index, response) in reply.responses.enumerated() where response.result.stringValue?.hasPrefix(String(format: "%06d:", index)) != true {
            Issue.record("\(model): response \(index) is not the pong to ping \(index)")
            break
        }
        connection.socket.close()
    }
}
