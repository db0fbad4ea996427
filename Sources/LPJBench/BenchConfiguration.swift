import LPJWire

/// One load run: where, how much, what to send. Every default in one place.
public struct BenchConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Connections opened at the start and kept for the whole run.
    public var connections = 1
    /// Requests in flight per connection: each response sends the next request on its connection.
    public var depth = 1
    /// Seconds measured, after the warm-up.
    public var durationSeconds = 5.0
    /// Seconds of load before measuring starts; their responses are checked but not counted.
    public var warmupSeconds = 1.0
    /// The method called, and its params. A `ping` reply must echo the params (`msg.value-equality`);
    /// any other method's reply must not be an error response.
    public var method = "ping"
    public var params: JSONValue = .object([:])
    /// Prefix order of requests and responses.
    public var byteOrder: ByteOrder = .little
    /// How long, after the run, in-flight requests may take before they count as unanswered.
    public var drainSeconds = 1.0

    public init() {}

    /// The request every connection sends, framed.
    var frame: [UInt8] {
        FrameEncoder(byteOrder: byteOrder).frame(Request(method: method, params: params).body())
    }
}
