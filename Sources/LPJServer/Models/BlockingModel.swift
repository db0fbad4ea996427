import LPJSockets

/// `blocking`: one thread, one connection at a time; the others wait in the listen backlog.
///
///     accept ─▶ serve connection until it closes ─▶ accept ─▶ ...
///
/// A slow or stalled client holds up everyone behind it: that is the model, shown as it is. The
/// `prefork` model runs this same loop in each worker.
enum BlockingModel: ServerModelRunner {
    static let summary = "one thread, one connection at a time; the others wait in the backlog (the tutorial's server)"
    static let capabilities = ServerModelCapabilities(isConcurrent: false)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) {
        while let socket = nextConnection(on: listener, shutdown: shutdown) {
            var connection = BlockingConnection(socket: socket, configuration: configuration, shutdown: shutdown)
            connection.serve()
        }
    }
}
