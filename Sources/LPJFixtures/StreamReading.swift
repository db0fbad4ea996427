import LPJWire
import NIOCore

/// What the reference codec makes of a whole byte stream that ends with EOF: each complete frame's
/// message or refusal, and the frame-level fault that stopped it, if any.
///
///     25 00 00 00 {"params": ...}   10 00           <EOF>
///     └ frame 0: message            └ stop: truncated-frame at offset 43
public struct StreamReading: Sendable {
    /// One complete frame.
    public struct Frame: Sendable {
        /// Body octets.
        public var octets: Int
        /// The body itself.
        public var body: [UInt8]
        /// The parsed body, when the JSON parsed (even if the message is then refused).
        public var json: JSONValue?
        /// Why the frame's message was refused, if it was.
        public var refusal: WireError?
    }

    public var frames: [Frame] = []
    /// The frame-level fault (`frame-too-large`, `truncated-frame`) after which nothing more is read.
    public var stop: WireError?

    /// Reads `wire` as a receiver of `direction` messages with the given framing and depth limit.
    public init(
        wire: [UInt8], direction: FixtureDirection, framing: FrameConfiguration,
        parser: JSONParser.Options = JSONParser.Options()
    ) {
        var decoder = FrameDecoder(configuration: framing)
        var buffer = ByteBuffer(bytes: wire)
        do {
            while let body = try decoder.decode(buffer: &buffer) { frames.append(Self.read(body, direction, parser)) }
            while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { frames.append(Self.read(body, direction, parser)) }
        } catch let error as WireError {
            stop = error
        } catch {
            stop = WireError(.internalError, rule: .framePrefixSize, "\(error)")
        }
    }

    /// The first refusal anywhere in the stream: a frame's, or the stop.
    public var firstRefusal: WireError? {
        frames.lazy.compactMap(\.refusal).first ?? stop
    }

    private static func read(_ body: ByteBuffer, _ direction: FixtureDirection, _ options: JSONParser.Options) -> Frame {
        var frame = Frame(octets: body.readableBytes, body: Array(body.readableBytesView))
        do {
            switch direction {
            case .clientToServer:
                _ = try Request(body: body, options: options)
            case .serverToClient:
                _ = try Response(body: body, options: options)
            }
            frame.json = try JSONParser.parse(body, options: options)
        } catch let error as WireError {
            frame.refusal = error
            frame.json = try? JSONParser.parse(body, options: options)
        } catch {
            frame.refusal = WireError(.internalError, rule: .bodyJSONText, "\(error)")
        }
        return frame
    }
}
