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
        while let socket = nextConnection(on: listener, shutdown: shutdown) {
            var connection = BlockingConnection(socket: socket, configuration: configuration, shutdown: shutdown)
            connection.serve()
        }
    }
}

/// Waits for the next connection on `listener`, or for a stop: the connection, or `nil` once a stop was
/// asked for. `afterWake` runs after every wake-up (the forking parent reaps its children there). Several
/// processes may share `listener`: a wake-up another process answered first just waits again.
func nextConnection(on listener: Socket, shutdown: ShutdownSignal, alsoWatching extra: [Int32] = [],
                    afterWake: () -> Void = {}) -> Socket? {
    while true {
        let ready = waitReadable([listener.descriptor] + extra + shutdown.descriptors, timeoutMilliseconds: -1)
        afterWake()
        if shutdown.isTriggered { return nil }
        if ready.contains(listener.descriptor), let socket = try? listener.accept() { return socket }
    }
}
