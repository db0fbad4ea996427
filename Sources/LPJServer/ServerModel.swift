import ArgumentParser

/// The ways the reference server can serve connections. The CLI names are fixed: other tools depend on them.
public enum ServerModel: String, CaseIterable, Sendable, ExpressibleByArgument {
    case blocking
    case threaded
    case forking
    case prefork
    case eventLoop = "event-loop"
    case preforkEventLoop = "prefork-event-loop"
    case coroutine

    /// One line on what the model is, for `--help` and reports.
    public var summary: String {
        switch self {
        case .blocking: return "one thread, one connection at a time; the others wait in the backlog (the tutorial's server)"
        case .threaded: return "a thread per connection, blocking reads and writes"
        case .forking: return "a process per connection; the parent accepts and reaps every child"
        case .prefork: return "N worker processes accept on one shared listening socket; a dead worker is replaced"
        case .eventLoop: return "one process, one thread, non-blocking sockets with read and write buffers (SwiftNIO)"
        case .preforkEventLoop: return "N processes, each running its own event loop on the shared listening socket"
        case .coroutine: return "handlers run as micro-threads (Swift tasks) on one event-loop thread; waits never block it"
        }
    }

    /// Whether several connections are served at the same time.
    public var isConcurrent: Bool { self != .blocking }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
