import LPJWire

/// Where a client connects and how it frames, with every default in one place.
public struct ClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The prefix order this client writes and expects. Default: little-endian (`order.little-default`).
    public var byteOrder: ByteOrder = .little
    /// The largest response body accepted (`conn.client-limit`). Default: 1 MiB.
    public var maxBodyLength = FrameConfiguration.defaultMaxBodyLength
    /// JSON nesting limit for responses.
    public var parser = JSONParser.Options()
    /// How long connecting may take.
    public var connectTimeoutMilliseconds = 5_000
    /// How long one response may take.
    public var callTimeoutMilliseconds = 10_000

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    var framing: FrameConfiguration { FrameConfiguration(byteOrder: byteOrder == .little ? .little : .big, maxBodyLength: maxBodyLength) }
}
