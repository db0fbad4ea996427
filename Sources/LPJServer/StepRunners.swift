import LPJWire
import NIOCore

/// How one connection of the event-loop host runs the steps of its requests, on the loop. The handler
/// (`ServerChannelHandler`) reads, writes, times and closes; a runner decides when each step's response
/// is handed to it.
protocol StepRunner: AnyObject {
    /// Requests read whose responses are not yet handed to the channel (`sec.buffer-bound.unprocessed`).
    var outstandingCount: Int { get }
    /// Whether a step is still running or waiting to run.
    var hasOutstandingWork: Bool { get }
    /// Runs `steps`, the next ones of the connection in request order.
    func run(_ steps: [ServerConnection.Step], handler: ServerChannelHandler, context: ChannelHandlerContext)
}

/// `event-loop`: steps run one after another; a `sleep` or `relay` parks the queue on a timer or a
/// future, never the loop, and the steps behind it wait.
///
///     queue: [ping][sleep 100][ping] ─▶ write ─▶ park 100 ms ─▶ write ─▶ write
final class SerialSteps: StepRunner {
    /// Steps not yet run, and whether one is waiting on a timer or an upstream. While a read's steps
    /// run, the queue is a slice of that read's own array (no copy); once they have run it has no
    /// storage, so an idle connection holds none (a `CircularBuffer` kept 16 slots, 1,184 octets).
    private var queue = ArraySlice<ServerConnection.Step>()
    private var isWaiting = false

    var outstandingCount: Int { queue.count + (isWaiting ? 1 : 0) }
    var hasOutstandingWork: Bool { isWaiting || !queue.isEmpty }
    /// Steps the queue's storage has room for.
    var queueCapacity: Int { queue.capacity }

    func run(_ steps: [ServerConnection.Step], handler: ServerChannelHandler, context: ChannelHandlerContext) {
        if queue.isEmpty { queue = steps[...] } else { queue.append(contentsOf: steps) }
        runQueue(flushNow: false, handler: handler, context: context)
    }

    /// Runs queued steps until one has to wait. `flushNow: false` when called from `channelRead`, whose
    /// `channelReadComplete` flushes once for every read of the wake-up: NIO reads a full segment in
    /// several reads while the receive buffer grows, and the responses to all of them leave in one write.
    private func runQueue(flushNow: Bool, handler: ServerChannelHandler, context: ChannelHandlerContext) {
        while !isWaiting, let step = queue.popFirst() {
            switch step {
            case .dispatch(.respond(let response)):
                handler.write(response, context: context)
            case .dispatch(.sleep(let milliseconds, let response)):
                isWaiting = true
                let bound = NIOLoopBound((self, handler, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                    let (runner, handler, context) = bound.value
                    runner.resume(with: response, handler: handler, context: context)
                }
            case .dispatch(.relay(let call)):
                isWaiting = true
                let bound = NIOLoopBound((self, handler, context), eventLoop: context.eventLoop)
                EventLoopRelay.call(call, on: context.eventLoop).whenSuccess { response in
                    let (runner, handler, context) = bound.value
                    runner.resume(with: response, handler: handler, context: context)
                }
            case .dispatch(.close):
                queue = []
                handler.flushFrames(context: context)
                context.close(promise: nil)
                return
            case .finish(let response):
                queue = []
                handler.finish(response, context: context)
                return
            }
        }
        if queue.isEmpty { queue = [] }
        if flushNow { handler.flushFrames(context: context) }
        handler.closeIfIdle(context: context)
        handler.resumeReadingIfDrained(context: context)
    }

    private func resume(with response: Response, handler: ServerChannelHandler, context: ChannelHandlerContext) {
        isWaiting = false
        // The waited-for response leaves at once, not behind the frames of every request queued after it.
        handler.write(response, context: context)
        handler.flushFrames(context: context)
        runQueue(flushNow: true, handler: handler, context: context)
        // Idle time counts from the last response, not from the read before the wait (conn.idle-timeout).
        handler.armTimeout(context: context)
    }
}

/// `coroutine`: each step runs at once as a micro-thread (`MicroThreadScheduler`) and gets a sequence
/// number; finished responses wait in a reorder buffer until every earlier one has been written
/// (`conn.in-order`).
///
///     [sleep 100] #0 ─┐                         ┌─▶ write #0, #1, #2 in turn
///     [ping]      #1 ─┼─▶ micro-threads ─▶ reorder
///     [ping]      #2 ─┘
final class MicroThreadSteps: StepRunner {
    private let scheduler: MicroThreadScheduler
    /// The next sequence number to give and to write, and finished ones out of turn.
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: Completion] = [:]

    private enum Completion {
        case response(Response)
        case close(Response?)
    }

    init(scheduler: MicroThreadScheduler) { self.scheduler = scheduler }

    var outstandingCount: Int { nextSequence - nextToWrite }
    var hasOutstandingWork: Bool { nextToWrite < nextSequence }

    func run(_ steps: [ServerConnection.Step], handler: ServerChannelHandler, context: ChannelHandlerContext) {
        for step in steps { start(step, handler: handler, context: context) }
    }

    /// Starts `step` now; its completion is written in turn.
    private func start(_ step: ServerConnection.Step, handler: ServerChannelHandler, context: ChannelHandlerContext) {
        let sequence = nextSequence
        nextSequence += 1
        switch step {
        case .dispatch(.respond(let response)):
            complete(sequence, .response(response), flushNow: false, handler: handler, context: context)
        case .dispatch(.close):
            complete(sequence, .close(nil), handler: handler, context: context)
        case .finish(let response):
            complete(sequence, .close(response), handler: handler, context: context)
        case .dispatch(let outcome):
            let bound = NIOLoopBound((self, handler, context), eventLoop: context.eventLoop)
            scheduler.spawn { scheduler in
                let response = await scheduler.perform(outcome)
                let (runner, handler, context) = bound.value
                runner.complete(sequence, response.map { .response($0) } ?? .close(nil), handler: handler, context: context)
            }
        }
    }

    /// Records a finished step and writes every response now in turn. `flushNow: false` when called from
    /// `channelRead`, whose `channelReadComplete` flushes once for the whole read.
    private func complete(
        _ sequence: Int, _ completion: Completion, flushNow: Bool = true, handler: ServerChannelHandler,
        context: ChannelHandlerContext
    ) {
        finished[sequence] = completion
        var wrote = false
        while let next = finished.removeValue(forKey: nextToWrite) {
            nextToWrite += 1
            switch next {
            case .response(let response):
                handler.write(response, context: context)
                wrote = true
            case .close(let response):
                finished.removeAll()
                nextToWrite = Int.max
                handler.finish(response, context: context)
                return
            }
        }
        if wrote, flushNow {
            handler.flushFrames(context: context)
            // A micro-thread's late response: idle time counts from it (conn.idle-timeout).
            handler.armTimeout(context: context)
        }
        handler.closeIfIdle(context: context)
        if wrote { handler.resumeReadingIfDrained(context: context) }
    }
}
