import Foundation
import LPJWire

extension CaseCatalog {
    /// Whether a `sleep` or a `relay` on one connection holds up the others (`ext.sleep.not-blocking`,
    /// `ext.relay.not-blocking`).
    ///
    /// First the runner asks whether the server serves two connections at once at all: connection A gets
    /// its pong and stays open, idle; connection B sends a ping. A server that serves one connection at a
    /// time answers B only once A is gone, and the requirements (which bind event-loop and coroutine
    /// models) are not judged. When B is answered while A is idle, A sends a slow request (a sleep of
    /// 800 ms, or a relay to an upstream the runner hosts that answers after 800 ms) and, once it is under
    /// way, B sends a ping: B's pong must come while A's request is still outstanding. A server whose pong
    /// to B comes only after A's answer is blocking its loop.
    static let notBlockingCases: [CheckCase] = [
        CheckCase(
            "extension.sleep.not-blocking",
            "Connection A idle, B pings: served together? If so, A sleeps 800 ms and B pings meanwhile: B's pong comes while A's sleep is outstanding.",
            covers: [.sleepNotBlocking, .sleepAnswer], extraMilliseconds: 1_400
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            return try sleepNotBlocking(context)
        },
        CheckCase(
            "extension.relay.not-blocking",
            "Connection A idle, B pings: served together? If so, A relays to an upstream that answers after 800 ms and B pings meanwhile: B's pong comes while A's relay is outstanding.",
            covers: [.relayNotBlocking, .relayPassThrough, .relayOneUpstreamRequest], extraMilliseconds: 1_400
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try relayNotBlocking(context)
        },
    ]

    static let notBlockingSlowMilliseconds = 800
    /// How long B's ping may wait while A is idle before the server counts as serving one at a time.
    static let secondConnectionWaitMilliseconds = 500

    /// The verdict of the first step, when it ends the case: B not served while A is connected.
    static func servesTwoAtOnce(_ context: CheckContext, _ first: ProbeConnection, _ second: ProbeConnection) throws -> CaseOutcome? {
        let delivery = Delivery.oneWrite(context.frame(Request(method: "ping", params: "A, then idle")))
        try delivery.send(on: first)
        let firstReply = first.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
        let judged = context.judge(firstReply, expected: [.pong("A, then idle", .pingEcho)], connection: first, delivery: delivery)
        if judged.verdict != .passed { return judged }
        try second.send(context.frame(Request(method: "ping", params: "B while A is idle")))
        let secondReply = second.read(count: 1, timeoutMilliseconds: secondConnectionWaitMilliseconds)
        if secondReply.responses.first?.out == "pong" { return nil }
        first.close()
        let later = second.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
        let how = later.responses.first?.out == "pong" ? "answered once A closed" : "not answered (\(Evidence.ending(later)))"
        return .informational(
            "a ping on connection B was not answered within \(secondConnectionWaitMilliseconds) ms while connection A was open and idle, and was \(how): the server serves one connection at a time, a blocking model, which the not-blocking requirements do not bind"
        )
    }

