import LPJWire

/// The server under test and what the probe learned about it before the cases ran.
public struct CheckTarget: Sendable {
    public var host: String
    public var port: Int
    /// The byte order the cases speak: pinned by `--byte-order`, or found by the probe.
    public var byteOrder: ByteOrder
    /// How long one exchange may take before the server counts as not answering.
    public var timeoutMilliseconds: Int
    /// The server's body limit: from `lpj.describe`, or the spec's recommended default when unknown.
    public var maxBody: Int = FrameConfiguration.defaultMaxBodyLength
    /// Whether `maxBody` came from the server itself.
    public var maxBodyIsStated = false

    /// The largest body the server is known to accept: its stated limit, or the 65,536 every receiver
    /// accepts when it states none.
    public var guaranteedBody: Int { maxBodyIsStated ? maxBody : FrameConfiguration.minimumMaxBodyLength }
    /// The methods `lpj.describe` listed, if the server has it.
    public var methods: [String]?
    /// The server answered pings in both byte orders: it detects the order per connection.
    public var detectsByteOrder = false
    /// The byte order the user says the server is configured with (`--byte-order`), or `nil` when unknown.
    public var configuredByteOrder: ByteOrderMode?
    /// The depth limit `lpj.describe` stated, if any.
    public var maxDepth: Int?
    /// The whole `lpj.describe` result, when the server has it.
    public var description: JSONValue?
    /// The user says the server runs with its default configuration (`--defaults`): only then are the
    /// spec's recommended defaults judged.
    public var runsDefaults = false
    /// The bodies of the frames the server sends on every new connection before any request (a greeting,
    /// which `conn.one-response.nothing-else` forbids; `message.silent-until-asked` reports it): set aside
    /// on each new connection, so that every other case judges the responses alone.
    public var greeting: [[UInt8]] = []
    /// The longest stated time bound the runner waits out to verify it (`--max-wait`); longer ones are not run.
    public var maxWaitMilliseconds = 10_000

    public init(host: String, port: Int, byteOrder: ByteOrder = .little, timeoutMilliseconds: Int = 2_000) {
        self.host = host
        self.port = port
        self.byteOrder = byteOrder
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// `host:port`.
    public var address: String { "\(host):\(port)" }

    /// Whether the server says it has `method` (unknown servers are assumed to have only `ping`).
    public func has(_ method: String) -> Bool { methods?.contains(method) ?? (method == "ping") }

    /// A member of the `lpj.describe` result, when stated.
    public func stated(_ member: String) -> JSONValue? { description?.objectValue?[member] }
}
