import Foundation
import LPJSockets
import LPJWire

/// A server written to misbehave, for proving the runner bounded: it listens on 127.0.0.1, port 0, and
/// gives every connection a thread of its own that does one hostile thing. Every loop in it is bounded
/// in time or count, and `stop` ends them all (closing a socket unblocks its thread).
///
/// Tests synchronise on what it saw, never on sleeps: `waitForAccept` and `waitForRead` return when a
/// connection was accepted, or octets were read, counting from the start.
final class HostileServer: @unchecked Sendable {
    enum Behaviour: Sendable, CustomStringConvertible {
        /// Reads a request, then writes a prefix announcing 1 MiB and 64 KiB of a JSON string, stays
        /// silent for `silenceMilliseconds`, and closes.
        case truncatedHugeReply(silenceMilliseconds: Int)
        /// Reads a request, then writes 64 KiB pongs, one after another, for as long as they are taken.
        case endlessBytes
        /// Accepts and never reads (its receive buffer is 4 KiB), nor writes: a large send to it stalls.
        case neverReads
        /// Reads a request, then writes a pong one octet per 100 ms, over and over.
        case trickle
        /// Reads a request, writes half a pong, and resets the connection (`SO_LINGER` 0).
        case resetMidReply
        /// Accepts, reads and discards everything, and never answers.
        case silent
        /// Answers every read with octets that are not a frame.
        case garbage
        /// Not hostile: answers each little-endian ping with its pong and anything else with
        /// `unknown-method`, so a probe of it finds nothing to report.
        case plainPing
        /// Answers pings, each response frame followed by a newline, as line-oriented code writes it.
        case newlineAfterFrames
        /// Answers a request with a prefix announcing 100 octets and a body that begins 01, then silence.
        case controlOctetBody
        /// Not hostile: states `maxDepth` in lpj.describe, a limit deeper than the checker parses, and
        /// echoes every ping as deep as it comes, copying the params octets without parsing them.
        case deepEcho(maxDepth: Int)

        var description: String {
            switch self {
            case .truncatedHugeReply: return "truncated 1 MiB reply"
            case .endlessBytes: return "endless bytes"
            case .neverReads: return "never reads"
            case .trickle: return "one octet per 100 ms"
            case .resetMidReply: return "reset mid-reply"
            case .silent: return "accepts and never answers"
            case .garbage: return "answers with garbage"
            case .plainPing: return "answers pings"
            case .newlineAfterFrames: return "a newline after every frame"
            case .controlOctetBody: return "a body that begins with a control octet, cut short"
            case .deepEcho(let maxDepth): return "echoes pings of any depth, maxDepth \(maxDepth) stated"
            }
        }
    }

