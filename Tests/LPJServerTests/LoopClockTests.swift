import LPJWire
import NIOCore
import NIOEmbedded
import Testing

@testable import LPJServer

/// The connection timers of both event-loop models on the loop's clock (`EventLoop.now`), moved by hand
/// on an `EmbeddedEventLoop`: NIO tasks (`event-loop`) and the timing wheel (`coroutine`) close an idle,
/// slow-sending or non-reading connection at its bound to the millisecond, and not before.
@Suite("engine: timers on the loop's clock")
struct LoopClockTests {
    static let timers: [EmbeddedServer.Timers] = [.loopTasks, .wheel]

    static func ping(_ index: Int, padding: Int = 0) -> [UInt8] {
        let params: JSONValue = padding == 0 ? .number(JSONNumber(index)) : .string("\(index):" + String(repeating: "p", count: padding))
        return FrameEncoder().frame(Request(method: "ping", params: params).body())
    }

    // MARK: - Idle and slow sender

    @Test("an idle connection closes after the idle time-out and not before (conn.idle-timeout)", arguments: timers)
    func idleTimeout(timers: EmbeddedServer.Timers) throws {
        var configuration = ServerConfiguration()
        configuration.idleTimeoutMilliseconds = 1_000
        let server = try EmbeddedServer(configuration, timers: timers)
        server.advance(milliseconds: 600)
        try server.send(Self.ping(1))
        server.advance(milliseconds: 999)
        #expect(!server.isClosed, "\(timers): the idle time counts from the last read")
        server.advance(milliseconds: 1)
        #expect(server.isClosed, "\(timers): still open 1000 ms after the last read")
    }

    @Test("a partial frame stalled past the slow-sender bound closes the connection, not before (sec.slow-sender)", arguments: timers)
    func slowSender(timers: EmbeddedServer.Timers) throws {
        var configuration = ServerConfiguration()
        configuration.partialFrameTimeoutMilliseconds = 500
        let server = try EmbeddedServer(configuration, timers: timers)
        try server.send(Self.ping(1) + Array(Self.ping(2).prefix(3)))
        server.advance(milliseconds: 499)
        #expect(!server.isClosed, "\(timers)")
        server.advance(milliseconds: 1)
        #expect(server.isClosed, "\(timers): a partial frame waited 500 ms")
        #expect(try server.responses().map { $0.result.numberValue?.int64Value } == [1])
    }

    // MARK: - Slow reader

    static func slowReaderConfiguration(bound: Int) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.idleTimeoutMilliseconds = nil
        configuration.slowReaderMilliseconds = bound
        return configuration
    }

    @Test(
        "a client that takes nothing while the channel is not writable is reset at the slow-reader bound, not before (sec.slow-reader)",
        arguments: timers)
    func neverReads(timers: EmbeddedServer.Timers) throws {
        let server = try EmbeddedServer(Self.slowReaderConfiguration(bound: 1_000), timers: timers)
        server.advance(milliseconds: 250)
        server.stopReading()
        try server.send(Self.ping(1, padding: 4_000))
        server.advance(milliseconds: 999)
        #expect(!server.isClosed, "\(timers): reset before the 1000 ms bound")
        server.advance(milliseconds: 1)
        #expect(server.isClosed, "\(timers): still open 1000 ms after the client stopped taking octets")
    }

    @Test("a client that takes some octets in every tenth of the bound is never reset, however long it stays unwritable", arguments: timers)
    func readsSteadily(timers: EmbeddedServer.Timers) throws {
        let server = try EmbeddedServer(Self.slowReaderConfiguration(bound: 1_000), timers: timers)
        server.stopReading()
        for index in 0..<40 {
            try server.send(Self.ping(index, padding: 4_000))
            server.advance(milliseconds: 100)
            #expect(!server.isClosed, "\(timers): reset after \(100 * (index + 1)) ms of steady reading")
            server.take()
        }
        #expect(try server.responses().count == 40)
        // The last octets were taken just after a sample: the next one sees them, and the bound runs from it.
        server.advance(milliseconds: 1_099)
        #expect(!server.isClosed, "\(timers): reset before the bound after the last octets taken")
        server.advance(milliseconds: 1)
        #expect(server.isClosed, "\(timers): still open a bound after the steady reader stopped taking octets")
    }

    @Test("the channel becoming writable again ends the slow-reader watch", arguments: timers)
    func writableAgain(timers: EmbeddedServer.Timers) throws {
        let server = try EmbeddedServer(Self.slowReaderConfiguration(bound: 1_000), timers: timers)
        server.stopReading()
        try server.send(Self.ping(1, padding: 4_000))
        server.advance(milliseconds: 900)
        server.channel.isWritable = true
        server.channel.pipeline.fireChannelWritabilityChanged()
        server.advance(milliseconds: 5_000)
        #expect(!server.isClosed, "\(timers): reset although the channel became writable within the bound")
    }

    // MARK: - The timing wheel

    /// A wheel timer: scheduled `after` ms at loop time `at`, due on the first 50 ms tick at or after.
    struct WheelCase: CustomTestStringConvertible, Sendable {
        let at: Int64
        let after: Int
        let firesAt: Int64
        var testDescription: String { "\(after) ms at \(at) ms fires at \(firesAt) ms" }
    }

    @Test(
        "a wheel timer (sleep, relay time-outs, idle connections in coroutine) fires on the first tick at or after its due time, never before",
        arguments: [
            WheelCase(at: 0, after: 100, firesAt: 100), WheelCase(at: 0, after: 120, firesAt: 150),
            WheelCase(at: 30, after: 120, firesAt: 150), WheelCase(at: 10, after: 1_730, firesAt: 1_750),
            WheelCase(at: 0, after: 61_020, firesAt: 61_050),
        ])
    func wheelTimer(wheelCase: WheelCase) throws {
        let loop = EmbeddedEventLoop()
        let timers = EventLoopTimers(eventLoop: loop)
        loop.advanceTime(by: .milliseconds(wheelCase.at))
        var firedAt: Int64?
        var cancelledFired = false
        timers.schedule(afterMilliseconds: wheelCase.after) { firedAt = loop.now.uptimeNanoseconds.asMilliseconds }
        let cancelled = timers.schedule(afterMilliseconds: wheelCase.after) { cancelledFired = true }
        timers.cancel(cancelled)
        loop.advanceTime(to: .uptimeNanoseconds(UInt64(wheelCase.firesAt - 1) * 1_000_000))
        #expect(firedAt == nil, "\(wheelCase.testDescription): fired early")
        loop.advanceTime(by: .milliseconds(1))
        #expect(firedAt == wheelCase.firesAt)
        #expect(!cancelledFired)
        #expect(timers.count == 0)
        timers.cancelAll()
    }
}

extension UInt64 {
    fileprivate var asMilliseconds: Int64 { Int64(self / 1_000_000) }
}
