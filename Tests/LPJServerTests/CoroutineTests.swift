import Foundation
import LPJSockets
import LPJWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import LPJServer

/// The `coroutine` model beyond what every model does: the run queues, the timing wheel on the loop,
/// nested calls that wait without blocking, time-outs and idle connections.
@Suite("coroutine model", .serialized)
struct CoroutineTests {
    // MARK: - The scheduler, in process

    /// Runs `body` on a fresh one-thread loop with a scheduler, and shuts the loop down after.
    func withScheduler(_ body: (EventLoop, MicroThreadScheduler) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let scheduler = try await loop.submit { MicroThreadScheduler(eventLoop: loop) }.get()
        try await body(loop, scheduler)
        try await group.shutdownGracefully()
    }

    /// Polls `condition` for up to five seconds.
    func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(nanoseconds: 10_000_000)  // polling an observed condition, bounded
        }
        return condition()
    }

    @Test(
        "a micro-thread woken in the same pass as new arrivals runs before them, whatever order they came in",
        arguments: ["reply", "timer"])
    func wokenBeforeNew(source: String) async throws {
        try await withScheduler { loop, scheduler in
            let log = NIOLockedValueBox<[String]>([])
            let parked = NIOLockedValueBox<WakeUp<String>?>(nil)
            try await loop.submit {
                scheduler.spawn { scheduler in
                    let value = await scheduler.wait { (wakeUp: WakeUp<String>) in parked.withLockedValue { $0 = wakeUp } }
                    log.withLockedValue { $0.append("woken by \(value)") }
                }
            }.get()
            #expect(try await eventually { parked.withLockedValue { $0 != nil } })
            let wakeUp = parked.withLockedValue { $0! }
            try await loop.submit {
                // One arrival before the wake-up and one after, all within one turn of the loop.
                let arriveAndWake = {
                    scheduler.spawn { _ in log.withLockedValue { $0.append("new 1") } }
                    wakeUp.resume(source)
                    scheduler.spawn { _ in log.withLockedValue { $0.append("new 2") } }
                }
                if source == "timer" {
                    scheduler.timers.schedule(afterMilliseconds: 0, arriveAndWake)
                } else {
                    arriveAndWake()
                }
            }.get()
            #expect(try await eventually { log.withLockedValue { $0.count == 3 } })
            #expect(log.withLockedValue { $0 } == ["woken by \(source)", "new 1", "new 2"])
        }
    }

    @Test("a WakeUp resumes its micro-thread once: the second value (a reply after its time-out) is dropped")
    func wakeUpOnce() async throws {
        try await withScheduler { loop, scheduler in
            let results = NIOLockedValueBox<[String]>([])
            let resumed = NIOLockedValueBox<[Bool]>([])
            try await loop.submit {
                scheduler.spawn { scheduler in
                    let value = await scheduler.wait { (wakeUp: WakeUp<String>) in
                        resumed.withLockedValue { $0.append(wakeUp.resume("time-out")) }
                        resumed.withLockedValue { $0.append(wakeUp.resume("late reply")) }
                    }
                    results.withLockedValue { $0.append(value) }
                }
            }.get()
            #expect(try await eventually { results.withLockedValue { !$0.isEmpty } })
            #expect(results.withLockedValue { $0 } == ["time-out"])
            #expect(resumed.withLockedValue { $0 } == [true, false])
        }
    }

    @Test("timers on the loop's wheel never fire early, and a cancelled one never fires")
    func loopTimers() async throws {
        try await withScheduler { loop, scheduler in
            let fired = NIOLockedValueBox<[(milliseconds: Int, elapsed: Double)]>([])
            let start = Date()
            let cancelled = NIOLockedValueBox(false)
            try await loop.submit {
                for milliseconds in [0, 1, 49, 50, 51, 120, 260] {
                    scheduler.timers.schedule(afterMilliseconds: milliseconds) {
                        fired.withLockedValue { $0.append((milliseconds, Date().timeIntervalSince(start))) }
                    }
                }
                let timer = scheduler.timers.schedule(afterMilliseconds: 100) { cancelled.withLockedValue { $0 = true } }
                scheduler.timers.cancel(timer)
            }.get()
            // The wheel fires in due order: once the 260 ms timer has fired, the cancelled 100 ms one
            // would have fired before it.
            #expect(try await eventually { fired.withLockedValue { $0.count == 7 } })
            for firing in fired.withLockedValue({ $0 }) {
                #expect(firing.elapsed * 1000 >= Double(firing.milliseconds), "a \(firing.milliseconds) ms timer fired after \(firing.elapsed) s")
            }
            #expect(fired.withLockedValue { $0.map(\.milliseconds) } == [0, 1, 49, 50, 51, 120, 260])
            #expect(!cancelled.withLockedValue { $0 })
            #expect(try await loop.submit { scheduler.timers.count }.get() == 0)
        }
    }

    // MARK: - The server, over loopback

    @Test("200 sleeps pipelined on one connection and 50 on each of four others run at once, answered in order")
    func manyInFlight() throws {
        let server = try ServerProcess(model: .coroutine)
        let start = Date()
        let main = try server.connect()
        let others = try (0..<4).map { _ in try server.connect() }
        // Decreasing sleeps: the last request finishes first, and must still be written last.
        let pipelined = (0..<200).map { Request(method: "sleep", params: ["ms": .number(JSONNumber(400 - $0)), "n": .number(JSONNumber($0))]) }
        try main.send(pipelined.flatMap { FrameEncoder(byteOrder: .little).frame($0.body()) })
        for other in others {
            try other.send((0..<50).flatMap { _ in FrameEncoder(byteOrder: .little).frame(Request(method: "sleep", params: ["ms": 300]).body()) })
        }
        let reply = try main.read(count: 200, timeoutMilliseconds: 10_000)
        #expect(reply.responses.map { $0.result.objectValue?["n"]?.numberValue?.doubleValue } == (0..<200).map { Double($0) })
        for other in others { #expect(try other.read(count: 50).responses.count == 50) }
        let elapsed = Date().timeIntervalSince(start)
        // One after another, the first connection's sleeps alone take 60 s; at once, all of them take 0.4 s
        // and the rest is the machine. The bound leaves room for a busy machine and none for serial sleeps.
        #expect(elapsed < 15, "400 sleeps of 200-400 ms took \(elapsed) s: they did not run at once")
        #expect(server.stop() == 0)
    }

    @Test("a hung upstream holds only the requests that wait on it: other connections are answered meanwhile")
    func hungUpstreamDoesNotStall() throws {
        let hung = try HungUpstream()
        let server = try ServerProcess(model: .coroutine)
        let waiting = try server.connect()
        try waiting.send(Request(method: "relay", params: relayParams(port: hung.port, "ping", .null, timeoutMilliseconds: 2_000)))
        let other = try server.connect()
        for index in 0..<20 {
            try other.send(Request(method: "ping", params: .number(JSONNumber(index))))
            #expect(try other.read(count: 1).responses.first?.out == "pong")
        }
        try other.send(Request(method: "sleep", params: ["ms": 100]))
        #expect(try other.read(count: 1).responses.first?.out == "slept")
        // The relay is still waiting on its upstream: nothing has come back on its connection.
        #expect(try !waiting.socket.waitUntilReadable(timeoutMilliseconds: 0), "the relay answered before its upstream timed out")
        #expect(try waiting.read(count: 1).responses.first?.errorResult?.code == "timeout")
        #expect(server.stop() == 0)
    }

    @Test("a reply that comes after its call timed out is dropped: the next calls to that upstream get their own replies")
    func lateReplyDiscarded() throws {
        let upstream = try ServerProcess(model: .eventLoop)
        let server = try ServerProcess(model: .coroutine)
        let connection = try server.connect()
        try connection.send(Request(method: "relay", params: relayParams(port: upstream.port, "sleep", ["ms": 500], timeoutMilliseconds: 100)))
        #expect(try connection.read(count: 1).responses.first?.errorResult?.code == "timeout")
        // While the late reply is still on its way, and after it has arrived.
        try connection.send(Request(method: "relay", params: relayParams(port: upstream.port, "ping", "before the late reply")))
        #expect(try connection.read(count: 1).responses.first == Response(out: "pong", result: "before the late reply"))
        // The timed-out call's connection was retired and closed by the server; the upstream answers
        // the sleep on it, then closes its end. Once it has, the late reply has been written.
        #expect(
            ServerReadWatch.waitUntil { ServerReadWatch.openConnections(localPort: upstream.port) == 1 },
            "the upstream never closed the retired connection")
        try connection.send(Request(method: "relay", params: relayParams(port: upstream.port, "ping", "after the late reply")))
        #expect(try connection.read(count: 1).responses.first == Response(out: "pong", result: "after the late reply"))
        #expect(server.stop() == 0)
        #expect(upstream.stop() == 0)
    }

    @Test("many relays at once through one server share upstream connections and each gets its own reply")
    func concurrentRelays() throws {
        let upstream = try ServerProcess(model: .coroutine)
        let server = try ServerProcess(model: .coroutine)
        let connections = try (0..<4).map { _ in try server.connect() }
        for (index, connection) in connections.enumerated() {
            let requests = (0..<100).map { Request(method: "relay", params: relayParams(port: upstream.port, "ping", .number(JSONNumber(index * 1000 + $0)))) }
            try connection.send(requests.flatMap { FrameEncoder(byteOrder: .little).frame($0.body()) })
        }
        for (index, connection) in connections.enumerated() {
            let results = try connection.read(count: 100).responses.map { $0.result.numberValue?.doubleValue }
            #expect(results == (0..<100).map { Double(index * 1000 + $0) })
        }
        #expect(server.stop() == 0)
        #expect(upstream.stop() == 0)
    }

    @Test("idle connections close after --idle-timeout on the wheel; one with a request outstanding waits for it (conn.idle-timeout)")
    func idleClose() throws {
        let server = try ServerProcess(model: .coroutine, ["--idle-timeout", "200"])
        let idle = try server.connect()
        let busy = try server.connect()
        try busy.send(Request(method: "sleep", params: ["ms": 600]))
        let start = Date()
        let idleReply = try idle.read(timeoutMilliseconds: 3_000)
        let idleClosedAfter = Date().timeIntervalSince(start)
        #expect(idleReply.closed && idleReply.responses.isEmpty)
        #expect(idleClosedAfter >= 0.2, "closed after \(idleClosedAfter) s, before the 200 ms idle time-out")
        let slept = try busy.read(count: 1, timeoutMilliseconds: 3_000)
        let answeredAt = Date()
        #expect(slept.responses.map(\.out) == ["slept"])
        let rest = try busy.read(timeoutMilliseconds: 3_000)
        let idleAfterResponse = Date().timeIntervalSince(answeredAt)
        #expect(rest.closed && rest.responses.isEmpty, "the busy connection closes once it has been idle after its response")
        // Idle time counts from the response (the server starts its timer just before the client reads it).
        #expect(idleAfterResponse >= 0.15, "closed \(idleAfterResponse) s after its response, before an idle period had passed")
        #expect(server.stop() == 0)
    }
}