    let behaviour: Behaviour
    let listener: Socket
    let port: Int
    private let lock = NSLock()
    private var stopped = false
    private var connections: [Socket] = []
    private var acceptedCount = 0
    private var readCount = 0
    private let accepted = DispatchSemaphore(value: 0)
    private let read = DispatchSemaphore(value: 0)
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        listener = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 64)
        if case .neverReads = behaviour { listener.setReceiveBufferSize(4_096) }
        port = listener.localPort
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Connections accepted so far.
    var acceptedConnections: Int { lock.withLock { acceptedCount } }

    /// Waits until a connection was accepted (`true`), or `seconds` passed.
    func waitForAccept(seconds: Double) -> Bool { accepted.wait(timeout: .now() + seconds) == .success }

    /// Waits until a connection read some octets (`true`), or `seconds` passed.
    func waitForRead(seconds: Double) -> Bool { read.wait(timeout: .now() + seconds) == .success }

    /// Stops accepting and closes every connection, which ends every connection's thread.
    func stop() {
        let open: [Socket]? = lock.withLock {
            guard !stopped else { return nil }
            stopped = true
            return connections
        }
        guard let open else { return }
        acceptLoopDone.wait()
        for connection in open { _ = Glibc.shutdown(connection.descriptor, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        defer { listener.close(); acceptLoopDone.signal() }
        while !isStopped {
            guard (try? listener.waitUntilReadable(timeoutMilliseconds: 50)) == true, let connection = try? listener.accept() else { continue }
            let keep: Bool = lock.withLock {
                guard !stopped else { return false }
                connections.append(connection)
                acceptedCount += 1
                return true
            }
            guard keep else { connection.close(); return }
            accepted.signal()
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Socket) {
        switch behaviour {
        case .truncatedHugeReply(let silence):
            guard readRequest(connection) else { return }
            var reply = FrameEncoder(byteOrder: .little).prefix(forLength: 1 << 20)
            reply += Array(#"{"out":"pong","result":""#.utf8)
            reply += [UInt8](repeating: UInt8(ascii: "x"), count: 65_536 - (reply.count - 4))
            try? connection.writeAll(reply, timeoutMilliseconds: 5_000)
            _ = try? connection.waitUntilReadable(timeoutMilliseconds: silence)
            _ = Glibc.shutdown(connection.descriptor, Int32(SHUT_RDWR))
        case .endlessBytes:
            guard readRequest(connection) else { return }
            let pong = FrameEncoder(byteOrder: .little).frame(Response(out: "pong", result: .string(String(repeating: "z", count: 65_000))).body())
            // At most 1 GiB, and only while the client takes it.
            for _ in 0..<16_384 where !isStopped {
                guard (try? connection.writeAll(pong, timeoutMilliseconds: 2_000)) != nil else { return }
            }
        case .neverReads:
            connection.setReceiveBufferSize(4_096)
            while !isStopped, (try? connection.poll(events: Int16(0x2000) /* POLLRDHUP */, timeoutMilliseconds: 100)) != true {}
        case .trickle:
            guard readRequest(connection) else { return }
            let pong = FrameEncoder(byteOrder: .little).frame(Response(out: "pong", result: "slow").body())
            for index in 0..<600 where !isStopped {
                guard (try? connection.writeAll([pong[index % pong.count]], timeoutMilliseconds: 1_000)) != nil else { return }
                // 100 ms between octets; a client that closes or sends more ends the wait (and a close, the reply).
                if (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) == true, !drain(connection) { return }
            }
        case .resetMidReply:
            guard readRequest(connection) else { return }
            let pong = FrameEncoder(byteOrder: .little).frame(Response(out: "pong", result: "reset").body())
            try? connection.writeAll(Array(pong.prefix(pong.count / 2)), timeoutMilliseconds: 1_000)
            connection.setResetOnClose()
            _ = Glibc.shutdown(connection.descriptor, Int32(SHUT_RD))
            closeOwned(connection)
        case .silent:
            while !isStopped {
                guard (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) != true || drain(connection) else { return }
            }
        case .plainPing:
            answerPings(connection)
        case .deepEcho(let maxDepth):
            answerPings(connection, deepEchoStating: maxDepth)
        case .newlineAfterFrames:
            answerPings(connection, trailer: [0x0a])
        case .controlOctetBody:
            guard readRequest(connection) else { return }
            try? connection.writeAll(FrameEncoder(byteOrder: .little).prefix(forLength: 100) + [0x01, UInt8(ascii: "{")], timeoutMilliseconds: 1_000)
            while !isStopped, (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) != true {}
        case .garbage:
            let garbage = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8) + (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 0x90) }
            while !isStopped {
                guard (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) == true else { continue }
                guard drain(connection), (try? connection.writeAll(garbage, timeoutMilliseconds: 1_000)) != nil else { return }
            }
        }
    }

    /// Answers little-endian requests until EOF: pongs for pings, `unknown-method` for the rest, each
    /// frame followed by `trailer`. With `deepEchoStating`, lpj.describe states that depth limit and a
    /// ping written as `{"in":"ping","params":P}` is answered `{"out":"pong","result":P}` with P's octets
    /// copied as they came.
    private func answerPings(_ connection: Socket, trailer: [UInt8] = [], deepEchoStating maxDepth: Int? = nil) {
        var stream: [UInt8] = []
        while !isStopped {
            guard (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) == true else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            stream += chunk[..<count]
            while stream.count >= 4 {
                let length = Int(ByteOrder.little.value(stream[0], stream[1], stream[2], stream[3]))
                guard length <= 1 << 20 else { return }
                guard stream.count >= 4 + length else { break }
                let body = Array(stream[4..<(4 + length)])
                stream.removeFirst(4 + length)
                if let maxDepth, let echo = Self.deepEcho(body, maxDepth: maxDepth) {
                    guard (try? connection.writeAll(FrameEncoder(byteOrder: .little).frame(echo), timeoutMilliseconds: 1_000)) != nil else { return }
                    continue
                }
                let response: Response
                if let request = try? Request(body: body), request.method == "ping" {
                    response = Response(out: "pong", result: request.params)
                } else {
                    response = Response(error: WireError(.unknownMethod, rule: .msgUnknownMethod, "only ping"))
                }
                guard (try? connection.writeAll(FrameEncoder(byteOrder: .little).frame(response.body()) + trailer, timeoutMilliseconds: 1_000)) != nil else {
                    return
                }
            }
        }
    }

    /// The deep-echo server's answer to `body`: its description, or the echo of a ping's params octets.
    private static func deepEcho(_ body: [UInt8], maxDepth: Int) -> [UInt8]? {
        let ping = Array(#"{"in":"ping","params":"#.utf8)
        if body.starts(with: ping), body.last == UInt8(ascii: "}") {
            return Array(#"{"out":"pong","result":"#.utf8) + body[ping.count...]
        }
        guard (try? Request(body: body))?.method == "lpj.describe" else { return nil }
        return Array(
            #"{"out":"lpj.description","result":{"protocol":"lpj/1","byteOrder":"little","maxBody":1048576,"maxDepth":\#(maxDepth),"methods":["lpj.describe","ping"],"server":"deep echo"}}"#
                .utf8)
    }

    /// Waits (up to 5 s) for the first octets of a request and reads what is there: `false` when the
    /// client closed first or the server stopped.
    private func readRequest(_ connection: Socket) -> Bool {
        for _ in 0..<50 where !isStopped {
            if (try? connection.waitUntilReadable(timeoutMilliseconds: 100)) == true { return drain(connection) }
        }
        return false
    }

    /// Reads what is waiting: `false` at EOF or on an error.
    private func drain(_ connection: Socket) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { Glibc.recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        lock.withLock { readCount += 1 }
        read.signal()
        return true
    }

    /// Closes `connection` now (for the reset), keeping the list from closing it twice.
    private func closeOwned(_ connection: Socket) {
        lock.withLock {
            connections.removeAll { $0 === connection }
            connection.close()
        }
    }
}
