import CLPJSystem

#if canImport(Glibc)
import Glibc
#endif

/// The write end of the current process's signal pipe, for the C signal handler.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1
/// The write end of the current process's child-exit pipe.
nonisolated(unsafe) private var childPipeWriteEnd: Int32 = -1

/// SIGTERM and SIGINT (and SIGCHLD, for parents) turned into readable pipes, so a loop can wait on a
/// socket and on "stop now" with one `poll`.
///
/// A process's own signals write to its own pipe; a worker process also watches its parent's pipe, which
/// it inherits across `fork`, so one signal to the parent stops every worker (each after answering what
/// it has received), while a signal to one worker stops only that worker. Unchecked: `descriptors`
/// changes only in `becomeWorker`, in a freshly forked child before it starts any thread.
public final class ShutdownSignal: @unchecked Sendable {
    /// Descriptors that become readable when this process should stop.
    public private(set) var descriptors: [Int32]
    /// Readable when a child process has exited (parents only).
    public let childExited: Int32

    /// Installs the handlers for this process. Call once, before any thread or fork.
    public init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        var childFDs: [Int32] = [0, 0]
        pipe(&childFDs)
        for fd in fds + childFDs { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        descriptors = [fds[0]]
        signalPipeWriteEnd = fds[1]
        childPipeWriteEnd = childFDs[1]
        childExited = childFDs[0]
        Self.install(
            SIGTERM,
            handler: { _ in
                var byte: UInt8 = 1; _ = write(signalPipeWriteEnd, &byte, 1)
            })
        Self.install(
            SIGINT,
            handler: { _ in
                var byte: UInt8 = 1; _ = write(signalPipeWriteEnd, &byte, 1)
            })
        Self.install(
            SIGCHLD,
            handler: { _ in
                var byte: UInt8 = 1; _ = write(childPipeWriteEnd, &byte, 1)
            })
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these blocked (the mask survives exec): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in [SIGTERM, SIGINT, SIGCHLD] { sigaddset(&set, signalNumber) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// In a freshly forked worker: own signals go to a new pipe; the parent's pipe stays watched; the worker
    /// gets SIGTERM when the parent dies (Linux `PR_SET_PDEATHSIG`).
    public func becomeWorker(parent: pid_t) {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        signalPipeWriteEnd = fds[1]
        descriptors = [fds[0]] + descriptors
        Self.install(SIGCHLD, handler: nil)
        _ = clpj_set_parent_death_signal(SIGTERM)
        if getppid() != parent { trigger() }  // the parent died before the line above
    }

    /// Whether a stop was asked for (does not wait).
    public var isTriggered: Bool {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        return Glibc.poll(&entries, nfds_t(entries.count), 0) > 0
    }

    /// Asks this process to stop, as SIGTERM would.
    public func trigger() {
        var byte: UInt8 = 1
        _ = write(signalPipeWriteEnd, &byte, 1)
    }

    /// Empties the child-exit pipe after reaping.
    public func drainChildExited() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(childExited, &scratch, scratch.count) > 0 {}
    }

    private static func install(_ signalNumber: Int32, handler: (@convention(c) (Int32) -> Void)?) {
        var action = sigaction()
        if let handler {
            action.__sigaction_handler.sa_handler = handler
        } else {
            action.__sigaction_handler.sa_handler = SIG_DFL
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: blocking calls return EINTR
        sigaction(signalNumber, &action, nil)
    }
}

/// Waits until one of `descriptors` is readable: the readable ones, or `[]` on time-out (-1: forever).
public func waitReadable(_ descriptors: [Int32], timeoutMilliseconds: Int) -> [Int32] {
    var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let result = Glibc.poll(&entries, nfds_t(entries.count), Int32(clamping: timeoutMilliseconds))
    guard result > 0 else { return [] }
    return entries.filter { $0.revents != 0 }.map(\.fd)
}
