import Foundation

/// One deadline for everything a case does on the wire: every connect, send and read of every
/// `ProbeConnection` opened while `run` is in progress waits at most until it, so a case ends within
/// its budget however many exchanges it makes and whatever the server does (answers nothing, reads
/// nothing, trickles one octet at a time).
///
///     CaseDeadline.run(milliseconds: 2_500) { try checkCase.run(context) }
///
/// Outside `run` there is no deadline: each operation keeps only its own time-out. Nested calls keep the
/// earlier of the two deadlines.
public enum CaseDeadline {
    @TaskLocal static var current: ContinuousClock.Instant?

    /// Runs `body` with every probe operation in it bounded by `milliseconds` from now.
    public static func run<T>(milliseconds: Int, _ body: () throws -> T) rethrows -> T {
        var deadline = ContinuousClock.now.advanced(by: .milliseconds(max(0, milliseconds)))
        if let outer = current, outer < deadline { deadline = outer }
        return try $current.withValue(deadline, operation: body)
    }

    /// Milliseconds left of the current deadline, or `nil` outside `run`.
    public static var remainingMilliseconds: Int? {
        guard let current else { return nil }
        let left = current - ContinuousClock.now
        return max(0, Int(left.components.seconds) * 1_000 + Int(left.components.attoseconds / 1_000_000_000_000_000))
    }

    /// `milliseconds`, cut to what is left of the current deadline.
    static func clamp(_ milliseconds: Int) -> Int {
        guard let remaining = remainingMilliseconds else { return milliseconds }
        return min(milliseconds, remaining)
    }
}
