import LPJWire
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A conforming `ServerConnection` inside one deliberate bug (`lpj serve --fault NAME`): the fault
/// changes what comes in before the engine sees it, or what goes out after the engine has answered,
/// so the engine itself has no fault in it.
///
///     bytes in ─▶ [single-read, crash-on-short-read] ─▶ ServerConnection ─▶ steps
///     steps ─▶ [no-error-reply, reorder-pipelined] ─▶ model ─▶ [nan-output, big-endian-length,
///                                                              length-in-characters, split-writes] ─▶ out
///
/// `limit-off-by-one` gives the engine's decoder a limit one octet lower than the configured one, which
/// `lpj.describe` still states.
struct FaultyConnection: ConnectionEngine {
    let fault: ServerFault
    private var engine: ServerConnection
    /// Under `single-read` in auto mode, the order the first prefix showed (the engine's decoder is bypassed).
    private var detectedOrder: ByteOrder?

    init(fault: ServerFault, shared: SharedConfiguration) {
        self.fault = fault
        var framing = shared.configuration.framing
        if fault == .limitOffByOne { framing.maxBodyLength -= 1 }
        self.engine = ServerConnection(shared: shared, enforcing: framing)
    }

    init(fault: ServerFault, configuration: ServerConfiguration) {
        self.init(fault: fault, shared: SharedConfiguration(configuration))
    }

    var isInsideFrame: Bool { engine.isInsideFrame }

    var closingError: WireError? { engine.closingError }

    var splitsWrites: Bool { fault == .splitWrites }

    /// Whether the connections of `configuration` keep Nagle's algorithm on (`split-writes`), for the
    /// event-loop host, which sets `TCP_NODELAY` on every connection it accepts.
    static func turnsNagleOn(_ configuration: ServerConfiguration) -> Bool { configuration.fault == .splitWrites }

    mutating func receive(_ buffer: inout ByteBuffer) -> [ServerConnection.Step] {
        switch fault {
        case .singleRead:
            return receiveAsOneFrame(&buffer)
        case .crashOnShortRead where (1..<4).contains(buffer.readableBytes) && !engine.isInsideFrame:
            // The tutorial's server: struct.unpack("I", recv(4)) raises on a short read, nothing catches it,
            // and the interpreter exits with status 1 after printing the error.
            printError("lpj serve: --fault crash-on-short-read: a read of \(buffer.readableBytes) octet(s) where a 4-octet prefix was expected; exiting")
            exit(1)
        default:
            var steps = engine.receive(&buffer).map(answeringUnknownMethodsByClosing)
            if fault == .reorderPipelined { steps.reverse() }
            return steps
        }
    }

    /// Every response as a step: the faults change responses as values.
    mutating func receive(_ buffer: inout ByteBuffer, answeringInto output: inout ByteBuffer) -> [ServerConnection.Step] {
        receive(&buffer)
    }

    mutating func receiveEOF(_ buffer: inout ByteBuffer) -> [ServerConnection.Step] {
        let steps = receive(&buffer)
        return steps + engine.receiveEOF(&buffer).map(answeringUnknownMethodsByClosing)
    }

    func appendFrame(_ response: Response, to buffer: inout ByteBuffer) {
        let body = fault == .nanOutput ? FaultyOutput.nanBody(response) : response.body()
        let order = engine.decodedByteOrder ?? detectedOrder ?? .little
        switch fault {
        case .bigEndianLength:
            FrameEncoder(byteOrder: order.swapped).write(to: &buffer) { $0.writeBytes(body) }
        case .lengthInCharacters:
            buffer.writeBytes(FrameEncoder(byteOrder: order).prefix(forLength: String(decoding: body, as: UTF8.self).count))
            buffer.writeBytes(body)
        default:
            FrameEncoder(byteOrder: order).write(to: &buffer) { $0.writeBytes(body) }
        }
    }

    /// `no-error-reply`: the connection closes where the engine answers an unknown method.
    private func answeringUnknownMethodsByClosing(_ step: ServerConnection.Step) -> ServerConnection.Step {
        guard fault == .noErrorReply, case .dispatch(.respond(let response)) = step,
            response.errorResult?.registeredCode == .unknownMethod
        else { return step }
        return .dispatch(.close)
    }

    /// `single-read`: the first four octets of each read are the prefix and the rest of that read is the
    /// body, whatever the prefix says; a frame split over two reads is lost.
    private mutating func receiveAsOneFrame(_ buffer: inout ByteBuffer) -> [ServerConnection.Step] {
        guard buffer.readableBytes >= 4, let prefix = buffer.readBytes(length: 4) else {
            buffer.clear()
            return []
        }
        let configured = engine.configuration.framing
        if configured.byteOrder == .auto, detectedOrder == nil {
            detectedOrder = ByteOrderDetection.detect(prefix[0], prefix[1], prefix[2], prefix[3], limit: configured.maxBodyLength).order
        }
        let order = engine.decodedByteOrder ?? detectedOrder ?? .little
        let length = Int(order.value(prefix[0], prefix[1], prefix[2], prefix[3]))
        let body = buffer.readSlice(length: min(length, buffer.readableBytes))!
        buffer.clear()
        return [engine.step(for: body)]
    }
}
