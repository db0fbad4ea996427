import Foundation
import LPJSockets
import LPJWire
import NIOCore

/// A scripted upstream LPJ server on 127.0.0.1 for the `relay` cases (`ext.relay`): the runner asks the
/// server under test to relay to it, and sees from this side what the relay sent.
///
/// A small blocking server: one thread accepts, one thread per connection reads requests (little-endian,
/// `order.little-default`, as a relay writes them) and answers each as `script` decides, in order. Every
/// accept, read, write and pause waits in steps of at most 20 ms and ends at `stop()` or when the
/// lifetime runs out, so a case that forgets to stop it still ends, and `stop()` returns within about
/// 50 ms of being called.
///
///     let upstream = try LoopbackUpstream { request in .reply(Response(out: "pong", result: request.params)) }
///     defer { upstream.stop() }
///     // relay {"host":"127.0.0.1","port":upstream.port,"in":"ping","params":1} ... then upstream.requests
// @unchecked: the mutable state (stopped, the requests, the unreadable bodies, the connection count) is
// read and written under `lock` only; the rest is immutable, and the listening `Socket` is used by the
// accepting thread alone (which also closes it), each connection's by its own thread.
final class LoopbackUpstream: @unchecked Sendable {
    /// What the upstream does with one request it read.
    enum Action: Sendable {
        /// Answers with this response at once.
        case reply(Response)
        /// Answers with this response after `milliseconds`.
        case replyAfter(milliseconds: Int, Response)
        /// Answers with a frame holding exactly these octets (not necessarily a valid response).
        case replyBody([UInt8])
        /// Never answers; keeps the connection open (reading on) until stopped.
        case hold
        /// Closes the connection at once, without answering.
        case close
    }

    /// One request frame the upstream read.
    struct Received: Sendable {
        /// The frame's body.
        var body: [UInt8]
        /// The body as a request, when it is one (`msg.request`).
        var request: Request?
        /// Why the body is not a valid request, when it is not.
        var problem: String?
        /// The names of the members of the request object, in order.
        var memberNames: [String]
    }

    /// The port the upstream listens on (127.0.0.1).
    let port: Int
    private let listener: Socket
    private let script: @Sendable (Request) -> Action
    private let lock = NSLock()
    private let finished = DispatchGroup()
    private var stopped = false
    private var _requests: [Received] = []
    private var _unreadable: [String] = []
    private var _connections = 0
    private let deadline: ContinuousClock.Instant