    /// B's ping sent while A's slow request is under way: nil when its pong came while A's request was
    /// still outstanding; else the violation of `requirement`. `startedAt`: when A's request was written.
    ///
    /// The verdict is an order of events, not a clock, so a loaded machine that answers slowly is not
    /// taken for a blocked loop: when B's pong arrives, has A's answer arrived already? A loop blocked
    /// by A's wait writes A's answer first and reads B's ping only then.
    static func secondServedWhileWaiting(
        _ context: CheckContext, _ first: ProbeConnection, _ second: ProbeConnection, startedAt: ContinuousClock.Instant,
        what: String, requirement: RequirementID
    ) throws -> CaseOutcome? {
        try second.send(context.frame(Request(method: "ping", params: "B while A waits")))
        let reply = second.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds + notBlockingSlowMilliseconds)
        let elapsed = Int((ContinuousClock.now - startedAt).milliseconds)
        let firstAnsweredAlready = (try? first.socket.waitUntilReadable(timeoutMilliseconds: 0)) ?? false
        guard reply.responses.first?.out == "pong" else {
            return .broke(
                requirement,
                "while \(what) was outstanding on connection A, a ping on connection B got \(reply.frames.isEmpty ? Evidence.ending(reply) : "no pong") (\(elapsed) ms after A's request); B was answered at once while A was idle, so the server serves connections concurrently and must go on doing so",
                sent: second.sent)
        }
        // An early answer on A (an error, say) is judged with A's reply; only A's full wait before B's pong is blocking.
        if firstAnsweredAlready, elapsed >= notBlockingSlowMilliseconds - clockSlackMilliseconds {
            return .broke(
                requirement,
                "a ping on connection B was answered only after connection A's answer to \(what) had arrived (\(elapsed) ms after A's request); with A idle, B was answered at once: the wait on A blocks the other connections",
                sent: second.sent)
        }
        return nil
    }

    static func sleepNotBlocking(_ context: CheckContext) throws -> CaseOutcome {
        let first = try context.connect()
        defer { first.close() }
        let second = try context.connect()
        defer { second.close() }
        if let outcome = try servesTwoAtOnce(context, first, second) { return outcome }
        let ms = notBlockingSlowMilliseconds
        let delivery = Delivery.oneWrite(context.frame(sleepBody(#"{"ms":\#(ms)}"#)))
        let start = ContinuousClock.now
        try delivery.send(on: first)
        // Let A's sleep begin before B asks: a loop that took B's ping first would answer it either way.
        usleep(100_000)
        if let outcome = try secondServedWhileWaiting(context, first, second, startedAt: start, what: "a sleep of \(ms) ms", requirement: .sleepNotBlocking) {
            return outcome
        }
        let reply = first.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds + ms)
        let params: JSONValue = ["ms": .number(JSONNumber(ms))]
        let judged = judgeWithSleeps(
            context, reply, expected: [Expectation(.response(out: "slept", result: params), .sleepAnswer)], sleeps: [0: params],
            connection: first, delivery: delivery)
        guard judged.verdict == .passed else { return judged }
        return .passed("connection B's ping was answered while connection A's sleep of \(ms) ms was outstanding")
    }

    static func relayNotBlocking(_ context: CheckContext) throws -> CaseOutcome {
        let ms = notBlockingSlowMilliseconds
        let upstream = try LoopbackUpstream { .replyAfter(milliseconds: ms, Response(out: "pong", result: $0.params)) }
        defer { upstream.stop() }
        let first = try context.connect()
        defer { first.close() }
        let second = try context.connect()
        defer { second.close() }
        if let outcome = try servesTwoAtOnce(context, first, second) { return outcome }
        let params = relayParams(port: upstream.port, method: "ping", params: #""slow upstream""#)
        let delivery = Delivery.oneWrite(context.frame(relayBody(params)))
        let start = ContinuousClock.now
        try delivery.send(on: first)
        // B asks once the upstream holds A's call: the relay is then waiting on it.
        guard upstream.wait(milliseconds: context.target.timeoutMilliseconds, until: { $0.arrivals > 0 }) else {
            let reply = first.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            if let reason = refusedUpstream(reply, port: upstream.port) { return .skipped(reason) }
            let answer = reply.responses.first.map { $0.errorResult.map { "error \($0)" } ?? "out \"\($0.out)\"" } ?? Evidence.ending(reply)
            return .broke(
                .relayOneUpstreamRequest,
                "a relay to 127.0.0.1:\(upstream.port) with valid params sent the upstream no request (the server answered \(answer))", sent: first.sent)
        }
        if let outcome = try secondServedWhileWaiting(
            context, first, second, startedAt: start, what: "a relay to an upstream that answers after \(ms) ms",
            requirement: .relayNotBlocking)
        {
            return outcome
        }
        let reply = first.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds + ms)
        let judged = context.judge(
            reply, expected: [Expectation(.response(out: "pong", result: "slow upstream"), .relayPassThrough)], connection: first, delivery: delivery)
        guard judged.verdict == .passed else { return judged }
        return .passed("connection B's ping was answered while connection A's relay waited \(ms) ms for its upstream")
    }
}
