import LPJSockets

/// One way of serving connections, in one file of its own under `Models/`: what it is, what it uses,
/// and how it runs once the listening socket is bound.
///
///     ReferenceServer: bind ─▶ listening line ─▶ ServerModel.runner.run(listener, ...) ─▶ stop ─▶ return
///
/// The shared machinery a model is made of lives beside this folder: the accept loop (`AcceptLoop`),
/// worker processes (`WorkerPool`), the SwiftNIO host (`EventLoopHost`) and the per-connection loops
/// (`BlockingConnection`, `ServerChannelHandler`) around the one protocol engine, `ServerConnection`.
protocol ServerModelRunner {
    /// One line on what the model is, for `--help` and reports.
    static var summary: String { get }
    /// What the model uses, for reports, scripts and tests that pick models by what they do.
    static var capabilities: ServerModelCapabilities { get }
    /// Serves connections on `listener` until `shutdown` fires, then answers every request it has fully
    /// received and returns. Runs before any thread or event loop exists, so a model may fork here.
    static func run(listener: Socket, configuration: ServerConfiguration, shutdown: ShutdownSignal) throws
}

/// What a server model uses to serve connections.
public struct ServerModelCapabilities: Sendable, Hashable {
    /// Several connections are served at the same time.
    public var isConcurrent: Bool
    /// Connections are served in child processes: one per connection, or one per worker.
    public var forks: Bool
    /// `--workers` sets how many processes serve (the prefork models).
    public var usesWorkers: Bool
    /// Connections are served by SwiftNIO event loops with non-blocking sockets.
    public var usesEventLoop: Bool
    /// Requests of one connection run as micro-threads, so several of them are in flight at once
    /// (a `relay` may call back into this same server without deadlock).
    public var runsMicroThreads: Bool

    public init(
        isConcurrent: Bool, forks: Bool = false, usesWorkers: Bool = false, usesEventLoop: Bool = false,
        runsMicroThreads: Bool = false
    ) {
        self.isConcurrent = isConcurrent
        self.forks = forks
        self.usesWorkers = usesWorkers
        self.usesEventLoop = usesEventLoop
        self.runsMicroThreads = runsMicroThreads
    }
}
