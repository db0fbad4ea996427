import LPJSockets
import LPJWire

#if canImport(Glibc)
import Glibc
#endif

/// Starts the reference server in its configured model and runs it until SIGTERM or SIGINT, after which
/// it stops accepting, answers every request it has fully received, and returns (exit status 0).
public enum ReferenceServer {
    /// Runs the server. `announce` gets the one line saying where it listens, once the socket is bound.
    ///
    /// Process models fork here, before any thread, event loop or runtime singleton exists: a child of
    /// a multi-threaded process inherits only the forking thread, so locks held by the others would stay
    /// locked forever in the child.
    public static func run(_ configuration: ServerConfiguration, announce: (String) -> Void) throws {
        let shutdown = ShutdownSignal()
        let listener = try Socket.listen(host: configuration.host, port: configuration.port)
        listener.setNonBlocking()
        var line = "lpj serve: listening on \(HostPort(host: configuration.host, port: listener.localPort)) (model \(configuration.model.rawValue)"
        if configuration.model.capabilities.usesWorkers { line += ", \(configuration.workers) workers" }
        line += ", byte order \(configuration.framing.byteOrder), max body \(configuration.framing.maxBodyLength)"
        if let fault = configuration.fault { line += ", FAULT \(fault.rawValue)" }
        line += ", pid \(getpid()))"
        announce(line)
        fflush(nil)  // every C output stream, before a fork copies its buffer or a reader waits for it

        try configuration.model.runner.run(listener: listener, configuration: configuration, shutdown: shutdown)
    }
}
