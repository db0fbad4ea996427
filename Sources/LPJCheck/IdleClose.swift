/// Whether a server's close of a connection the checker left idle may be its idle time-out
/// (`conn.idle-timeout.offer`), which is legal once the connection has been idle 1 s
/// (`conn.idle-timeout.minimum`).
///
/// Measured on the checker's own clock, in the server's favour: the server's idle time cannot have
/// begun before the checker's last write on the connection (or its connect), `ProbeConnection.lastSentAt`,
/// and its close came no later than the moment the checker saw it. So the idleness the server can have
/// seen is at most the time from that write to now.
enum IdleClose {
    /// Milliseconds from `lastSent`, the checker's last write on a connection (or its connect), to now:
    /// the longest the server can have seen that connection idle.
    static func longestIdleMilliseconds(since lastSent: ContinuousClock.Instant) -> Int {
        Int((ContinuousClock.now - lastSent).milliseconds)
    }

    /// Whether a close seen now, of a connection the checker last wrote to at `lastSent`, may be the
    /// server's idle time-out: it may have been idle at least 1 s, and at least the `idleTimeoutMs` the
    /// server states, when it states one. `lastSent` is taken before any write that met the close.
    static func mayBeIdleTimeOut(since lastSent: ContinuousClock.Instant, target: CheckTarget) -> Bool {
        let idle = longestIdleMilliseconds(since: lastSent)
        guard idle >= 1_000 else { return false }
        if case .milliseconds(let stated) = target.statedBound("idleTimeoutMs") { return idle >= stated }
        return true
    }
}
