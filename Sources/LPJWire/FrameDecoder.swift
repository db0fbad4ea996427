import NIOCore

/// Cuts a byte stream into frame bodies.
///
///     +----+----+----+----+===========================+----+----+ ...
///     |   length (4 octets, unsigned)  |  body: length octets |   next prefix
///     +----+----+----+----+===========================+----+----+ ...
///
/// A small state machine (`waitingForPrefix`, `waitingForBody`) that returns `nil` ("need more") without
/// consuming anything until a whole prefix or body is there, so it accepts any split of the stream
/// (`frame.reads-are-partial`). The length is checked against the limit the moment the fourth prefix octet
/// arrives, before anything is allocated for the body (`frame.limit-before-allocation`).
///
/// It has the shape of NIO's `NIOSingleStepByteToMessageDecoder` (`decode`, `decodeLast`), and every user
/// calls those two directly on the octets it read, whatever the transport: the server engine
/// (`ServerConnection`, so every model), the clients, the load generator, the runner, and the tests,
/// which need no I/O at all.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    private enum State {
        case waitingForPrefix
        case waitingForBody(length: Int)
        /// A frame-level fault was thrown; the stream cannot be resynchronised.
        case failed
    }

    public let configuration: FrameConfiguration
    private var state = State.waitingForPrefix

    /// The byte order of this connection: fixed by the mode, or decided by the first prefix in `auto` mode.
    public private(set) var byteOrder: ByteOrder?
    /// In `auto` mode, whether the first prefix was ambiguous (`order.auto-algorithm`).
    public private(set) var byteOrderWasAmbiguous = false
    /// How many octets of the stream this decoder has consumed.
    public private(set) var streamOffset = 0
    /// How many complete frames it has returned.
    public private(set) var framesDecoded = 0

    public init(configuration: FrameConfiguration = FrameConfiguration()) {
        self.configuration = configuration
        self.byteOrder = configuration.byteOrder.fixedOrder
    }

    /// A decoder that stays in the middle of a partial frame, i.e. has bytes it still waits on.
    public var isInsideFrame: Bool {
        if case .waitingForBody = state { return true }
        return false
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        while true {
            switch state {
            case .failed:
                return nil
            case .waitingForPrefix:
                // The four octets as one integer, first octet highest: no array per frame.
                guard let word = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else { return nil }
                let (p0, p1, p2, p3) = (
                    UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
                    UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)
                )
                let order = self.order(forPrefix: p0, p1, p2, p3)
                let length = Int(order.value(p0, p1, p2, p3))
                guard length <= configuration.maxBodyLength else {
                    state = .failed
                    let diagnosis = LengthPrefixDiagnosis(octets: [p0, p1, p2, p3], order: order, limit: configuration.maxBodyLength)
                    throw WireError(.frameTooLarge, rule: .frameOversizeClose, diagnosis.description, offset: streamOffset)
                }
                buffer.moveReaderIndex(forwardBy: 4)
                streamOffset += 4
                state = .waitingForBody(length: length)
            case .waitingForBody(let length):
                guard let body = buffer.readSlice(length: length) else { return nil }
                streamOffset += length
                framesDecoded += 1
                state = .waitingForPrefix
                return body
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        if let body = try decode(buffer: &buffer) { return body }
        switch state {
        case .failed:
            return nil
        case .waitingForPrefix where buffer.readableBytes == 0:
            return nil
        case .waitingForPrefix:
            let got = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: got)
            throw WireError(
                .truncatedFrame, rule: .connEOFInsideFrame,
                "the stream ended inside a length prefix: got \(got) of 4 octets", offset: streamOffset + got)
        case .waitingForBody(let length):
            let got = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: got)
            state = .failed
            throw WireError(
                .truncatedFrame, rule: .connEOFInsideFrame,
                "the stream ended inside a body: got \(got) of \(length) octets", offset: streamOffset + got)
        }
    }

    /// The connection's byte order, deciding it from the prefix `p0 p1 p2 p3` in `auto` mode.
    private mutating func order(forPrefix p0: UInt8, _ p1: UInt8, _ p2: UInt8, _ p3: UInt8) -> ByteOrder {
        if let byteOrder { return byteOrder }
        let detection = ByteOrderDetection.detect(p0, p1, p2, p3, limit: configuration.maxBodyLength)
        byteOrder = detection.order
        byteOrderWasAmbiguous = detection.isAmbiguous
        return detection.order
    }
}
