/// The ways the reference server can serve connections. The CLI names are fixed: other tools depend on
/// them, and take the list from `lpj serve --list-models`.
///
/// Each model is one file under `Models/`; adding one is that file and one case here, mapped in `runner`.
public enum ServerModel: String, CaseIterable, Sendable {
    case blocking
    case threaded
    case forking
    case prefork
    case eventLoop = "event-loop"
    case preforkEventLoop = "prefork-event-loop"
    case coroutine

    /// The model's implementation.
    var runner: any ServerModelRunner.Type {
        switch self {
        case .blocking: return BlockingModel.self
        case .threaded: return ThreadedModel.self
        case .forking: return ForkingModel.self
        case .prefork: return PreforkModel.self
        case .eventLoop: return EventLoopModel.self
        case .preforkEventLoop: return PreforkEventLoopModel.self
        case .coroutine: return CoroutineModel.self
        }
    }

    /// One line on what the model is, for `--help` and reports.
    public var summary: String { runner.summary }

    /// What the model uses.
    public var capabilities: ServerModelCapabilities { runner.capabilities }

    /// Whether several connections are served at the same time.
    public var isConcurrent: Bool { capabilities.isConcurrent }
}
