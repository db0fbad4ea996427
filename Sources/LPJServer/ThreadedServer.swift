import Foundation
import LPJSockets

/// `threaded`: a thread per connection, each running the blocking connection loop.
///
///     main thread: accept ─┬─▶ thread 1: serve connection 1
///                          ├─▶ thread 2: serve connection 2
///                          └─▶ ...
///
/// N connections cost N threads (and N stacks); a sleeping request blocks only its own thread.
struct ThreadedServer {
    let listener: Socket
    let configuration: ServerConfiguration
    let shutdown: ShutdownSignal

    func run() {
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

/// Closes a connection over the bound at once (`sec.connection-limit`).
func refuse(_ socket: Socket, configuration: ServerConfiguration) {
    if configuration.verbose { printError("connection refused: \(configuration.maxConnections) connections already (sec.connection-limit)") }
    socket.close()
}

/// How many connection threads are still running.
final class ActiveCount: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0

    func increment() {
        condition.lock()
        count += 1
        condition.unlock()
    }

    func decrement() {
        condition.lock()
        count -= 1
        condition.broadcast()
        condition.unlock()
    }

    var value: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    func waitForZero() {
        condition.lock()
        while count > 0 { condition.wait() }
        condition.unlock()
    }
}
