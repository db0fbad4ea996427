import Foundation
import LPJFixtures
import LPJProcess
import LPJSockets
import LPJWire
import NIOCore

/// A long run of one server model: checked load and hostile connections in turn, with the server's
/// resident memory, open descriptors and zombie children read from /proc after a 10-round warm-up and
/// at the end.
///
///     every second: 1 s of lpj bench load (ping and sleep, alternating) ─▶ 10 hostile connections
///     (mutated fixtures and noise, each half-closed and read to its end)   ─▶ … for the duration
public struct Soak {
    public struct Report: Sendable {
        public var model: String
        public var seconds: Double
        public var responses = 0
        public var errors = 0
        public var unanswered = 0
        public var hostile = 0
        /// Hostile connections the server neither answered nor closed within 5 s.
        public var hung = 0
        public var residentStart = 0, residentEnd = 0
        public var descriptorsStart = 0, descriptorsEnd = 0
        public var zombies = 0
        public var exitStatus: Int32 = 0

        public var isClean: Bool { errors == 0 && unanswered == 0 && hung == 0 && zombies == 0 && exitStatus == 0 && responses > 0 }
    }

    /// Rounds (about a second each) before the first reading of memory and descriptors.
    public static let warmupRounds = 10

    public var lpj: URL
    public var seconds = 60.0
    public var log: (String) -> Void = { _ in }

    public init(lpj: URL) { self.lpj = lpj }

    /// Soaks `model` (with `workers` for the prefork models).
    public func run(model: String) throws -> Report {
        let server = try SpawnedServer(executable: lpj, arguments: ["--model", model, "--workers", "2"])
        let frames = try FixtureSet.generate().fixtures
            .filter { $0.definition.direction == .clientToServer && $0.definition.receiverByteOrder == .little }
            .map(\.definition.wire)
        var hostile = HostileInput(seed: 0x50A4, frames: frames)
        // Connections the model serves at once: one for `blocking`, one per worker for `prefork`.
        let connections = model == "blocking" ? 1 : (model == "prefork" ? 2 : 4)
        var report = Report(model: model, seconds: seconds)
        let start = Date()
        var round = 0
        while Date().timeIntervalSince(start) < seconds {
            var configuration = BenchConfiguration()
            configuration.port = server.port
            configuration.connections = connections
            configuration.depth = 4
            configuration.warmupSeconds = 0
            configuration.durationSeconds = 1
            configuration.drainSeconds = 2
            if round % 2 == 0 {
                configuration.params = ["round": .number(JSONNumber(round)), "text": "grüße", "list": [1, .number(JSONNumber("2.5")!), true, .null]]
            } else {
                configuration.method = "sleep"
                configuration.params = ["ms": 1]
            }
            let result = try LoadGenerator.run(configuration)
            report.responses += result.responses
            report.errors += result.errors + result.connectionsLost
            report.unanswered += result.unanswered
            // The first reading comes after a warm-up: allocators and caches fill in the first seconds.
            if round == min(Self.warmupRounds, Int(seconds) / 2) {
                (report.residentStart, report.descriptorsStart) = (ProcessTree.resident(server.pid), ProcessTree.descriptors(server.pid))
            }
            for _ in 0..<10 {
                report.hostile += 1
                if !Self.exchange(hostile.next(), port: server.port) { report.hung += 1 }
            }
            round += 1
            if round % 10 == 0 {
                log(
                    "\(model): \(round) rounds, \(report.responses) responses, \(report.errors) errors, \(report.hostile) hostile connections, "
                        + "resident \(ProcessTree.resident(server.pid) / 1024) KiB, \(ProcessTree.descriptors(server.pid)) descriptors")
            }
        }
        report.seconds = Date().timeIntervalSince(start)
        // Let the last connections' closes reach the server before counting its descriptors.
        let settle = Date().addingTimeInterval(2)
        while ProcessTree.descriptors(server.pid) > report.descriptorsStart, Date() < settle { usleep(20_000) }
        report.residentEnd = ProcessTree.resident(server.pid)
        report.descriptorsEnd = ProcessTree.descriptors(server.pid)
        report.zombies = ProcessTree.children(of: server.pid).filter { $0.state == "Z" }.count
        report.exitStatus = server.stop()
        return report
    }

    /// Sends `bytes` on a fresh connection, half-closes, and reads to the end: whether the server closed
    /// within 5 s (it may answer first).
    static func exchange(_ bytes: [UInt8], port: Int) -> Bool {
        guard let socket = try? Socket.connect(host: "127.0.0.1", port: port, timeoutMilliseconds: 5_000) else { return false }
        defer { socket.close() }
        try? socket.writeAll(bytes)
        socket.shutdownWrite()
        var buffer = ByteBuffer()
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            guard (try? socket.waitUntilReadable(timeoutMilliseconds: 500)) == true else { continue }
            guard let read = try? socket.read(into: &buffer), read > 0 else { return true }
            buffer.clear()
        }
        return false
    }
}

/// With `count` connections open to a server, half of them stalled two octets into a prefix: how long a
/// fresh connection takes to connect and get its pong, over `samples` tries.
public enum Flood {
    public struct Report: Sendable {
        public var model: String
        public var connections: Int
        public var milliseconds: [Double]
        public var median: Double { milliseconds.sorted()[milliseconds.count / 2] }
        public var max: Double { milliseconds.max() ?? 0 }
    }

    public static func run(lpj: URL, model: String, connections count: Int = 1_000, samples: Int = 20) throws -> Report {
        IdleMemory.raiseDescriptorLimit()
        let server = try SpawnedServer(executable: lpj, arguments: ["--model", model])
        defer { server.stop() }
        var sockets: [Socket] = []
        defer { for socket in sockets { socket.close() } }
        for index in 0..<count {
            let socket = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 5_000)
            if index % 2 == 1 { try socket.writeAll([0x10, 0x00]) }
            sockets.append(socket)
        }
        usleep(500_000)
        var times: [Double] = []
        for _ in 0..<samples {
            let start = DispatchTime.now().uptimeNanoseconds
            let socket = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 5_000)
            defer { socket.close() }
            guard (try? IdleMemory.ping(socket)) != nil else {
                throw BenchError("\(model): a fresh ping got no pong with \(count) connections open")
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return Report(model: model, connections: count, milliseconds: times)
    }
}
