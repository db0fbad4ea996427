import LPJWire
import NIOCore

/// The `coroutine` model's scheduler: micro-threads on one event loop's thread, two run queues, and
/// the timing wheel.
///
///     request arrives ─▶ arrivals ─┐
///                                  ├─▶ run pass: every woken micro-thread first, then the new ones
///     reply / timer ──▶ woken ─────┘
///
/// A micro-thread is a task isolated to this actor, and the actor's executor is the event loop itself,
/// so every micro-thread runs on the loop's one thread. A micro-thread that waits (`sleep`, an upstream
/// call) suspends in `wait`, and the loop serves others meanwhile; the reply or timer that ends the wait
/// puts it on the woken queue. Each run pass resumes every woken micro-thread before it starts any newly
/// arrived one, so work already under way finishes before new work begins (the origin design's two run
/// queues). A request whose answer is ready at once (`ping`) needs no micro-thread: it would never wait.
actor MicroThreadScheduler {
    nonisolated let eventLoop: EventLoop
    /// The wheel behind `sleep`, upstream time-outs and idle connections.
    nonisolated let timers: EventLoopTimers
    /// Upstream connections of `relay`, shared by every connection of this loop.
    nonisolated let upstreams: UpstreamPool

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        eventLoop.executor.asUnownedSerialExecutor()
    }

    private var woken = CircularBuffer<() -> Void>()
    private var arrivals = CircularBuffer<MicroThread>()
    private var isPassScheduled = false
    /// Micro-threads resumed by the current pass that have not run yet.
    private var resuming = 0

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.timers = EventLoopTimers(eventLoop: eventLoop)
        self.upstreams = UpstreamPool(eventLoop: eventLoop)
    }

    // MARK: - Run queues

    /// A micro-thread's body: it runs isolated to the scheduler, on the loop's thread.
    typealias MicroThread = @Sendable (isolated MicroThreadScheduler) async -> Void

    /// Queues `body` as a new micro-thread; it starts in the next run pass, after every woken one.
    /// Call on the loop.
    nonisolated func spawn(_ body: @escaping MicroThread) {
        assumeIsolated { $0.arrive(body) }
    }

    private func arrive(_ body: @escaping MicroThread) {
        arrivals.append(body)
        schedulePass()
    }

    /// Queues a suspended micro-thread's resumption for the next run pass.
    fileprivate func wake(_ resume: @escaping () -> Void) {
        woken.append(resume)
        schedulePass()
    }

    private func schedulePass() {
        guard !isPassScheduled else { return }
        isPassScheduled = true
        eventLoop.execute { self.assumeIsolated { $0.runPass() } }
    }

    /// Resumes every woken micro-thread, and starts the new ones only once each of those has run again
    /// (`wait` reports it), however the concurrency runtime routes a resumption back to the loop.
    private func runPass() {
        isPassScheduled = false
        while let resume = woken.popFirst() {
            resuming += 1
            resume()
        }
        guard resuming == 0 else { return }
        while let body = arrivals.popFirst() {
            Task { await self.run(body) }
        }
    }

    /// A woken micro-thread runs again; once none is left to run, a pass starts the arrivals.
    private func didResume() {
        resuming -= 1
        if resuming == 0, !arrivals.isEmpty || !woken.isEmpty { schedulePass() }
    }

    private func run(_ body: MicroThread) async {
        await body(self)
    }

    // MARK: - Waiting

    /// Suspends the calling micro-thread until something calls the `WakeUp` handed to `register`; the
    /// first call decides the value, later ones are ignored (a reply that lost to its time-out).
    func wait<Value>(_ register: (WakeUp<Value>) -> Void) async -> Value {
        let value = await withCheckedContinuation { continuation in
            register(WakeUp(scheduler: self, continuation: continuation))
        }
        didResume()
        return value
    }

    /// Suspends the calling micro-thread for `milliseconds` (at least; the wheel's tick is 50 ms).
    func sleep(milliseconds: Int) async {
        await wait { (wakeUp: WakeUp<Void>) in
            timers.schedule(afterMilliseconds: milliseconds) { wakeUp.resume(()) }
        }
    }

    /// The micro-thread body for a request that has to wait: `sleep` or `relay`.
    func perform(_ outcome: DispatchOutcome) async -> Response? {
        switch outcome {
        case .respond(let response):
            return response
        case .sleep(let milliseconds, let response):
            await sleep(milliseconds: milliseconds)
            return response
        case .relay(let call):
            return await relay(call)
        case .close:
            return nil
        }
    }

    /// Calls the upstream and waits for its reply or the call's time-out, whichever comes first.
    func relay(_ call: RelayCall) async -> Response {
        await wait { (wakeUp: WakeUp<Response>) in
            let upstream = upstreams.connection(to: call)
            let timer = timers.schedule(afterMilliseconds: call.timeoutMilliseconds) {
                if wakeUp.resume(Response(error: RelayFailure.timedOut(call))) {
                    upstream.timedOut()
                    upstream.settle()
                }
            }
            upstream.call(call.request).whenComplete { [timers] result in
                let response: Response
                switch result {
                case .success(let reply): response = RelayFailure.passThrough(reply, call)
                case .failure(let error): response = Response(error: RelayFailure.wireError(error, call))
                }
                if wakeUp.resume(response) {
                    timers.cancel(timer)
                    upstream.settle()
                }
            }
        }
    }
}

/// Resumes one waiting micro-thread, once. Used on the loop only.
final class WakeUp<Value>: @unchecked Sendable {
    private let scheduler: MicroThreadScheduler
    private var continuation: CheckedContinuation<Value, Never>?

    fileprivate init(scheduler: MicroThreadScheduler, continuation: CheckedContinuation<Value, Never>) {
        self.scheduler = scheduler
        self.continuation = continuation
    }

    /// Puts the micro-thread on the woken queue with `value`; `false` if it was already woken.
    @discardableResult
    func resume(_ value: Value) -> Bool {
        guard let continuation else { return false }
        self.continuation = nil
        let box = UncheckedBox(value)
        scheduler.assumeIsolated { $0.wake { continuation.resume(returning: box.value) } }
        return true
    }
}

/// Carries a non-Sendable value across an isolation boundary that stays on one thread.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
