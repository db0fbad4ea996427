import LPJWire
import Logging

/// Everything a server is started with, with every default in one place.
public struct ServerConfiguration: Sendable {
    /// The address to listen on. Default: loopback.
    public var host: String = "127.0.0.1"
    /// The port; 0 lets the kernel pick (the listening line says which). Default: 8080, the legacy port.
    public var port: Int = 8080
    /// How connections are served. Default: `event-loop`, fast and concurrent with one process.
    public var model: ServerModel = .eventLoop
    /// Worker processes for the prefork models. Default: 2.
    public var workers: Int = 2
    /// Byte order and body limit (`order.little-default`, `frame.max-size-configurable`).
    public var framing = FrameConfiguration()
    /// JSON nesting limit (`body.nesting-limit`).
    public var parser = JSONParser.Options()
    /// Close a connection idle this long with nothing outstanding (`conn.idle-timeout`); `nil` never.
    public var idleTimeoutMilliseconds: Int? = nil
    /// Close a connection whose partial frame has waited this long (`sec.slow-sender`); `nil` never.
    public var partialFrameTimeoutMilliseconds: Int? = 30_000
    /// Close a connection whose responses have waited this long for a reader without write progress
    /// (`sec.slow-reader`): the transport accepted none of their octets. `nil` never. Values under
    /// 10,000 break `sec.slow-reader.minimum` and exist for tests.
    public var slowReaderMilliseconds: Int? = 30_000
    /// Connections served at once by one process (`sec.connection-limit`); one more is closed at once,
    /// and the connections already served see nothing. `blocking` and `prefork` serve one connection
    /// per process and need no bound. Default: 10,000.
    public var maxConnections = 10_000
    /// The upstreams `relay` may call (`ext.relay.upstreams`). Default: loopback only.
    public var relayAllowList = RelayAllowList()
    /// A deliberate bug to show, or `nil` for a conforming server.
    public var fault: ServerFault? = nil
    /// What the server logs to standard error: `info` logs time-outs, refusals and workers replaced;
    /// `debug` adds connections opened and closed and every protocol error. Default: `info`.
    public var logLevel: Logger.Level = .info

    public init() {}
}
