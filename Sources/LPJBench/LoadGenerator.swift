import Histogram
import LPJSockets
import LPJWire
import NIOCore
import NIOPosix

/// Closed-loop load over non-blocking sockets, on one event loop thread.
///
///     connect N ─▶ each connection writes D frames ─▶ each response read: check it, record its latency,
///                  write the next request ─▶ … until the duration ends ─▶ drain ─▶ close
///
/// Every response is checked: a `ping` reply must be `pong` with the params echoed (octet for octet the
/// compact pong, or else equal by value once parsed: `msg.value-equality`), any other method's reply
/// must parse and must not be an error response.
/// Latency is measured per request, from its write to its response, into an HDR histogram (3
/// significant digits); only responses read during the measured seconds count.
public enum LoadGenerator {
    /// Runs `configuration` and calls `progress` once a second (on the load thread).
    public static func run(_ configuration: BenchConfiguration, progress: (@Sendable (BenchProgress) -> Void)? = nil) throws -> BenchResult {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let run = try loop.submit { LoadRun(configuration: configuration, eventLoop: loop, progress: progress) }.wait()
        let channels = try connectAll(configuration, run: run, on: loop)
        return try loop.flatSubmit { run.start(channels) }.wait()
    }

    /// Opens every connection before any request is sent. The host is a name or an IPv4 or IPv6 literal
    /// (`localhost`, `::1`, without brackets): each of its addresses is tried until one answers.
    private static func connectAll(_ configuration: BenchConfiguration, run: LoadRun, on loop: EventLoop) throws -> [Channel] {
        let framing = FrameConfiguration(byteOrder: configuration.byteOrder == .little ? .little : .big)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(configuration: framing)),
                        LoadConnectionHandler(run: run),
                    ])
                }
            }
        var channels: [Channel] = []
        for _ in 0..<configuration.connections {
            do {
                channels.append(try bootstrap.connect(host: configuration.host, port: configuration.port).wait())
            } catch {
                for channel in channels { channel.close(promise: nil) }
                let address = HostPort(host: configuration.host, port: configuration.port)
                let reason = "\(error)".contains("refused") ? "connection refused: is a server listening?" : "\(error)"
                throw BenchError("cannot connect to \(address) (connection \(channels.count + 1) of \(configuration.connections)): \(reason)")
            }
        }
        return channels
    }
}

/// Why a run could not start.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The state of one run, shared by its connections. Used on the loop only.
final class LoadRun: @unchecked Sendable {
    let configuration: BenchConfiguration
    let eventLoop: EventLoop
    let frame: ByteBuffer
    let expectedResult: JSONValue?
    /// The compact pong a ping should get: a response with exactly these octets needs no parsing.
    let expectedBody: ByteBuffer?
    private let progress: (@Sendable (BenchProgress) -> Void)?

    enum Phase { case warmingUp, measuring, draining, done }
    private(set) var phase = Phase.warmingUp
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    private var responses = 0
    private var errors = 0
    private var connectionsLost = 0
    private var problems: [(text: String, count: Int)] = []
    private var started = NIODeadline.now()
    private var measuringSince = NIODeadline.now()
    private var measuredSeconds = 0.0
    private var responsesAtLastTick = 0
    private var allResponses = 0
    private var channels: [Channel] = []
    private var outstanding = 0
    private var finished: EventLoopPromise<BenchResult>?

