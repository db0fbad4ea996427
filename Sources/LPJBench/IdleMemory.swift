import Foundation
import LPJProcess
import LPJSockets
import LPJWire
import NIOCore

/// Resident memory a server spends per idle connection: its VmRSS before and after `count` connections
/// are opened and left idle, read from /proc. A ping on the last connection proves the server has
/// accepted them all before the second reading.
public enum IdleMemory {
    public struct Measurement: Sendable {
        public var server: String
        public var connections: Int
        public var residentBefore: Int
        public var residentAfter: Int
        /// Open descriptors of the server after, from /proc/PID/fd.
        public var descriptorsAfter: Int
        public var bytesPerConnection: Double { Double(residentAfter - residentBefore) / Double(connections) }
    }

    /// Opens `count` connections to a server started by `command arguments` and measures it.
    public static func measure(name: String, command: URL, arguments: [String], count: Int) throws -> Measurement {
        raiseDescriptorLimit()
        let server = try SpawnedServer(command: command, arguments: arguments)
        defer { server.stop() }
        usleep(200_000)
        let before = try ProcessTree.residentBytes(of: server.pid)
        var sockets: [Socket] = []
        sockets.reserveCapacity(count)
        defer { for socket in sockets { socket.close() } }
        for index in 0..<count {
            do {
                sockets.append(try Socket.connect(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 5_000))
            } catch {
                throw BenchError("connection \(index + 1) of \(count) to \(name) failed: \(error) (descriptor limit \(descriptorLimit()))")
            }
            // Let the server's accepts catch up now and then: a full listen backlog drops handshakes,
            // and each dropped one costs a second's retransmission.
            if index % 256 == 255 { waitForDescriptors(pid: server.pid, atLeast: index - 256) }
        }
        // Every connection is accepted once the server answers on the last one (and on the first).
        for socket in [sockets.first!, sockets.last!] { try ping(socket) }
        usleep(500_000)
        let after = try ProcessTree.residentBytes(of: server.pid)
        return Measurement(
            server: name, connections: count, residentBefore: before, residentAfter: after,
            descriptorsAfter: ProcessTree.descriptorCount(of: server.pid))
    }

    /// Sends a ping on `socket` and waits (up to 10 s) for its pong; the idle measurement and the flood
    /// both ask this way.
    static func ping(_ socket: Socket) throws {
        try socket.writeAll(FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: "fresh").body()))
        var buffer = ByteBuffer()
        var decoder = FrameDecoder(configuration: FrameConfiguration())
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let body = try decoder.decode(buffer: &buffer) {
                let response = try Response(body: body)
                guard response.out == "pong" else { throw BenchError("a ping got \(JSONWriter.string(response.json())) instead of a pong") }
                return
            }
            guard try socket.waitUntilReadable(timeoutMilliseconds: 1_000) else { continue }
            guard let read = try socket.read(into: &buffer), read > 0 else { break }
        }
        throw BenchError("no pong within 10 s")
    }

    /// Waits (up to 5 s) until `pid` has at least `count` descriptors open.
    private static func waitForDescriptors(pid: Int32, atLeast count: Int) {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if ProcessTree.descriptorCount(of: pid) >= count { return }
            usleep(1_000)
        }
    }

    static func descriptorLimit() -> rlim_t {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return limit.rlim_cur
    }

    /// Raises this process's descriptor limit to its hard limit; servers it starts inherit it.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
