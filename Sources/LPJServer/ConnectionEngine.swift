import LPJWire
import NIOCore

/// What a model's connection loop (`BlockingConnection`, `ServerChannelHandler`) drives: bytes in,
/// steps out, frames out. The conforming `ServerConnection`, or that engine inside a deliberate fault
/// (`FaultyConnection`); `connectionEngine(for:)` picks.
protocol ConnectionEngine {
    /// Whether a partial frame is waiting for more octets (for `sec.slow-sender` time-outs).
    var isInsideFrame: Bool { get }
    /// Why the stream could not be read on, once a `.finish` step for a frame error has been returned.
    var closingError: WireError? { get }
    /// Whether the model must write prefix and body separately, with Nagle on (`--fault split-writes`).
    var splitsWrites: Bool { get }
    /// The steps for every complete frame now in `buffer`.
    mutating func receive(_ buffer: inout ByteBuffer) -> [ServerConnection.Step]
    /// The steps for every complete frame now in `buffer`, the responses that can be sent at once
    /// appended to `output` as frames instead (`ServerConnection.receive(_:answeringInto:)`); a fault
    /// layer, which needs every response as a value, appends nothing.
    mutating func receive(_ buffer: inout ByteBuffer, answeringInto output: inout ByteBuffer) -> [ServerConnection.Step]
    /// The steps at EOF: frames still complete in `buffer`, then `.finish`.
    mutating func receiveEOF(_ buffer: inout ByteBuffer) -> [ServerConnection.Step]
    /// Appends the frame of `response` to `buffer`.
    func appendFrame(_ response: Response, to buffer: inout ByteBuffer)
}

extension ConnectionEngine {
    /// The frame of `response` in a buffer of its own.
    func frame(_ response: Response, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        appendFrame(response, to: &buffer)
        return buffer
    }
}

extension ServerConnection: ConnectionEngine {
    var splitsWrites: Bool { false }
}

/// The engine for one new connection: the conforming one, or the configured fault around it.
func connectionEngine(for configuration: ServerConfiguration) -> any ConnectionEngine {
    connectionEngine(shared: SharedConfiguration(configuration))
}

/// The engine for one new connection of a server whose connections share `shared`.
func connectionEngine(shared: SharedConfiguration) -> any ConnectionEngine {
    guard let fault = shared.configuration.fault else { return ServerConnection(shared: shared) }
    return FaultyConnection(fault: fault, shared: shared)
}
