import LPJWire
import NIOCore

/// The protocol side of one server connection, with no I/O: every model feeds it the bytes it reads and
/// writes the frames it returns.
///
///     bytes in ──▶ FrameDecoder ──▶ Request(body:) ──▶ MethodTable ──▶ Step
///                  frame-too-large ─▶ .finish(error reply)    EOF inside a frame ─▶ .finish(nil)
///     Response ──▶ body ──▶ FrameEncoder (the connection's byte order) ──▶ prefix + body, one buffer
///
/// The event-loop models read through `receive(_:answeringInto:)`, where the responses that can go at
/// once are appended as frames, and a `ping` that `PingEcho` can judge in one pass is answered from its
/// octets without a `Request` or a `Response`:
///
///     bytes in ──▶ FrameDecoder ──▶ PingEcho ──▶ pong frame          (or, for any other body:)
///                                  └──▶ Request(body:) ──▶ MethodTable ──▶ frame, or a Step that waits
///
/// Steps come out in request order; a model that runs them one after another answers in order
/// (`conn.in-order`) with exactly one response each (`conn.one-response`). It is the conforming engine
/// only: a deliberate fault (`--fault`) is a layer around it (`FaultyConnection`).
public struct ServerConnection {
    /// One thing the model must do, in order.
    public enum Step {
        /// Carry out a method's outcome and send its response.
        case dispatch(DispatchOutcome)
        /// Send every earlier response, then this one if any, then close (`frame.oversize-close`,
        /// `conn.eof-inside-frame`).
        case finish(Response?)
    }

    /// The server's configuration, shared with every other connection through `methods`.
    public var configuration: ServerConfiguration { methods.configuration }
    private let methods: MethodTable
    private var decoder: FrameDecoder
    /// Set once a `.finish` step has been returned: nothing more is read.
    public private(set) var isFinished = false
    /// Why the stream could not be read on, once a `.finish` step for a frame error has been returned.
    public private(set) var closingError: WireError?

    public init(configuration: ServerConfiguration) {
        self.init(shared: SharedConfiguration(configuration))
    }

    /// An engine reading the configuration every connection of its server shares; its decoder enforces
    /// `framing` (by default the configured one; one octet lower under the `limit-off-by-one` fault,
    /// while `lpj.describe` states the configured framing).
    init(shared: SharedConfiguration, enforcing framing: FrameConfiguration? = nil) {
        self.methods = MethodTable(shared: shared)
        self.decoder = FrameDecoder(configuration: framing ?? shared.configuration.framing)
    }

    /// Whether a partial frame is waiting for more octets (for `sec.slow-sender` time-outs).
    public var isInsideFrame: Bool { decoder.isInsideFrame }

    /// The steps for every complete frame now in `buffer`, which holds what was read and not yet consumed.
    public mutating func receive(_ buffer: inout ByteBuffer) -> [Step] {
        guard !isFinished else { return [] }
        var steps: [Step] = []
        do {
            while let body = try decoder.decode(buffer: &buffer) { steps.append(step(for: body)) }
        } catch {
            steps.append(finish(error))
        }
        return steps
    }

    /// The steps for every complete frame now in `buffer`, where the responses that can be sent at once
    /// are not steps: their frames (prefix and body, in the connection's byte order) are appended to
    /// `output`, up to the first request that has to wait (a `sleep`, a `relay`) or a frame error. That
    /// step and every one after it are returned, in order, as `receive(_:)` returns them.
    ///
    ///     [ping][bad json][ping][sleep 100][ping]  ─▶  output: pong, error, pong   steps: sleep, ping
    ///
    /// Only for a model with nothing outstanding: what is appended to `output` goes out before any
    /// step it still has to run. No `Response` value is made for the frames appended.
    public mutating func receive(_ buffer: inout ByteBuffer, answeringInto output: inout ByteBuffer) -> [Step] {
        guard !isFinished else { return [] }
        var steps: [Step] = []
        do {
            while let body = try decoder.decode(buffer: &buffer) {
                guard steps.isEmpty else {
                    steps.append(step(for: body))
                    continue
                }
                if answersPing(body, into: &output) { continue }
                switch outcome(for: body) {
                case .respond(let response): appendFrame(response, to: &output)
                case let outcome: steps.append(.dispatch(outcome))
                }
            }
        } catch {
            steps.append(finish(error))
        }
        return steps
    }

    /// Appends the frame of the pong to `body` when `PingEcho` can answer it from its octets (a valid
    /// `ping` it can judge in one pass), and returns `true`; otherwise appends nothing and returns
    /// `false`, and the body takes the general path (`outcome(for:)`), errors included.
    private func answersPing(_ body: ByteBuffer, into output: inout ByteBuffer) -> Bool {
        PingEcho.writeResponseFrame(for: body, maxDepth: configuration.parser.maxDepth, byteOrder: byteOrder, to: &output)
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
        closingError = error as? WireError
        guard var error = error as? WireError, error.code == .frameTooLarge else { return .finish(nil) }
        // The decoder's offset counts from the start of the stream; no body was read, so the
        // response carries none (msg.error-response).
        error.offset = nil
        return .finish(Response(error: error))
    }

    /// The step for one frame body: its method's outcome, or the error response to a body that is not
    /// a request.
    func step(for body: ByteBuffer) -> Step {
        .dispatch(outcome(for: body))
    }

    /// The outcome for one frame body: its method's, or the error response to a body that is not a
    /// request.
    private func outcome(for body: ByteBuffer) -> DispatchOutcome {
        do {
            let request = try Request(body: body, options: configuration.parser)
            return methods.dispatch(request)
        } catch let error as WireError {
            return .respond(Response(error: error))
        } catch {
            return .respond(Response(error: WireError(.internalError, rule: .msgErrorResponse, "\(error)")))
        }
    }

    // MARK: - Writing

    /// The order the first prefix showed, or the one the mode fixes; `nil` until an `auto` connection's
    /// first prefix.
    var decodedByteOrder: ByteOrder? { decoder.byteOrder }

    /// The connection's byte order: fixed by the mode, or what the first prefix showed in `auto` mode
    /// (`order.same-both-directions`).
    public var byteOrder: ByteOrder { decoder.byteOrder ?? .little }

    /// The frame of `response`: prefix and body in one buffer (`frame.single-write`).
    public func frame(_ response: Response, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        appendFrame(response, to: &buffer)
        return buffer
    }

    /// Appends the frame of `response` to `buffer`.
    public func appendFrame(_ response: Response, to buffer: inout ByteBuffer) {
        let body = response.body()
        FrameEncoder(byteOrder: byteOrder).write(to: &buffer) { $0.writeBytes(body) }
    }
}
