import Foundation
import LPJSockets

/// `threaded`: a thread per connection, each running the blocking connection loop.
///
///     main thread: accept ─┬─▶ thread 1: serve connection 1
///                          ├─▶ thread 2: serve connection 2
///                          └─▶ ...
///
/// N connections cost N threads (and N stacks); a sleeping request blocks only its own thread.
enum ThreadedModel: ServerModelRunner {
    static let summary = "a thread per connection, blocking reads and writes"
    static let capabilities = ServerModelCapabilities(isConcurrent: true)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) {
        let active = ActiveCount()
        while let socket = nextConnection(on: listener, shutdown: shutdown) {
            guard active.value < configuration.maxConnections else {
                refuse(socket, configuration: configuration)
                continue
            }
            active.increment()
            let thread = Thread { [configuration, shutdown] in
                var connection = BlockingConnection(socket: socket, configuration: configuration, shutdown: shutdown)
                connection.serve()
                active.decrement()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        listener.close()
        active.waitForZero()
    }
}
