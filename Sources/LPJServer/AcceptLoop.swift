import Foundation
import LPJSockets

/// Waits for the next connection on `listener`, or for a stop: the connection, or `nil` once a stop was
/// asked for. `afterWake` runs after every wake-up (the forking parent reaps its children there). Several
/// processes may share `listener`: a wake-up another process answered first just waits again.
func nextConnection(
    on listener: Socket, shutdown: ShutdownSignal, alsoWatching extra: [Int32] = [],
    afterWake: () -> Void = {}
) -> Socket? {
    while true {
        let ready = waitReadable([listener.descriptor] + extra + shutdown.descriptors, timeoutMilliseconds: -1)
        afterWake()
        if shutdown.isTriggered { return nil }
        if ready.contains(listener.descriptor), let socket = try? listener.accept() { return socket }
    }
}

/// Closes a connection over the bound at once (`sec.connection-limit`).
func refuse(_ socket: Socket, configuration: ServerConfiguration) {
    configuration.logger.forConnection(peer: peerAddress(of: socket.descriptor))
        .info("connection refused: \(configuration.maxConnections) connections already (sec.connection-limit)")
    socket.close()
}

/// How many connection threads are still running. Unchecked: `count` is read and written only while
/// `condition` is locked.
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
