import LPJSockets
import LPJWire
import NIOCore

/// A client that blocks the calling thread: one connection, calls one after another, or several sent
/// at once and read back in order (`conn.pipelining`).
///
/// Each request goes out as prefix and body in one write with `TCP_NODELAY` (`frame.single-write`); each
/// read is followed by a quick ACK, so a legacy server that writes prefix and body separately is not held
/// up by a delayed ACK.
public final class BlockingClient {
    public let configuration: ClientConfiguration
    private let socket: Socket
    private var decoder: FrameDecoder
    private var buffer = ByteBuffer()

    /// Connects. Throws `ClientError` (`refused`, `timed-out`, `io`).
    public init(_ configuration: ClientConfiguration) throws {
        self.configuration = configuration
        self.decoder = FrameDecoder(configuration: configuration.framing)
        do {
            socket = try Socket.connect(
                host: configuration.host, port: configuration.port,
                timeoutMilliseconds: configuration.connectTimeoutMilliseconds)
        } catch let error as SocketError {
            throw ClientError.connecting(error, configuration)
        }
        socket.setNoDelay()
    }

    /// Sends `request` and waits for its response. Throws `ClientError`; an error response is a
    /// `Response` whose `errorResult` is set, not a thrown error.
    public func call(_ request: Request) throws -> Response {
        try send([request])
        return try receive()
    }

    /// Sends every request in one write, without waiting.
    public func send(_ requests: [Request]) throws {
        var frames = ByteBuffer()
        let encoder = FrameEncoder(byteOrder: configuration.byteOrder)
        for request in requests { encoder.write(request.body(), to: &frames) }
        try sendRaw(frames)
    }

    /// Sends octets exactly as given (tests and the conformance runner send broken frames this way).
    public func sendRaw(_ bytes: ByteBuffer) throws {
        do { try socket.writeAll(bytes) } catch { throw ClientError(.io, "\(error)") }
    }

    /// Shuts down the write side: the server answers what it has and closes (`conn.half-close`).
    public func finishSending() { socket.shutdownWrite() }

    /// The next response, in request order.
    public func receive() throws -> Response {
        let body = try receiveBody()
        do {
            return try Response(body: body, options: configuration.parser)
        } catch let error as WireError {
            throw ClientError(error)
        }
    }

    /// The next frame's body, unparsed; `nil`-free: EOF between frames throws `closed`.
    public func receiveBody() throws -> ByteBuffer {
        while true {
            do {
                if let body = try decoder.decode(buffer: &buffer) { return body }
            } catch let error as WireError {
                throw ClientError(error)
            }
            guard try socket.waitUntilReadable(timeoutMilliseconds: configuration.callTimeoutMilliseconds) else {
                throw ClientError(.timedOut, "no complete response within \(configuration.callTimeoutMilliseconds) ms")
            }
            let count: Int?
            do { count = try socket.read(into: &buffer) } catch { throw ClientError(.io, "\(error)") }
            socket.requestQuickAck()
            if count == 0 {
                do {
                    if let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { return body }
                } catch let error as WireError {
                    throw ClientError(error)
                }
                throw ClientError(.closed, "the server closed the connection")
            }
        }
    }

    public func close() { socket.close() }
}

extension ClientError {
    static func connecting(_ error: SocketError, _ configuration: ClientConfiguration) -> ClientError {
        let address = "\(configuration.host):\(configuration.port)"
        if error.isConnectionRefused { return ClientError(.refused, "connection refused by \(address): is a server listening?") }
        if error.errno == 110 { return ClientError(.timedOut, "no connection to \(address) within \(configuration.connectTimeoutMilliseconds) ms") }
        return ClientError(.io, "connecting to \(address): \(error)")
    }
}
