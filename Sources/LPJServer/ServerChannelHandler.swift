import LPJWire
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One connection of the event-loop models: bytes in through `ServerConnection`, frames out in order.
///
/// Its steps run through a `StepRunner` (`StepRunners.swift`): one after another (`SerialSteps`,
/// `event-loop`), or each at once as a micro-thread with the responses reordered (`MicroThreadSteps`,
/// `coroutine`). In `coroutine`, the idle and slow-sender timers live on the scheduler's timing wheel.
///
/// Backpressure (`sec.buffer-bound.unprocessed`, `.unwritten`): the handler holds the channel's `read()`
/// while more than `maxOutstanding` requests wait for their responses to be written, or while the
/// channel is not writable (the client does not read and the outbound buffer is above its high-water
/// mark); the held read is issued once both have drained. The kernel's buffers then fill and the client's
/// writes block, instead of the server's memory growing with what the client sends.
final class ServerChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Requests read but not yet answered (written to the channel) above which reading stops.
    static let maxOutstanding = 64
    /// NIO asked to read while the connection was backed up; the read is issued when it drains.
    private var readHeld = false

    /// The server's configuration, one copy for every connection of the host.
    private let shared: SharedConfiguration
    private var configuration: ServerConfiguration { shared.configuration }
    private let scheduler: MicroThreadScheduler?
    /// How this connection runs its steps: one after another, or each as a micro-thread.
    let steps: any StepRunner
    private var connection: any ConnectionEngine
    /// The server's logger, one for every connection of the host, and this connection's peer, which
    /// `channelActive` records. The connection's own logger (`log`, the peer added to the metadata) is
    /// made for each line rather than kept: its metadata dictionary cost every connection 448 octets,
    /// and at `info` a connection logs nothing unless a bound closes it.
    private let serverLog: Logger
    private var peer = ""
    private var log: Logger { serverLog.forConnection(peer: peer) }
    /// The logger this connection keeps between reads.
    var keptLogger: Logger { serverLog }
    private var received: ByteBuffer?

    /// The connection closes once everything before this point is answered.
    private var isClosing = false
    /// The slow-sender bound fired: octets that arrive later are not read.
    private var stalledFrameDropped = false
    private var timeout: ConnectionTimer?
    /// Slow-reader watch (`sec.slow-reader`), while the channel is not writable: the octets handed to the
    /// channel so far, the octets the transport had taken at the last sample, and when that last grew
    /// (on the loop's clock, `EventLoop.now`, which an `EmbeddedEventLoop` moves by hand).
    private var slowReader: ConnectionTimer?
    private var handedOver = 0
    private var takenAtSample = 0
    private var queuedAtSample: Int?
    private var lastProgress = NIODeadline.uptimeNanoseconds(0)
    /// Frames written since the last flush, sent as one buffer.
    private var pending: ByteBuffer?

    /// A handler for one connection of a server whose connections share `shared` and `log`, the server's
    /// logger, both made once by the host.
    init(shared: SharedConfiguration, scheduler: MicroThreadScheduler?, log: Logger) {
        self.shared = shared
        self.scheduler = scheduler
        self.steps = scheduler.map { MicroThreadSteps(scheduler: $0) } ?? SerialSteps()
        self.connection = connectionEngine(shared: shared)
        self.serverLog = log
    }

    /// A handler for one connection with a configuration and a logger of its own.
    convenience init(configuration: ServerConfiguration, scheduler: MicroThreadScheduler?) {
        self.init(shared: SharedConfiguration(configuration), scheduler: scheduler, log: configuration.logger)
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = peerAddress(context.channel.remoteAddress)
        if serverLog.logLevel <= .debug { log.debug("connection opened") }
        armTimeout(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !stalledFrameDropped else { return }
        var chunk = unwrapInboundIn(data)
        var buffer: ByteBuffer
        if var earlier = received {
            earlier.writeBuffer(&chunk)
            buffer = earlier
        } else {
            buffer = chunk
        }
        received = nil
        let steps: [ServerConnection.Step]
        if answersAtOnce {
            // Nothing is waiting to be written before them: the engine appends the frames it can answer
            // at once to the frames of this read, and returns only the steps that have to wait.
            if pending == nil { pending = context.channel.allocator.buffer(capacity: 1024) }
            steps = connection.receive(&buffer, answeringInto: &pending!)
        } else {
            steps = connection.receive(&buffer)
        }
        // Keep what is left before running the steps: running them can close the channel re-entrantly.
        if buffer.readableBytes > 0 {
            if buffer.readerIndex > 65_536 { buffer.discardReadBytes() }
            received = buffer
        }
        handle(steps, context: context)
        armTimeout(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushFrames(context: context)
    }

    /// Passes NIO's read on unless the connection is backed up (`sec.buffer-bound`); then holds it.
    func read(context: ChannelHandlerContext) {
        if isBackedUp(context: context) {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            slowReader?.cancel()
            slowReader = nil
        } else {
            watchSlowReader(context: context)
        }
        resumeReadingIfDrained(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Whether the engine may append responses to `pending` as it reads: nothing is outstanding (a
    /// `sleep` or `relay` whose response must go first), the connection is not closing, and protocol
    /// errors are not logged (the log reads every response as a step).
    private var answersAtOnce: Bool {
        !isClosing && !steps.hasOutstandingWork && serverLog.logLevel > .debug
    }

    /// Requests read whose responses are not yet handed to the channel.
    private var outstandingCount: Int {
        steps.outstandingCount
    }

    private func isBackedUp(context: ChannelHandlerContext) -> Bool {
        outstandingCount >= Self.maxOutstanding || !context.channel.isWritable
    }

    /// Issues the read held by `read(context:)` once the connection has drained.
    func resumeReadingIfDrained(context: ChannelHandlerContext) {
        guard readHeld, context.channel.isActive, !isBackedUp(context: context) else { return }
        readHeld = false
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            var rest = received ?? ByteBuffer()
            handle(connection.receiveEOF(&rest), context: context)
            received = nil
        } else if event is ServerStopEvent {
            isClosing = true
            closeIfIdle(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if serverLog.logLevel <= .debug { log.debug("connection error: \(error)") }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if serverLog.logLevel <= .debug { log.debug("connection closed") }
        timeout?.cancel()
        timeout = nil
        slowReader?.cancel()
        slowReader = nil
        context.fireChannelInactive()
    }

    // MARK: - Steps

    private func handle(_ steps: [ServerConnection.Step], context: ChannelHandlerContext) {
        guard !steps.isEmpty else { return }
        if serverLog.logLevel <= .debug { log.protocolErrors(in: steps, closing: connection.closingError) }
        self.steps.run(steps, handler: self, context: context)
    }

    // MARK: - Writing and closing

    /// Appends `response`'s frame to the frames waiting for the next flush: the responses to one read
    /// leave in one buffer and one write.
    func write(_ response: Response, context: ChannelHandlerContext) {
        if connection.splitsWrites {
            var frame = connection.frame(response, allocator: context.channel.allocator)
            let prefix = frame.readSlice(length: 4)!
            handedOver += prefix.readableBytes + frame.readableBytes
            context.writeAndFlush(wrapOutboundOut(prefix), promise: nil)
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
            return
        }
        if pending == nil { pending = context.channel.allocator.buffer(capacity: 1024) }
        connection.appendFrame(response, to: &pending!)
    }

    /// Hands the waiting frames to the channel and flushes.
    func flushFrames(context: ChannelHandlerContext) {
        if let frames = pending, frames.readableBytes > 0 {
            pending = nil
            handedOver += frames.readableBytes
            context.write(wrapOutboundOut(frames), promise: nil)
        }
        context.flush()
    }

    /// Writes `response` if any, then closes once everything is flushed.
    func finish(_ response: Response?, context: ChannelHandlerContext) {
        if let response { write(response, context: context) }
        if let frames = pending, frames.readableBytes > 0 {
            pending = nil
            handedOver += frames.readableBytes
            context.write(wrapOutboundOut(frames), promise: nil)
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    private var hasOutstandingWork: Bool { steps.hasOutstandingWork }

    func closeIfIdle(context: ChannelHandlerContext) {
        guard isClosing, !hasOutstandingWork else { return }
        finish(nil, context: context)
    }

    /// A frame stalled past the slow-sender bound (`sec.slow-sender`): it is dropped unanswered and nothing
    /// more is read; the responses to the complete requests before it are written first
    /// (`sec.slow-sender.earlier-responses`), then the connection closes.
    private func dropStalledFrame(context: ChannelHandlerContext) {
        stalledFrameDropped = true
        received = nil
        isClosing = true
        closeIfIdle(context: context)
    }

    /// Whether octets of an unfinished frame (prefix or body) are waiting.
    private var hasPartialFrame: Bool { connection.isInsideFrame || (received?.readableBytes ?? 0) > 0 }

    /// The slow-reader bound (`sec.slow-reader`): while the channel is not writable, progress is sampled
    /// every tenth of the bound (at least 50 ms): the transport took octets from the channel, or the
    /// kernel's send queue shrank (`SO_MEMINFO`'s queued octets: the reader acknowledged data). The
    /// channel alone is not enough: the kernel reports room to NIO only once a third of its send buffer
    /// (up to megabytes) is free, which a slow steady reader may take longer than the bound to free.
    /// Data the kernel sends is not progress either: it retransmits to a full receiver. When nothing
    /// moved for the whole bound, the connection is reset and the responses still waiting are dropped;
    /// the channel becoming writable again ends the watch.
    private func watchSlowReader(context: ChannelHandlerContext) {
        guard let bound = configuration.slowReaderMilliseconds, slowReader == nil, context.channel.isActive else { return }
        takenAtSample = octetsTaken(context: context)
        queuedAtSample = Self.kernelQueuedOctets(context.channel)
        lastProgress = context.eventLoop.now
        scheduleSlowReaderSample(bound: bound, context: context)
    }

    private func scheduleSlowReaderSample(bound: Int, context: ChannelHandlerContext) {
        let bound64 = Int64(bound)
        let waited = (context.eventLoop.now - lastProgress).nanoseconds / 1_000_000
        let next = Int(min(max(50, bound64 / 10), max(1, bound64 - waited)))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        slowReader = ConnectionTimer(afterMilliseconds: next, on: context.eventLoop, wheel: scheduler?.timers) {
            let (handler, context) = loopBound.value
            handler.slowReader = nil
            guard context.channel.isActive, !context.channel.isWritable else { return }
            let taken = handler.octetsTaken(context: context)
            let queued = Self.kernelQueuedOctets(context.channel)
            let now = context.eventLoop.now
            if taken > handler.takenAtSample { handler.lastProgress = now }
            if let queued, let before = handler.queuedAtSample, queued < before { handler.lastProgress = now }
            handler.takenAtSample = taken
            handler.queuedAtSample = queued
            if (now - handler.lastProgress).nanoseconds / 1_000_000 >= bound64 {
                handler.log.info("slow reader: the client took none of the responses for \(bound) ms; reset (sec.slow-reader)")
                // SO_LINGER with a zero time-out: a reset, and the unsent octets dropped.
                if let provider = context.channel as? SocketOptionProvider {
                    _ = provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                }
                context.close(promise: nil)
            } else {
                handler.scheduleSlowReaderSample(bound: bound, context: context)
            }
        }
    }

    /// Octets handed to the channel that the transport has taken.
    private func octetsTaken(context: ChannelHandlerContext) -> Int {
        let buffered = (try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
        return handedOver - buffered
    }

    /// `SO_MEMINFO`'s `SK_MEMINFO_WMEM_QUEUED`: the octets (with their bookkeeping) in the kernel's send
    /// queue, sent and not yet acknowledged or not yet sent. Read on the loop, where the future is
    /// already complete; `nil` where the option is missing.
    private static func kernelQueuedOctets(_ channel: Channel) -> Int? {
        #if os(Linux)
        typealias MemoryInfo = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
        guard let provider = channel as? SocketOptionProvider else { return nil }
        let result = NIOLoopBoundBox<Int?>(nil, eventLoop: channel.eventLoop)
        let info: EventLoopFuture<MemoryInfo> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: 55 /* SO_MEMINFO */)
        info.whenSuccess { result.value = Int($0.5) }
        return result.value
        #else
        return nil
        #endif
    }

    /// Idle (`conn.idle-timeout`) and slow-sender (`sec.slow-sender`) time-outs, re-armed on every read.
    /// An idle time-out that fires while a request is outstanding waits for another idle period.
    func armTimeout(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        // A read can close the channel re-entrantly (a refusal): a closed channel needs no timer.
        guard context.channel.isActive else { return }
        let milliseconds = hasPartialFrame ? configuration.partialFrameTimeoutMilliseconds : configuration.idleTimeoutMilliseconds
        guard let milliseconds else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = ConnectionTimer(afterMilliseconds: milliseconds, on: context.eventLoop, wheel: scheduler?.timers) {
            let (handler, context) = bound.value
            if handler.hasPartialFrame {
                handler.log.info("slow sender: a partial frame waited \(milliseconds) ms; closing (sec.slow-sender)")
                handler.dropStalledFrame(context: context)
            } else if !handler.hasOutstandingWork {
                handler.log.info("idle for \(milliseconds) ms; closing (conn.idle-timeout)")
                context.close(promise: nil)
            } else {
                handler.armTimeout(context: context)
            }
        }
    }
}

/// A connection's idle or slow-sender timer: on the timing wheel in `coroutine`, a NIO task in `event-loop`.
enum ConnectionTimer {
    case scheduled(Scheduled<Void>)
    case wheel(EventLoopTimers, EventLoopTimers.Timer)

    init(afterMilliseconds milliseconds: Int, on eventLoop: EventLoop, wheel: EventLoopTimers?, _ action: @escaping @Sendable () -> Void) {
        if let wheel {
            self = .wheel(wheel, wheel.schedule(afterMilliseconds: milliseconds, action))
        } else {
            self = .scheduled(eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds)), action))
        }
    }

    func cancel() {
        switch self {
        case .scheduled(let task): task.cancel()
        case .wheel(let wheel, let timer): wheel.cancel(timer)
        }
    }
}