    init(configuration: BenchConfiguration, eventLoop: EventLoop, progress: (@Sendable (BenchProgress) -> Void)?) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.progress = progress
        self.frame = ByteBuffer(bytes: configuration.frame)
        // Spelled out: JSONValue takes a nil literal as JSON null, so `? params : nil` would expect null.
        self.expectedResult = configuration.method == "ping" ? .some(configuration.params) : .none
        self.expectedBody = expectedResult.map { ByteBuffer(bytes: Response(out: "pong", result: $0).body()) }
    }

    var isSending: Bool { phase == .warmingUp || phase == .measuring }

    /// Starts the clock on connected `channels`; the future completes after the drain.
    func start(_ channels: [Channel]) -> EventLoopFuture<BenchResult> {
        self.channels = channels
        let promise = eventLoop.makePromise(of: BenchResult.self)
        finished = promise
        started = .now()
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(LoadStart()) }
        let warmup = TimeAmount.nanoseconds(Int64(configuration.warmupSeconds * 1e9))
        let duration = TimeAmount.nanoseconds(Int64(configuration.durationSeconds * 1e9))
        eventLoop.scheduleTask(in: warmup) { self.beginMeasuring() }
        eventLoop.scheduleTask(in: warmup + duration) { self.endMeasuring() }
        if progress != nil { scheduleProgress() }
        return promise.futureResult
    }

    func sent() { outstanding += 1 }

    /// A response arrived `nanoseconds` after its request; `problem` says what was wrong with it.
    func received(latencyNanoseconds nanoseconds: UInt64, problem: String?) {
        outstanding -= 1
        allResponses += 1
        if phase == .measuring {
            responses += 1
            histogram.record(max(nanoseconds / 1_000, 1))
            if let problem { note(problem) }
        } else if let problem, phase == .warmingUp {
            note(problem)
        }
        if phase == .draining, outstanding == 0 { finish() }
    }

    private func note(_ problem: String) {
        errors += 1
        remember(problem)
    }

    /// Keeps the first few distinct problems, each with how often it happened.
    private func remember(_ problem: String) {
        if let index = problems.firstIndex(where: { $0.text == problem }) {
            problems[index].count += 1
        } else if problems.count < 5 {
            problems.append((problem, 1))
        }
    }

    func lost(_ reason: String) {
        guard phase != .done else { return }
        connectionsLost += 1
        remember("connection lost: \(reason)")
    }

    private func beginMeasuring() {
        phase = .measuring
        measuringSince = .now()
        histogram.reset()
        responses = 0
        errors = 0
        problems.removeAll()
        connectionsLost = 0
    }

    private func endMeasuring() {
        measuredSeconds = Double((NIODeadline.now() - measuringSince).nanoseconds) / 1e9
        phase = .draining
        if outstanding == 0 { return finish() }
        eventLoop.scheduleTask(in: .nanoseconds(Int64(configuration.drainSeconds * 1e9))) { self.finish() }
    }

    private func finish() {
        guard phase != .done, let finished else { return }
        phase = .done
        for channel in channels { channel.close(promise: nil) }
        let result = BenchResult(
            configuration: configuration, seconds: measuredSeconds, responses: responses, errors: errors,
            unanswered: outstanding, connectionsLost: connectionsLost,
            problems: problems.map { $0.count == 1 ? $0.text : "\($0.text) (×\($0.count))" },
            p50: Double(histogram.valueAtPercentile(50)), p90: Double(histogram.valueAtPercentile(90)),
            p99: Double(histogram.valueAtPercentile(99)), max: Double(histogram.max))
        finished.succeed(result)
        self.finished = nil
    }

    private func scheduleProgress() {
        eventLoop.scheduleTask(in: .seconds(1)) {
            guard self.isSending, let progress = self.progress else { return }
            let elapsed = Double((NIODeadline.now() - self.started).nanoseconds) / 1e9
            progress(
                BenchProgress(
                    elapsedSeconds: elapsed, isWarmingUp: self.phase == .warmingUp,
                    responses: self.responses, errors: self.errors,
                    lastSecond: self.allResponses - self.responsesAtLastTick))
            self.responsesAtLastTick = self.allResponses
            self.scheduleProgress()
        }
    }
}

/// "Start sending": fired into every connection's pipeline once all are connected.
struct LoadStart {}

/// One connection of a run: keeps `depth` requests in flight and checks each response.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let run: LoadRun
    /// When each request in flight was written, oldest first (responses come in request order).
    private var sentAt = CircularBuffer<UInt64>()

    init(run: LoadRun) { self.run = run }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is LoadStart else { return context.fireUserInboundEventTriggered(event) }
        for _ in 0..<run.configuration.depth { send(context: context) }
        context.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now().uptimeNanoseconds
        let body = unwrapInboundIn(data)
        guard let sent = sentAt.popFirst() else {
            run.lost("a response arrived with no request in flight (conn.one-response)")
            context.close(promise: nil)
            return
        }
        run.received(latencyNanoseconds: now &- sent, problem: check(body))
        // The next request leaves now: one clock reading serves as this arrival and that departure.
        if run.isSending { send(context: context, at: now) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        run.lost("\(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if run.isSending { run.lost("the server closed the connection") }
        context.fireChannelInactive()
    }

    private func send(context: ChannelHandlerContext, at now: UInt64 = NIODeadline.now().uptimeNanoseconds) {
        sentAt.append(now)
        run.sent()
        context.write(wrapOutboundOut(run.frame), promise: nil)
    }

    /// What is wrong with a response body, or `nil`. A body octet for octet equal to the compact pong
    /// is right; any other is parsed and judged by value, as the spec judges it (`msg.value-equality`).
    private func check(_ body: ByteBuffer) -> String? {
        if let expected = run.expectedBody, body == expected { return nil }
        let response: Response
        do {
            response = try Response(body: body)
        } catch {
            return "undecodable response: \(error)"
        }
        if let error = response.errorResult { return "error response: \(error)" }
        if let expected = run.expectedResult {
            guard response.out == "pong" else { return "ping answered with out \(JSONWriter.string(.string(response.out)))" }
            if let difference = response.result.firstDifference(from: expected) {
                return "pong result differs from the params at \(difference)"
            }
        }
        return nil
    }
}
