import LPJSockets

/// `prefork`: N worker processes, each running the `blocking` loop on the one shared listening socket.
///
///     parent ─┬─▶ worker 1: accept ─▶ serve ─▶ accept ...
///             └─▶ worker N: accept ─▶ serve ─▶ accept ...   (a dead worker is replaced)
///
/// N connections are served at once; the N+1st waits in the backlog for a free worker.
enum PreforkModel: ServerModelRunner {
    static let summary = "N worker processes accept on one shared listening socket; a dead worker is replaced"
    static let capabilities = ServerModelCapabilities(isConcurrent: true, forks: true, usesWorkers: true)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) {
        WorkerPool(configuration: configuration, shutdown: shutdown).run {
            BlockingModel.run(listener: listener, configuration: configuration, shutdown: shutdown)
        }
    }
}
