import Foundation

/// Where the connections of the running case write their `WireLog`s: each `ProbeConnection` opened
/// while `record` is in progress gets a `WireTap` numbered in the order of opening, and every connect,
/// write, read, half-close and close it makes lands in that tap's log with its time since `record` began.
///
///     let (outcome, wire) = try WireRecorder.record { try checkCase.run(context) }
///
/// Outside `record` connections record nothing and cost nothing.
///
/// `@unchecked Sendable`: a case may use its connections from more than one thread; every access to
/// `taps` and to a tap's log goes through `lock`.
public final class WireRecorder: @unchecked Sendable {
    @TaskLocal static var current: WireRecorder?

    let start = ContinuousClock.now
    private let lock = NSLock()
    private var taps: [WireTap] = []

    /// Runs `body`, returning what it returned and the log of every connection opened in it, in order.
    public static func record<T>(_ body: () throws -> T) rethrows -> (T, [WireLog]) {
        let recorder = WireRecorder()
        let result = try $current.withValue(recorder, operation: body)
        return (result, recorder.logs)
    }

    /// Every connection's log so far.
    public var logs: [WireLog] {
        lock.withLock { taps.map(\.log) }
    }

    /// A tap for a connection just made, numbered after those before it, its log opened by `connected`.
    func open() -> WireTap {
        lock.withLock {
            let tap = WireTap(recorder: self, connection: taps.count + 1)
            taps.append(tap)
            tap.log.events.append(WireEvent(kind: .connected, milliseconds: milliseconds()))
            return tap
        }
    }

    /// Milliseconds since `record` began, fractions kept.
    func milliseconds() -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// Appends an event to `tap`'s log under the lock (a case may read one connection while it writes another).
    fileprivate func append(_ tap: WireTap, _ change: (inout WireLog) -> Void) {
        lock.withLock { change(&tap.log) }
    }
}

/// One connection's end of a `WireRecorder`: records its events, keeping at most `WireLog.octetLimit`
/// octets per direction and counting the rest.
///
/// `@unchecked Sendable`: its log is changed only through the recorder's `append`, under the recorder's
/// lock; its counters belong to the one connection that owns the tap.
final class WireTap: @unchecked Sendable {
    /// Weak: a connection may outlive its case, and then records nothing more.
    private weak var recorder: WireRecorder?
    fileprivate var log: WireLog
    private var keptSent = 0
    private var keptReceived = 0
    private var closed = false

    fileprivate init(recorder: WireRecorder, connection: Int) {
        self.recorder = recorder
        log = WireLog(connection: connection)
    }

    /// One write of `octets` (or of as many of them as went out before it failed).
    func sent<Octets: Collection>(_ octets: Octets) where Octets.Element == UInt8 {
        let kept = keep(octets, &keptSent)
        add(.sent, kept, octets.count)
    }

    /// One read that returned `octets`.
    func received<Octets: Collection>(_ octets: Octets) where Octets.Element == UInt8 {
        let kept = keep(octets, &keptReceived)
        add(.received, kept, octets.count)
    }

    /// The checker shut down its sending side, the server closed, or the server reset the connection.
    func event(_ kind: WireEvent.Kind) {
        add(kind, [], 0)
    }

    /// The checker closed the connection; recorded once, however often `close` is called.
    func closedByChecker() {
        guard !closed else { return }
        closed = true
        event(.closed)
    }

    private func keep<Octets: Collection>(_ octets: Octets, _ kept: inout Int) -> [UInt8] where Octets.Element == UInt8 {
        let room = WireLog.octetLimit - kept
        guard room > 0 else { return [] }
        let keptOctets = Array(octets.prefix(room))
        kept += keptOctets.count
        return keptOctets
    }

    private func add(_ kind: WireEvent.Kind, _ octets: [UInt8], _ count: Int) {
        guard let recorder else { return }
        let event = WireEvent(kind: kind, milliseconds: recorder.milliseconds(), octets: octets, octetCount: count)
        recorder.append(self) { $0.events.append(event) }
    }
}
