import LPJWire
import NIOCore
import NIOEmbedded

@testable import LPJServer

/// One `ServerChannelHandler` (the `event-loop` model's connection) on an `EmbeddedChannel`: octets go in
/// as reads, frames come out as writes, and time moves only when a test advances the loop's clock.
///
///     send(octets) ─▶ channelRead + channelReadComplete ─▶ ServerChannelHandler ─▶ writes ─▶ responses()
///     advance(ms)  ─▶ EmbeddedEventLoop.advanceTime ─▶ sleep, idle, slow-sender and slow-reader timers
///
/// With `timers: .wheel` the handler's timers live on the `coroutine` model's timing wheel, as they do
/// there; the micro-threads themselves (`sleep`, `relay`) cannot run, since an `EmbeddedEventLoop` is no
/// executor for the scheduler's actor.
final class EmbeddedServer {
    /// Where the handler's idle, slow-sender and slow-reader timers live.
    enum Timers { case loopTasks, wheel }

    let channel: EmbeddedChannel
    /// The connection's handler, to look at what it keeps between reads.
    let handler: ServerChannelHandler
    /// Counts the `read()` calls the handler passes on toward the transport.
    let reads = ReadCounter()
    /// Between the handler and the transport: while it holds, flushed octets wait, unsent.
    let transport = TransportGate()
    private var decoder: FrameDecoder
    private var written = ByteBuffer()

    init(_ configuration: ServerConfiguration = ServerConfiguration(), answerOrder: ByteOrderMode? = nil, timers: Timers = .loopTasks) throws {
        channel = EmbeddedChannel()
        let order = answerOrder ?? configuration.framing.byteOrder
        decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: order, maxBodyLength: 64 << 20))
        let scheduler = timers == .wheel ? MicroThreadScheduler(eventLoop: channel.embeddedEventLoop) : nil
        handler = ServerChannelHandler(configuration: configuration, scheduler: scheduler)
        try channel.pipeline.syncOperations.addHandler(transport)
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    /// Closes the channel if the handler has not, and drops the timers still scheduled: an open
    /// `EmbeddedChannel` and its pipeline hold each other.
    deinit {
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }

    /// One read of `octets`, as the transport would deliver it.
    func send(_ octets: [UInt8]) throws {
        try channel.writeInbound(ByteBuffer(bytes: octets))
    }

    /// One read holding the frame of `request`.
    func send(_ request: Request, order: ByteOrder = .little) throws {
        try send(FrameEncoder(byteOrder: order).frame(request.body()))
    }

    /// The client half-closes: NIO's `inputClosed` event.
    func halfClose() {
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }

    /// The client stops reading: the channel is no longer writable, and flushed octets stay unsent.
    func stopReading() {
        transport.isHolding = true
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
    }

    /// The client reads: the transport takes every octet the handler has flushed so far.
    func take() {
        transport.release()
    }

    /// Moves the loop's clock on, running every timer due by then.
    func advance(milliseconds: Int64) {
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(milliseconds))
    }

    /// Every response written since the last call, in the order the octets left.
    func responses() throws -> [Response] {
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&chunk) }
        var responses: [Response] = []
        while let body = try decoder.decode(buffer: &written) { responses.append(try Response(body: body)) }
        return responses
    }

    /// The octets written since the last call, undecoded.
    func writtenOctets() throws -> [UInt8] {
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&chunk) }
        defer { written.clear() }
        return Array(written.readableBytesView)
    }

    /// Whether the handler has closed the connection.
    var isClosed: Bool { !channel.isActive }
}

/// Sits below the handler and counts the reads it lets through (`sec.buffer-bound`: a held read is not).
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}

/// Sits next to the transport and, while holding, keeps flushes from reaching it: the handler's flushed
/// octets stay in the channel's pending writes (`ChannelOptions.bufferedWritableBytes`), untaken, until
/// `release` lets the transport take them.
final class TransportGate: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var isHolding = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func flush(context: ChannelHandlerContext) {
        if !isHolding { context.flush() }
    }

    /// The transport takes every pending octet.
    func release() {
        context?.flush()
    }
}
