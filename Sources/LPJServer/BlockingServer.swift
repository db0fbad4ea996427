import LPJSockets

/// `blocking`: one thread, one connection at a time; the others wait in the listen backlog.
///
///     accept ─▶ serve connection until it closes ─▶ accept ─▶ ...
///
/// A slow or stalled client holds up everyone behind it: that is the model, shown as it is. The
/// `prefork` model runs this same loop in each worker.
struct BlockingServer {
    let listener: Socket
    let configuration: ServerConfiguration
    let shutdown: ShutdownSignal

    func run() {
        while true {
            let ready = waitReadable([listener.descriptor] + shutdown.descriptors, timeoutMilliseconds: -1)
            if shutdown.isTriggered { return }
            guard ready.contains(listener.descriptor), let socket = try? listener.accept() else { continue }
            var connection = BlockingConnection(socket: socket, configuration: configuration, shutdown: shutdown)
            connection.serve()
        }
    }
}
