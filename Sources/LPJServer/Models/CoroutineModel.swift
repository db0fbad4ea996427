import LPJSockets

/// `coroutine`: the `event-loop` host, with each request run as a micro-thread (a task on the loop's
/// thread, `MicroThreadScheduler`), so many requests of one connection are in flight at once and their
/// responses still leave in order.
///
///     epoll ─▶ readable ─▶ ServerChannelHandler ─▶ a micro-thread per request ─▶ reorder ─▶ send
///
/// Timers (`sleep`, idle and slow-sender bounds) live on the scheduler's timing wheel; `relay` shares one
/// upstream pool per loop.
enum CoroutineModel: ServerModelRunner {
    static let summary = "handlers run as micro-threads (Swift tasks) on one event-loop thread; waits never block it"
    static let capabilities = ServerModelCapabilities(isConcurrent: true, usesEventLoop: true, runsMicroThreads: true)

    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) throws {
        try EventLoopHost(configuration: configuration, shutdown: shutdown, steps: .microThreads)
            .run(listener: listener, shared: false)
    }
}
