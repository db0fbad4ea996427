import Foundation
import LPJSockets
import LPJWire
import NIOCore

/// A connection the checker drives octet by octet, keeping what it reads for the report.
///
/// Bounded whatever the server does: every send must finish within `sendTimeoutMilliseconds` (a server
/// that stops reading fails it with `SocketWriteStalled`, "the server stopped reading after N of M
/// octets"), every read within its time-out, and all of them within the `CaseDeadline` of the case, if
/// one is running. At most `receiveLimit` octets are kept; past them the connection stops reading and
/// the reply says `endless`.
///
/// Every connect, write, read, half-close and close goes into the running case's `WireLog` (see
/// `WireRecorder`); cases that drive the socket themselves use `write` and `readSome`, which record too.
public final class ProbeConnection {
    public let socket: Socket
    public let byteOrder: ByteOrder
    /// How long one `send` may take before the server counts as not reading.
    public var sendTimeoutMilliseconds: Int
    /// The most octets this connection reads and keeps: the response limit plus 64 KiB.
    public let receiveLimit: Int
    private var decoder: FrameDecoder
    private var buffer = ByteBuffer()
    /// Every octet read so far, in order (at most `receiveLimit`).
    public private(set) var received: [UInt8] = []
    /// Every octet sent so far, in order.
    public private(set) var sent: [UInt8] = []
    /// The server sent more than `receiveLimit` octets; nothing more is read.
    public private(set) var stoppedReading = false
    /// When the last octets arrived: a read cut off by the case's deadline soon after them was cut off
    /// while the server was still sending.
    public private(set) var lastReceivedAt: ContinuousClock.Instant?
    /// When the connection was made or the checker last wrote to it: the server's idle time-out cannot
    /// have started before this, so a close seen later than 1 s after it may be that time-out's.
    public private(set) var lastSentAt = ContinuousClock.now
    /// The bodies of a greeting (`CheckTarget.greeting`) still expected as this connection's first frames:
    /// each one that comes, as it was, is set aside, out of the replies and out of `received` (the wire log
    /// keeps it). The first frame that is not the greeting ends the setting aside.
    public var greetingToSetAside: [[UInt8]] = []
    /// This connection's log in the running case's record, if one is being made.
    private let tap: WireTap?
    /// Whether this connection still counts in `openCount`.
    private var counted = true

    /// How many connections the checker holds open now, in every case and thread.
    public static var openCount: Int { openConnections.withLock { $0 } }
    private static let openConnections = OpenCount()

    /// `responseLimit`: the largest response body believed; a ping echo is at most the request limit plus
    /// a little, so anything larger is an implausible length, reported at once rather than waited for.
    public init(host: String, port: Int, byteOrder: ByteOrder, timeoutMilliseconds: Int, responseLimit: Int) throws {
        if CaseDeadline.remainingMilliseconds == 0 { throw CaseDeadlinePassed(operation: "connect to \(host):\(port)") }
        socket = try Socket.connect(host: host, port: port, timeoutMilliseconds: CaseDeadline.clamp(timeoutMilliseconds))
        socket.setNoDelay()
        self.byteOrder = byteOrder
        sendTimeoutMilliseconds = timeoutMilliseconds
        receiveLimit = responseLimit + 65_536
        decoder = FrameDecoder(
            configuration: FrameConfiguration(
                byteOrder: byteOrder == .little ? .little : .big,
                maxBodyLength: responseLimit))
        tap = WireRecorder.current?.open()
        lastSentAt = .now
        Self.openConnections.withLock { $0 += 1 }
    }

    /// Sends `bytes` within `sendTimeoutMilliseconds` (and the case's deadline). Throws
    /// `SocketWriteStalled`, counted over the whole connection, when the server stops reading.
    public func send(_ bytes: [UInt8]) throws {
        let before = sent.count
        sent += bytes
        do {
            try write(bytes, timeoutMilliseconds: CaseDeadline.clamp(sendTimeoutMilliseconds))
        } catch let stalled as SocketWriteStalled {
            throw SocketWriteStalled(written: before + stalled.written, total: sent.count, timeoutMilliseconds: stalled.timeoutMilliseconds)
        }
    }

    /// One write of `bytes` within `timeoutMilliseconds`, recorded (as much of it as went out), without
    /// adding it to `sent`: for cases that write more than they keep, such as a flood.
    public func write(_ bytes: [UInt8], timeoutMilliseconds: Int) throws {
        lastSentAt = .now
        do {
            try socket.writeAll(bytes, timeoutMilliseconds: timeoutMilliseconds)
            tap?.sent(bytes)
        } catch let stalled as SocketWriteStalled {
            if stalled.written > 0 { tap?.sent(bytes.prefix(stalled.written)) }
            throw stalled
        } catch let error as SocketError {
            if error.errno == ECONNRESET { tap?.event(.peerReset) } else if error.errno == EPIPE { tap?.event(.peerClosed) }
            throw error
        }
    }

    /// One read of what is there (up to `maximum` octets) into `buffer`, recorded: the count, 0 at EOF
    /// (`peerClosed`); a reset (`peerReset`) throws. For cases that read without keeping.
    public func readSome(into buffer: inout ByteBuffer, maximum: Int = 65_536) throws -> Int? {
        let before = buffer.writerIndex
        let count: Int?
        do {
            count = try socket.read(into: &buffer, maximum: maximum)
        } catch let error as SocketError {
            tap?.event(error.errno == ECONNRESET ? .peerReset : .peerClosed)
            throw error
        }
        if let count, let tap {
            if count == 0 { tap.event(.peerClosed) } else if let octets = buffer.viewBytes(at: before, length: count) { tap.received(octets) }
        }
        return count
    }

