import LPJClient
import LPJSockets
import LPJWire
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Serves one connection with blocking calls until it closes: the connection loop of the `blocking`,
/// `threaded`, `forking` and `prefork` models.
///
///     poll(socket, stop) ─▶ recv ─▶ ServerConnection.receive ─▶ steps, one after another ─▶ send
///
/// The responses to one read are gathered and leave in one `send`, as in the event-loop models and the
/// baselines. A `sleep` blocks this thread or process, as it would in the tutorial's servers; what was
/// gathered before it is sent first. On a stop request the loop reads what the kernel already holds,
/// answers every complete request, and closes.
struct BlockingConnection {
    let socket: Socket
    let configuration: ServerConfiguration
    let shutdown: ShutdownSignal
    private var connection: any ConnectionEngine
    private var buffer = ByteBuffer()
    /// The frames of the responses to the current read, sent in one write (`flush`).
    private var gathered = ByteBuffer()
    /// Octets gathered past which they are written without waiting for the rest of the read.
    private static let gatheredLimit = 65_536
    private let log: Logger

    init(socket: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) {
        self.socket = socket
        self.configuration = configuration
        self.shutdown = shutdown
        self.connection = connectionEngine(for: configuration)
        self.log = configuration.logger.forConnection(peer: peerAddress(of: socket.descriptor))
        socket.setNoDelay(!connection.splitsWrites)
    }

    mutating func serve() {
        log.debug("connection opened")
        defer {
            socket.close()
            log.debug("connection closed")
        }
        do {
            while try serveOnce() {}
        } catch let stalled as SlowReaderStalled {
            log.info("slow reader: \(stalled)")
        } catch {
            log.debug("connection error: \(error)")
        }
    }

    /// One wait and what follows it; `false` once the connection is done.
    private mutating func serveOnce() throws -> Bool {
        let ready = waitReadable([socket.descriptor] + shutdown.descriptors, timeoutMilliseconds: currentTimeout)
        if ready.isEmpty {
            // Idle or slow: close only between frames with nothing outstanding, or on a stalled partial frame.
            if isInsidePartialFrame {
                log.info("slow sender: a partial frame waited \(currentTimeout) ms; closing (sec.slow-sender)")
            } else {
                log.info("idle for \(currentTimeout) ms; closing (conn.idle-timeout)")
            }
            return false
        }
        if ready.contains(socket.descriptor) {
            guard let count = try socket.read(into: &buffer) else { return true }
            let steps = count == 0 ? connection.receiveEOF(&buffer) : connection.receive(&buffer)
            return try run(steps) && count != 0
        }
        // Stop requested: answer what has arrived, then close.
        while let count = try socket.read(into: &buffer, nonBlocking: true), count > 0 {}
        _ = try run(connection.receive(&buffer))
        return false
    }

    private var isInsidePartialFrame: Bool { connection.isInsideFrame || buffer.readableBytes > 0 }

    private var currentTimeout: Int {
        if isInsidePartialFrame { return configuration.partialFrameTimeoutMilliseconds ?? -1 }
        return configuration.idleTimeoutMilliseconds ?? -1
    }

    /// Carries out `steps` in order; `false` when the connection must close. The responses are gathered
    /// and leave in one write: at the end of the steps, before a step that blocks (`sleep`, `relay`), so
    /// that the answers before it are not held back, before closing, and whenever 64 KiB have gathered.
    private mutating func run(_ steps: [ServerConnection.Step]) throws -> Bool {
        log.protocolErrors(in: steps, closing: connection.closingError)
        for step in steps {
            switch step {
            case .dispatch(.respond(let response)):
                try gather(response)
            case .dispatch(.sleep(let milliseconds, let response)):
                try flush()
                sleepBlocking(milliseconds: milliseconds)
                try gather(response)
            case .dispatch(.relay(let call)):
                try flush()
                try gather(BlockingRelay.call(call))
            case .dispatch(.close):
                try flush()
                return false
            case .finish(let response):
                if let response { try gather(response) }
                try flush()
                return false
            }
        }
        try flush()
        return true
    }

    /// Appends the frame of `response` to the responses waiting for the next write; under
    /// `--fault split-writes`, writes its prefix and its body at once, in two writes.
    private mutating func gather(_ response: Response) throws {
        if connection.splitsWrites {
            let frame = connection.frame(response)
            try write(frame.getSlice(at: frame.readerIndex, length: 4)!)
            try write(frame.getSlice(at: frame.readerIndex + 4, length: frame.readableBytes - 4)!)
            return
        }
        connection.appendFrame(response, to: &gathered)
        if gathered.readableBytes >= Self.gatheredLimit { try flush() }
    }

    /// Writes the gathered responses in one write, and keeps the buffer for the next.
    private mutating func flush() throws {
        guard gathered.readableBytes > 0 else { return }
        try write(gathered)
        gathered.clear()
    }

    /// Writes `bytes`, waiting for the reader at most the slow-reader bound without progress
    /// (`sec.slow-reader`); past it the connection is reset (the unsent octets are dropped).
    private func write(_ bytes: ByteBuffer) throws {
        guard let bound = configuration.slowReaderMilliseconds else { return try socket.writeAll(bytes) }
        do {
            try bytes.withUnsafeReadableBytes { try socket.writeAll($0, stallMilliseconds: bound) }
        } catch let stalled as SlowReaderStalled {
            socket.setResetOnClose()
            throw stalled
        }
    }
}

/// A response waited for the reader past the slow-reader bound (`sec.slow-reader`).
struct SlowReaderStalled: Error, CustomStringConvertible {
    var written: Int
    var total: Int
    var milliseconds: Int
    var description: String {
        "the client took none of the response for \(milliseconds) ms (\(written) of \(total) octets written): closed (sec.slow-reader)"
    }
}

extension Socket {
    /// Writes every octet of `bytes` however slowly the peer reads, as long as the transport accepts some
    /// octets at least every `stallMilliseconds` (progress, not the whole write, is bounded); after that
    /// long with none accepted it throws `SlowReaderStalled`. A `send` is tried every 50 ms (or
    /// sooner on `POLLOUT`): the kernel reports `POLLOUT` only once a third of the send buffer is free, and
    /// a slow steady reader frees less than that between reports.
    func writeAll(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) throws {
        var offset = 0
        var lastProgress = ContinuousClock.now
        while offset < bytes.count {
            let written = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if written > 0 {
                offset += written
                lastProgress = .now
                continue
            }
            if written < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: break
                default: throw SocketError("send")
                }
            }
            let waited = Int((ContinuousClock.now - lastProgress) / .milliseconds(1))
            guard waited < stallMilliseconds else {
                throw SlowReaderStalled(written: offset, total: bytes.count, milliseconds: waited)
            }
            _ = try poll(events: Int16(POLLOUT), timeoutMilliseconds: min(50, stallMilliseconds - waited))
        }
    }
}

/// Blocks the calling thread for `milliseconds`, resuming after signals.
func sleepBlocking(milliseconds: Int) {
    var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// A line on standard error.
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
