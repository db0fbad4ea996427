import Foundation
import LPJSockets
import LPJWire
import NIOCore

/// A connection the checker drives octet by octet, keeping every octet it reads for the report.
public final class ProbeConnection {
    public let socket: Socket
    public let byteOrder: ByteOrder
    private var decoder: FrameDecoder
    private var buffer = ByteBuffer()
    /// Every octet read so far, in order.
    public private(set) var received: [UInt8] = []
    /// Every octet sent so far, in order.
    public private(set) var sent: [UInt8] = []

    /// `responseLimit`: the largest response body believed; a ping echo is at most the request limit plus
    /// a little, so anything larger is an implausible length, reported at once rather than waited for.
    public init(host: String, port: Int, byteOrder: ByteOrder, timeoutMilliseconds: Int, responseLimit: Int) throws {
        socket = try Socket.connect(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        socket.setNoDelay()
        self.byteOrder = byteOrder
        decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: byteOrder == .little ? .little : .big,
                                                                 maxBodyLength: responseLimit))
    }

    public func send(_ bytes: [UInt8]) throws {
        sent += bytes
        try socket.writeAll(bytes)
    }

    /// Sends `request` framed in this connection's byte order.
    public func send(_ request: Request) throws {
        try send(frame(request.body()))
    }

    public func frame(_ body: [UInt8]) -> [UInt8] { FrameEncoder(byteOrder: byteOrder).frame(body) }

    public func halfClose() { socket.shutdownWrite() }

    public func close() { socket.close() }

    /// What the server sent back.
    public struct Reply {
        /// Each complete frame's body, parsed or not.
        public var frames: [Frame] = []
        /// The server closed the connection (EOF or reset).
        public var closed = false
        /// The connection was reset rather than closed.
        public var reset = false
        /// The stream broke the framing rules (implausible length, EOF inside a frame).
        public var framingError: WireError?
        /// Nothing more came before the time-out.
        public var timedOut = false

        public struct Frame {
            public var body: [UInt8]
            public var response: Response?
            public var error: WireError?
        }

        public var responses: [Response] { frames.compactMap(\.response) }
    }

    /// Reads on, after the caller read `already` from the socket itself.
    public func continueReading(_ already: ByteBuffer, count: Int?, timeoutMilliseconds: Int) -> Reply {
        var already = already
        received += already.readableBytesView
        buffer.writeBuffer(&already)
        return read(count: count, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Reads until `count` frames arrived, EOF, a framing error, or `timeoutMilliseconds` of silence.
    public func read(count: Int? = nil, timeoutMilliseconds: Int) -> Reply {
        var reply = Reply()
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while true {
            do {
                while let body = try decoder.decode(buffer: &buffer) {
                    let bytes = Array(body.readableBytesView)
                    do {
                        reply.frames.append(.init(body: bytes, response: try Response(body: body), error: nil))
                    } catch {
                        reply.frames.append(.init(body: bytes, response: nil, error: error as? WireError))
                    }
                    if let count, reply.frames.count >= count { return reply }
                }
            } catch {
                reply.framingError = error as? WireError
                return reply
            }
            let remaining = Int(deadline.timeIntervalSinceNow * 1000)
            guard remaining > 0, (try? socket.waitUntilReadable(timeoutMilliseconds: remaining)) == true else {
                reply.timedOut = true
                return reply
            }
            let before = buffer.writerIndex
            let count: Int?
            do {
                count = try socket.read(into: &buffer)
            } catch {
                reply.closed = true
                reply.reset = true
                return reply
            }
            received += buffer.getBytes(at: before, length: buffer.writerIndex - before) ?? []
            if count == 0 {
                reply.closed = true
                do {
                    while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                        reply.frames.append(.init(body: Array(body.readableBytesView), response: try? Response(body: body), error: nil))
                    }
                } catch {
                    reply.framingError = error as? WireError
                }
                return reply
            }
        }
    }
}
