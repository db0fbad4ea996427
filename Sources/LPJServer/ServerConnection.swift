import Foundation
import LPJWire
import NIOCore

/// The protocol side of one server connection, with no I/O: every model feeds it the bytes it reads and
/// writes the frames it returns.
///
///     bytes in ──▶ FrameDecoder ──▶ Request(body:) ──▶ MethodTable ──▶ Step
///                  frame-too-large ─▶ .finish(error reply)    EOF inside a frame ─▶ .finish(nil)
///
/// Steps come out in request order; a model that runs them one after another answers in order
/// (`conn.in-order`) with exactly one response each (`conn.one-response`).
public struct ServerConnection {
    /// One thing the model must do, in order.
    public enum Step {
        /// Carry out a method's outcome and send its response.
        case dispatch(DispatchOutcome)
        /// Send every earlier response, then this one if any, then close (`frame.oversize-close`,
        /// `conn.eof-inside-frame`).
        case finish(Response?)
    }

    public let configuration: ServerConfiguration
    private let methods: MethodTable
    private var decoder: FrameDecoder
    /// Set once a `.finish` step has been returned: nothing more is read.
    public private(set) var isFinished = false

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        self.methods = MethodTable(configuration: configuration)
        var framing = configuration.framing
        if configuration.fault == .limitOffByOne { framing.maxBodyLength -= 1 }
        self.decoder = FrameDecoder(configuration: framing)
    }

    /// Whether a partial frame is waiting for more octets (for `sec.slow-sender` time-outs).
    public var isInsideFrame: Bool { decoder.isInsideFrame }

    /// The steps for every complete frame now in `buffer`, which holds what was read and not yet consumed.
    public mutating func receive(_ buffer: inout ByteBuffer) -> [Step] {
        guard !isFinished else { return [] }
        if configuration.fault == .singleRead { return receiveAsOneFrame(&buffer) }
        if configuration.fault == .crashOnShortRead, (1..<4).contains(buffer.readableBytes), !decoder.isInsideFrame {
            // The tutorial's server: struct.unpack("I", recv(4)) raises on a short read, nothing catches it,
            // and the interpreter exits with status 1 after printing the error.
            printError("lpj serve: --fault crash-on-short-read: a read of \(buffer.readableBytes) octet(s) where a 4-octet prefix was expected; exiting")
            exit(1)
        }
        var steps: [Step] = []
        do {
            while let body = try decoder.decode(buffer: &buffer) { steps.append(step(for: body)) }
        } catch {
            steps.append(finish(error))
        }
        if configuration.fault == .reorderPipelined { steps.reverse() }
        return steps
    }

    /// The steps at EOF: frames still complete in `buffer`, then `.finish`.
    public mutating func receiveEOF(_ buffer: inout ByteBuffer) -> [Step] {
        guard !isFinished else { return [] }
        var steps = receive(&buffer)
        guard !isFinished else { return steps }
        do {
            while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { steps.append(step(for: body)) }
            isFinished = true
            steps.append(.finish(nil))
        } catch {
            steps.append(finish(error))
        }
        return steps
    }

    private mutating func finish(_ error: Error) -> Step {
        isFinished = true
        guard var error = error as? WireError, error.code == .frameTooLarge else { return .finish(nil) }
        // The decoder's offset counts from the start of the stream; no body was read, so the
        // response carries none (msg.error-response).
        error.offset = nil
        return .finish(Response(error: error))
    }

    private func step(for body: ByteBuffer) -> Step {
        do {
            let request = try Request(body: body, options: configuration.parser)
            let outcome = methods.dispatch(request)
            return .dispatch(outcome)
        } catch let error as WireError {
            return .dispatch(.respond(Response(error: error)))
        } catch {
            return .dispatch(.respond(Response(error: WireError(.internalError, rule: .msgErrorResponse, "\(error)"))))
        }
    }

    /// `--fault single-read`: the first four octets of each read are the prefix and the rest of that read
    /// is the body, whatever the prefix says; a frame split over two reads is lost.
    private mutating func receiveAsOneFrame(_ buffer: inout ByteBuffer) -> [Step] {
        guard buffer.readableBytes >= 4, let prefix = buffer.readBytes(length: 4) else {
            buffer.clear()
            return []
        }
        if decoder.byteOrder == nil, detectedOrder == nil {
            detectedOrder = ByteOrderDetection.detect(prefix[0], prefix[1], prefix[2], prefix[3], limit: configuration.framing.maxBodyLength).order
        }
        let order = byteOrder
        let length = Int(order.value(prefix[0], prefix[1], prefix[2], prefix[3]))
        let body = buffer.readSlice(length: min(length, buffer.readableBytes))!
        buffer.clear()
        return [step(for: body)]
    }

    // MARK: - Writing

    /// The connection's byte order: fixed by the mode, or what the first prefix showed in `auto` mode
    /// (`order.same-both-directions`).
    public var byteOrder: ByteOrder { decoder.byteOrder ?? detectedOrder ?? .little }

    /// Under `--fault single-read` in auto mode, the order the first prefix showed (the decoder is bypassed).
    private var detectedOrder: ByteOrder?

    /// The frame of `response`: prefix and body in one buffer (`frame.single-write`), with the
    /// configured fault applied.
    public func frame(_ response: Response, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        appendFrame(response, to: &buffer)
        return buffer
    }

    /// Appends the frame of `response` to `buffer`.
    public func appendFrame(_ response: Response, to buffer: inout ByteBuffer) {
        let body = configuration.fault == .nanOutput ? FaultyOutput.nanBody(response) : response.body()
        var order = byteOrder
        var length = body.count
        switch configuration.fault {
        case .bigEndianLength: order = order.swapped
        case .lengthInCharacters: length = String(decoding: body, as: UTF8.self).count
        default: break
        }
        buffer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: order == .little ? .little : .big)
        buffer.writeBytes(body)
    }

    /// Whether the model must write prefix and body separately, with Nagle on (`--fault split-writes`).
    public var splitsWrites: Bool { configuration.fault == .splitWrites }
}
