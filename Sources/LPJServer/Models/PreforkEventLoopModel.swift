import LPJSockets

/// `prefork-event-loop`: N worker processes, each running its own `event-loop` host on the one shared
/// listening socket.
///
///     parent ─┬─▶ worker 1: accept thread ─▶ event loop ─▶ connections
///             └─▶ worker N: accept thread ─▶ event loop ─▶ connections   (a dead worker is replaced)
enum PreforkEventLoopModel: ServerModelRunner {
    static let summary = "N processes, each running its own event loop on the shared listening socket"
    static let capabilities = ServerModelCapabilities(isConcurrent: true, forks: true, usesWorkers: true, usesEventLoop: true)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) {
        WorkerPool(configuration: configuration, shutdown: shutdown).run {
            do {
                try EventLoopHost(configuration: configuration, shutdown: shutdown, steps: .serial)
                    .run(listener: listener, shared: true)
            } catch {
                configuration.logger.error("worker stopped: \(error)")
            }
        }
    }
}