    /// Sends `request` framed in this connection's byte order.
    public func send(_ request: Request) throws {
        try send(frame(request.body()))
    }

    public func frame(_ body: [UInt8]) -> [UInt8] { FrameEncoder(byteOrder: byteOrder).frame(body) }

    public func halfClose() {
        socket.shutdownWrite()
        tap?.event(.halfClosed)
    }

    public func close() {
        socket.close()
        tap?.closedByChecker()
        uncount()
    }

    private func uncount() {
        guard counted else { return }
        counted = false
        Self.openConnections.withLock { $0 -= 1 }
    }

    /// Half-closes, reads until the server's end of stream or `timeoutMilliseconds`, then closes: a
    /// server closes once it has answered a half-closed connection (`conn.half-close.close`), and once
    /// it has, it no longer counts the connection against its limit when the next one arrives.
    public func closeAfterServerEnds(timeoutMilliseconds: Int) {
        halfClose()
        _ = read(timeoutMilliseconds: timeoutMilliseconds)
        close()
    }

    deinit {
        tap?.closedByChecker()
        uncount()
    }

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
        /// The server sent more than the connection keeps (`receiveLimit` octets) and reading stopped.
        public var endless = false
        /// The frame in progress can no longer be a response, so reading stopped without waiting for the
        /// rest of it: its body begins with these octets, a control character no JSON text begins with.
        /// Typically stray octets between frames shifted the prefix.
        public var notAResponse: [UInt8]?

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
        keep(already.readableBytesView)
        buffer.writeBuffer(&already)
        return read(count: count, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Reads until `count` frames arrived, EOF, a framing error, `receiveLimit` octets, or
    /// `timeoutMilliseconds` (cut to the case's deadline) passed.
    /// Responses are parsed with the deepest limit the parser allows: a server may echo whatever depth its
    /// own limit accepts.
    static let responseParsing = JSONParser.Options(maxDepth: JSONParser.Options.largestMaxDepth)

    public func read(count: Int? = nil, timeoutMilliseconds: Int) -> Reply {
        var reply = Reply()
        // The time-out is one of silence: a server that answers slowly but steadily is not cut off
        // (the case's deadline still bounds the whole read).
        var deadline = Date().addingTimeInterval(Double(CaseDeadline.clamp(timeoutMilliseconds)) / 1000)
        while true {
            do {
                while let body = try decoder.decode(buffer: &buffer) {
                    let bytes = Array(body.readableBytesView)
                    if let greeting = greetingToSetAside.first {
                        if greeting == bytes, received.count >= 4 + bytes.count {
                            greetingToSetAside.removeFirst()
                            received.removeFirst(4 + bytes.count)
                            continue
                        }
                        greetingToSetAside = []
                    }
                    do {
                        reply.frames.append(.init(body: bytes, response: try Response(body: body, options: Self.responseParsing), error: nil))
                    } catch {
                        reply.frames.append(.init(body: bytes, response: nil, error: error as? WireError))
                    }
                    if let count, reply.frames.count >= count { return reply }
                }
            } catch {
                reply.framingError = error as? WireError
                return reply
            }
            if let start = Self.impossibleBodyStart(decoder, buffer) {
                reply.notAResponse = start
                return reply
            }
            if stoppedReading || received.count >= receiveLimit {
                stoppedReading = true
                reply.endless = true
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
                count = try readSome(into: &buffer, maximum: min(65_536, receiveLimit - received.count))
            } catch {
                reply.closed = true
                reply.reset = true
                return reply
            }
            keep(buffer.getBytes(at: before, length: buffer.writerIndex - before) ?? [])
            if (count ?? 0) > 0 { deadline = Date().addingTimeInterval(Double(CaseDeadline.clamp(timeoutMilliseconds)) / 1000) }
            if count == 0 {
                reply.closed = true
                do {
                    while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                        reply.frames.append(
                            .init(body: Array(body.readableBytesView), response: try? Response(body: body, options: Self.responseParsing), error: nil))
                    }
                } catch {
                    reply.framingError = error as? WireError
                }
                return reply
            }
        }
    }

    /// The first octets of a partial frame's body when they already rule out any JSON text (its first
    /// octet other than JSON whitespace is a control character, such as the 00 of a length shifted by one
    /// stray octet), else nil. Waiting for the rest of such a frame — thousands of octets that never
    /// come — would only run out the time-out. Bodies that begin like JSON, a byte order mark or other
    /// UTF-8 are read whole, so that their own defect is the one reported.
    static func impossibleBodyStart(_ decoder: FrameDecoder, _ buffer: ByteBuffer) -> [UInt8]? {
        guard decoder.isInsideFrame else { return nil }
        let pending = buffer.readableBytesView
        guard let first = pending.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }), first < 0x20 else { return nil }
        return Array(pending.prefix(16))
    }

    /// Keeps `octets` for the report, up to `receiveLimit` in all.
    private func keep<Octets: Collection>(_ octets: Octets) where Octets.Element == UInt8 {
        received += octets.prefix(max(0, receiveLimit - received.count))
        if !octets.isEmpty { lastReceivedAt = .now }
    }
}

/// The case's deadline (`CaseDeadline`) passed before an operation could start.
public struct CaseDeadlinePassed: Error, CustomStringConvertible {
    public var operation: String
    public var description: String { "the case ran out of time before it could \(operation)" }
}

/// A count shared by every thread, changed under its lock.
///
/// `@unchecked Sendable`: `count` is only touched inside `withLock`.
final class OpenCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func withLock<T>(_ body: (inout Int) -> T) -> T {
        lock.withLock { body(&count) }
    }
}
