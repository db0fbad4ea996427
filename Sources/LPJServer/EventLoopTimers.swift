import LPJTimers
import NIOCore

/// The timing wheel (50 ms / 1 s / 1 min) driven by one event loop: the `coroutine` model's only timer
/// source, for `sleep`, upstream call time-outs and idle connections.
///
///     schedule(after: 120 ms) ─▶ due tick ⌈(now + 120 ms) / 50 ms⌉ ─▶ wheel
///     loop task at the wheel's next interesting tick ─▶ advance ─▶ fire due actions ─▶ re-arm
///
/// A timer never fires early and at most one tick (50 ms) late, plus whatever the loop is busy with.
/// Only one NIO task is ever scheduled, however many timers wait: at the next tick with a timer due in the
/// current second, or at the next second boundary, where the wheels cascade. Time is the loop's clock
/// (`EventLoop.now`: the system's on a real loop, moved by hand on an `EmbeddedEventLoop`). Used on the
/// loop only.
final class EventLoopTimers: @unchecked Sendable {
    typealias Action = () -> Void
    typealias Timer = TimingWheel<Action>.Timer

    /// One tick of the lowest wheel.
    static let tickNanoseconds: Int64 = 50_000_000

    let eventLoop: EventLoop
    private let origin: NIODeadline
    private var wheel = TimingWheel<Action>()
    private var armed: (tick: UInt64, task: Scheduled<Void>)?

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.origin = eventLoop.now
    }

    /// Timers waiting to fire.
    var count: Int { wheel.count }

    /// Runs `action` on the loop once `milliseconds` have passed.
    @discardableResult
    func schedule(afterMilliseconds milliseconds: Int, _ action: @escaping Action) -> Timer {
        eventLoop.preconditionInEventLoop()
        let now = elapsedNanoseconds()
        if wheel.isEmpty { wheel.advance(to: UInt64(now / Self.tickNanoseconds)) { _ in } }
        let dueNanoseconds = now + Int64(max(milliseconds, 0)) * 1_000_000
        let due = UInt64((dueNanoseconds + Self.tickNanoseconds - 1) / Self.tickNanoseconds)
        let timer = wheel.schedule(action, at: due)
        arm()
        return timer
    }

    /// Stops `timer` from firing; harmless if it already fired.
    func cancel(_ timer: Timer) {
        eventLoop.preconditionInEventLoop()
        wheel.cancel(timer)
    }

    /// Drops every timer unfired: the loop is stopping.
    func cancelAll() {
        eventLoop.preconditionInEventLoop()
        wheel = TimingWheel<Action>()
        armed?.task.cancel()
        armed = nil
    }

    private func elapsedNanoseconds() -> Int64 {
        (eventLoop.now - origin).nanoseconds
    }

    /// Makes sure a loop task runs at the wheel's next interesting tick.
    private func arm() {
        guard let tick = wheel.nextInterestingTick else {
            armed?.task.cancel()
            armed = nil
            return
        }
        if let armed, armed.tick <= tick { return }
        armed?.task.cancel()
        let deadline = origin + .nanoseconds(Int64(tick) * Self.tickNanoseconds)
        let task = eventLoop.scheduleTask(deadline: deadline) { [self] in
            self.armed = nil
            self.fire()
        }
        armed = (tick, task)
    }

    private func fire() {
        var due: [Action] = []
        wheel.advance(to: UInt64(elapsedNanoseconds() / Self.tickNanoseconds)) { due.append($0) }
        for action in due { action() }
        arm()
    }
}
