#if canImport(Glibc)
import Glibc
#endif
import CLPJSystem
import LPJSockets

/// `forking`: the parent accepts; each connection is served by a child process of its own.
///
///     parent: accept ─▶ fork ─┬─▶ child 1: serve connection 1, exit
///                             └─▶ child 2: serve connection 2, exit
///     parent: SIGCHLD ─▶ waitpid every exited child (no zombies)
///
/// A child that crashes takes only its own connection with it.
struct ForkingServer {
    let listener: Socket
    let configuration: ServerConfiguration
    let shutdown: ShutdownSignal

    func run() {
        let parent = getpid()
        var children = Set<pid_t>()
        while let socket = nextConnection(on: listener, shutdown: shutdown, alsoWatching: [shutdown.childExited],
                                          afterWake: { reapExited(&children, shutdown: shutdown) }) {
            guard children.count < configuration.maxConnections else {
                refuse(socket, configuration: configuration)
                continue
            }
            fflush(stdout)
            let pid = clpj_fork()
            if pid == 0 {
                shutdown.becomeWorker(parent: parent)
                listener.close()
                var connection = BlockingConnection(socket: socket, configuration: configuration, shutdown: shutdown)
                connection.serve()
                _exit(0)
            }
            if pid > 0 { children.insert(pid) }
            socket.close()
        }
        listener.close()
        waitForAll(&children)
    }
}

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
            fflush(stdout)
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
                if configuration.verbose { printError("worker \(pid) exited; starting a replacement") }
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
