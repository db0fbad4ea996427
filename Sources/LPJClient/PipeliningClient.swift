import LPJWire
import NIOCore
import NIOPosix

/// A non-blocking client on SwiftNIO: any number of calls in flight on one connection, their responses
/// matched to them in request order (`conn.in-order`).
///
///     call A ─▶ ┐                 ┌─▶ A's future
///     call B ─▶ ├─ one socket ─▶──┼─▶ B's future     (responses arrive in request order)
///     call C ─▶ ┘                 └─▶ C's future
///
/// A call that gets no response within the call time-out fails with `timed-out` and closes the
/// connection, since every later response would then be matched to the wrong call.
public final class PipeliningClient: Sendable {
    public let configuration: ClientConfiguration
    public let channel: Channel

    private init(configuration: ClientConfiguration, channel: Channel) {
        self.configuration = configuration
        self.channel = channel
    }

    /// Connects on `eventLoop`; fails with `ClientError`.
    public static func connect(_ configuration: ClientConfiguration, on eventLoop: EventLoop) -> EventLoopFuture<PipeliningClient> {
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.milliseconds(Int64(configuration.connectTimeoutMilliseconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(configuration: configuration.framing)),
                        ResponseMatcher(configuration: configuration),
                    ])
                }
            }
            .connect(host: configuration.host == "localhost" ? "127.0.0.1" : configuration.host, port: configuration.port)
            .map { PipeliningClient(configuration: configuration, channel: $0) }
            .flatMapErrorThrowing { error in throw ClientError.connecting(error, configuration) }
    }

    /// Connects, for async callers.
    public static func connect(_ configuration: ClientConfiguration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws
        -> PipeliningClient
    {
        try await connect(configuration, on: group.next()).get()
    }

    /// Sends `request`; the future holds its response (error responses included) or a `ClientError`.
    public func call(_ request: Request) -> EventLoopFuture<Response> {
        let promise = channel.eventLoop.makePromise(of: Response.self)
        channel.writeAndFlush(OutgoingCall(request: request, promise: promise), promise: nil)
        return promise.futureResult
    }

    /// Sends `request` and waits for its response.
    public func call(_ request: Request) async throws -> Response {
        try await call(request).get()
    }

    public func close() -> EventLoopFuture<Void> {
        channel.close().recover { _ in }
    }
}

/// A request waiting to be written, with the promise of its response.
struct OutgoingCall {
    var request: Request
    var promise: EventLoopPromise<Response>
}

/// Writes each call's frame and completes the calls' promises in order as responses arrive.
final class ResponseMatcher: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutgoingCall
    typealias OutboundOut = ByteBuffer

    private let configuration: ClientConfiguration
    private var waiting = CircularBuffer<(promise: EventLoopPromise<Response>, timeout: Scheduled<Void>)>()

    init(configuration: ClientConfiguration) {
        self.configuration = configuration
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let call = unwrapOutboundIn(data)
        var frame = context.channel.allocator.buffer(capacity: 64)
        FrameEncoder(byteOrder: configuration.byteOrder).write(call.request.body(), to: &frame)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(in: .milliseconds(Int64(configuration.callTimeoutMilliseconds))) { [configuration] in
            let (matcher, context) = loopBound.value
            matcher.fail(context, ClientError(.timedOut, "no response within \(configuration.callTimeoutMilliseconds) ms"))
        }
        waiting.append((call.promise, timeout))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let body = unwrapInboundIn(data)
        guard let next = waiting.popFirst() else {
            fail(context, ClientError(.badResponse, "a response arrived with no request waiting for it", rule: .connOneResponse))
            return
        }
        next.timeout.cancel()
        do {
            next.promise.succeed(try Response(body: body, options: configuration.parser))
        } catch let error as WireError {
            next.promise.fail(ClientError(error))
        } catch {
            next.promise.fail(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let clientError = (error as? WireError).map(ClientError.init) ?? (error as? ClientError) ?? ClientError(.io, "\(error)")
        fail(context, clientError)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(ClientError(.closed, "the server closed the connection"))
        context.fireChannelInactive()
    }

    private func fail(_ context: ChannelHandlerContext, _ error: ClientError) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: ClientError) {
        while let next = waiting.popFirst() {
            next.timeout.cancel()
            next.promise.fail(error)
        }
    }
}

extension ClientError {
    static func connecting(_ error: Error, _ configuration: ClientConfiguration) -> ClientError {
        let address = "\(configuration.host):\(configuration.port)"
        if let error = error as? ClientError { return error }
        if error is ChannelError { return ClientError(.timedOut, "no connection to \(address) within \(configuration.connectTimeoutMilliseconds) ms") }
        let text = "\(error)"
        if text.contains("refused") { return ClientError(.refused, "connection refused by \(address): is a server listening?") }
        return ClientError(.io, "connecting to \(address): \(text)")
    }
}
