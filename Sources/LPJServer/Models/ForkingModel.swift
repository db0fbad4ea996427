import CLPJSystem
import LPJSockets

#if canImport(Glibc)
import Glibc
#endif

/// `forking`: the parent accepts; each connection is served by a child process of its own.
///
///     parent: accept ─▶ fork ─┬─▶ child 1: serve connection 1, exit
///                             └─▶ child 2: serve connection 2, exit
///     parent: SIGCHLD ─▶ waitpid every exited child (no zombies)
///
/// A child that crashes takes only its own connection with it.
enum ForkingModel: ServerModelRunner {
    static let summary = "a process per connection; the parent accepts and reaps every child"
    static let capabilities = ServerModelCapabilities(isConcurrent: true, forks: true)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) {
        let parent = getpid()
        var children = Set<pid_t>()
        while let socket = nextConnection(
            on: listener, shutdown: shutdown, alsoWatching: [shutdown.childExited],
            afterWake: { reapExited(&children, shutdown: shutdown) })
        {
            guard children.count < configuration.maxConnections else {
                refuse(socket, configuration: configuration)
                continue
            }
            fflush(nil)  // every C output stream, before a fork copies its buffer or a reader waits for it
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