    /// Starts listening on 127.0.0.1 (a port the kernel picks) and accepting; ends by itself after
    /// `lifetimeMilliseconds`.
    init(lifetimeMilliseconds: Int = 20_000, script: @escaping @Sendable (Request) -> Action) throws {
        listener = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 16)
        port = listener.localPort
        self.script = script
        deadline = .now + .milliseconds(lifetimeMilliseconds)
        finished.enter()
        Thread.detachNewThread { [self] in
            acceptLoop()
            finished.leave()
        }
    }

    /// An upstream that answers every request as `ping` would: a pong echoing its params.
    static func echo() throws -> LoopbackUpstream {
        try LoopbackUpstream { .reply(Response(out: "pong", result: $0.params)) }
    }

    /// Every request frame read so far, on all connections, in the order read.
    var requests: [Received] { lock.withLock { _requests } }

    /// Frames the upstream could not read as little-endian LPJ frames, each described in a sentence.
    var unreadable: [String] { lock.withLock { _unreadable } }

    /// How many connections the upstream accepted.
    var connections: Int { lock.withLock { _connections } }

    /// How many frames (requests or not) arrived: the requests plus the unreadable frames.
    var arrivals: Int { lock.withLock { _requests.count + _unreadable.count } }

    /// Stops accepting, closes every connection and waits (up to 1 s) for the threads to end.
    func stop() {
        lock.withLock { stopped = true }
        _ = finished.wait(timeout: .now() + 1)
    }

    /// Waits up to `milliseconds` until `condition` holds; whether it does.
    @discardableResult
    func wait(milliseconds: Int, until condition: (LoopbackUpstream) -> Bool) -> Bool {
        let end = ContinuousClock.now + .milliseconds(milliseconds)
        while !condition(self) {
            if ContinuousClock.now >= end { return false }
            usleep(5_000)
        }
        return true
    }

    /// A local port on which nothing listens: bound, then closed (connecting to it is refused).
    static func closedPort() throws -> Int {
        let socket = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 1)
        let port = socket.localPort
        socket.close()
        return port
    }

    private var shouldStop: Bool {
        lock.withLock { stopped } || ContinuousClock.now >= deadline
    }

    private func acceptLoop() {
        defer { listener.close() }
        while !shouldStop {
            guard (try? listener.poll(events: Int16(POLLIN), timeoutMilliseconds: 20)) == true else { continue }
            guard let connection = try? listener.accept() else { continue }
            lock.withLock { _connections += 1 }
            finished.enter()
            Thread.detachNewThread { [self] in
                serve(connection)
                finished.leave()
            }
        }
    }

    /// Reads frames on `connection` and answers each as the script says, until stopped, EOF or an
    /// unreadable frame.
    private func serve(_ connection: Socket) {
        defer { connection.close() }
        connection.setNoDelay()
        var decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: .little, maxBodyLength: FrameConfiguration.defaultMaxBodyLength))
        var buffer = ByteBuffer()
        var holding = false
        while !shouldStop {
            do {
                while !holding, let body = try decoder.decode(buffer: &buffer) {
                    let received = Self.receive(Array(body.readableBytesView))
                    lock.withLock { _requests.append(received) }
                    guard let request = received.request else { return }
                    switch script(request) {
                    case .reply(let response):
                        guard write(response.body(), on: connection) else { return }
                    case .replyAfter(let milliseconds, let response):
                        guard pause(milliseconds), write(response.body(), on: connection) else { return }
                    case .replyBody(let body):
                        guard write(body, on: connection) else { return }
                    case .hold:
                        holding = true
                    case .close:
                        return
                    }
                }
            } catch {
                let prefix = buffer.getBytes(at: buffer.readerIndex, length: min(4, buffer.readableBytes)) ?? []
                lock.withLock {
                    _unreadable.append(
                        "a frame the upstream cannot read as little-endian (prefix \(prefix.map { String(format: "%02x", $0) }.joined(separator: " "))): \(error)"
                    )
                }
                return
            }
            guard (try? connection.waitUntilReadable(timeoutMilliseconds: 20)) == true else { continue }
            guard let count = try? connection.read(into: &buffer), count > 0 else {
                // EOF or reset: a partial frame left behind is one the relay did not finish.
                if decoder.isInsideFrame || buffer.readableBytes > 0 {
                    lock.withLock { _unreadable.append("the relay's connection ended inside a frame, after \(buffer.readableBytes) octets of it") }
                }
                return
            }
        }
    }

    /// The frame for `body`, written within 1 s; whether it went out.
    private func write(_ body: [UInt8], on connection: Socket) -> Bool {
        (try? connection.writeAll(FrameEncoder(byteOrder: .little).frame(body), timeoutMilliseconds: 1_000)) != nil
    }

    /// Waits `milliseconds` unless stopped first; whether the whole pause passed.
    private func pause(_ milliseconds: Int) -> Bool {
        let end = ContinuousClock.now + .milliseconds(milliseconds)
        while ContinuousClock.now < end {
            if shouldStop { return false }
            usleep(UInt32(min(10_000, max(1, (end - ContinuousClock.now).milliseconds * 1_000))))
        }
        return true
    }

    private static func receive(_ body: [UInt8]) -> Received {
        let names = (try? JSONParser.parse(body))?.objectValue?.members.map(\.name) ?? []
        do {
            return Received(body: body, request: try Request(body: body), problem: nil, memberNames: names)
        } catch {
            return Received(body: body, request: nil, problem: "\(error)", memberNames: names)
        }
    }
}
