import Foundation
import LPJServer
import LPJSockets
import LPJWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The responses to one read leave in one write, in every model; a `sleep` does not hold back the
/// responses gathered before it.
///
/// Observed in the client's kernel, not inferred from timing: `TCP_INFO`'s `tcpi_data_segs_in` counts
/// the segments carrying data that arrived on the client's socket. On loopback one `send` of less than
/// a segment's size (64 KiB there) is one segment, and a server that sends each response with its own
/// `send` (with `TCP_NODELAY`, as every model sets) makes one segment per response.
@Suite("one write per read", .serialized)
struct WritesPerReadTests {
    static func ping(_ number: Int) -> [UInt8] {
        FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: .number(JSONNumber(number))).body())
    }

    @Test("32 pipelined pings in one segment are answered in one segment", arguments: ServerModel.allCases)
    func pipelinedPingsOneSegment(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        // A first exchange, so that the connection is set up on both sides before counting.
        try connection.send(Self.ping(-1))
        #expect(try connection.read(count: 1).responses.count == 1)

        let before = try #require(Self.dataSegmentsIn(connection.socket), "TCP_INFO has no tcpi_data_segs_in")
        try connection.send((0..<32).flatMap(Self.ping))
        let reply = try connection.read(count: 32)
        let after = try #require(Self.dataSegmentsIn(connection.socket))

        #expect(reply.responses.map { $0.result.numberValue?.int64Value } == (0..<32).map { Int64($0) }, "\(model)")
        #expect(after - before == 1, "\(model): the 32 responses arrived in \(after - before) segments")
    }

    @Test("a sleep sends the responses gathered before it first", arguments: ServerModel.allCases)
    func sleepFlushesFirst(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        defer { server.stop() }
        let connection = try server.connect()
        defer { connection.close() }
        let sleep = FrameEncoder(byteOrder: .little).frame(Request(method: "sleep", params: ["ms": 1_000]).body())
        try connection.send(Self.ping(0) + Self.ping(1) + sleep + Self.ping(2))

        let pongs = try connection.read(count: 2)
        #expect(pongs.responses.map(\.out) == ["pong", "pong"], "\(model)")
        // Ordered by events: the pongs were read, and nothing after them had come, while the sleep ran.
        #expect(connection.buffer.readableBytes == 0, "\(model): the pongs came with what follows the sleep")
        #expect(try !connection.socket.waitUntilReadable(timeoutMilliseconds: 0), "\(model): the sleep ended before the pongs came")
        #expect(try connection.read(count: 2).responses.map(\.out) == ["slept", "pong"], "\(model)")
    }

    /// `tcpi_data_segs_in` of `socket` (Linux 4.6 and later; at offset 152 of `struct tcp_info`), or nil
    /// where the kernel's `tcp_info` is shorter.
    static func dataSegmentsIn(_ socket: Socket) -> Int? {
        let offset = 152
        var info = [UInt8](repeating: 0, count: 256)
        var length = socklen_t(info.count)
        guard getsockopt(socket.descriptor, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0,
            Int(length) >= offset + 4
        else { return nil }
        return Int(info.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
    }
}
