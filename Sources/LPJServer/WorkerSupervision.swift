import CLPJSystem
import LPJSockets

#if canImport(Glibc)
import Glibc
#endif

/// The parent of the prefork models: starts N workers, replaces any that dies, and on SIGTERM waits for
/// all of them to finish what they have received.
///
///     parent ─┬─▶ worker 1 ─┐
///             ├─▶ worker 2 ─┼─ each accepts on the one shared listening socket
///             └─▶ worker N ─┘
struct WorkerPool {
    let configuration: ServerConfiguration
    let shutdown: ShutdownSignal

    func run(worker: () -> Void) {
        let parent = getpid()
        var workers = Set<pid_t>()
        func spawn() {
            fflush(nil)  // every C output stream, before a fork copies its buffer or a reader waits for it
            let pid = clpj_fork()
            if pid == 0 {
                shutdown.becomeWorker(parent: parent)
                worker()
                _exit(0)
            }
            if pid > 0 { workers.insert(pid) }
        }
        for _ in 0..<max(1, configuration.workers) { spawn() }
        while true {
            _ = waitReadable([shutdown.childExited] + shutdown.descriptors, timeoutMilliseconds: -1)
            let exited = reapExited(&workers, shutdown: shutdown)
            if shutdown.isTriggered { break }
            for pid in exited {
                configuration.logger.notice("worker \(pid) exited; starting a replacement")
                spawn()
            }
        }
        waitForAll(&workers)
    }
}

/// Reaps every exited child without blocking; returns their pids.
@discardableResult
func reapExited(_ children: inout Set<pid_t>, shutdown: ShutdownSignal) -> [pid_t] {
    shutdown.drainChildExited()
    var exited: [pid_t] = []
    while true {
        var status: Int32 = 0
        let pid = waitpid(-1, &status, WNOHANG)
        guard pid > 0 else { break }
        children.remove(pid)
        exited.append(pid)
    }
    return exited
}

/// Waits for every child to exit. They watch the parent's stop pipe, so each finishes its connection first.
func waitForAll(_ children: inout Set<pid_t>) {
    while !children.isEmpty {
        var status: Int32 = 0
        let pid = waitpid(-1, &status, 0)
        if pid > 0 { children.remove(pid) } else if errno == ECHILD { break }
    }
}
