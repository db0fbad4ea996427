import LPJSockets

/// `event-loop`: one process, one SwiftNIO event loop on one thread, non-blocking sockets with read and
/// write buffers.
///
///     epoll ─▶ readable ─▶ ServerChannelHandler ─▶ steps, one after another ─▶ write buffer ─▶ send
///
/// Each connection runs its steps in order; a `sleep` or `relay` parks that connection's queue on a timer
/// or a future, never the loop.
enum EventLoopModel: ServerModelRunner {
    static let summary = "one process, one thread, non-blocking sockets with read and write buffers (SwiftNIO)"
    static let capabilities = ServerModelCapabilities(isConcurrent: true, usesEventLoop: true)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) throws {
        try EventLoopHost(configuration: configuration, shutdown: shutdown, steps: .serial)
            .run(listener: listener, shared: false)
    }
}
