import LPJWire

/// What the checker learns before the cases: does anything answer, in which byte order, with what limits.
///
/// The probe asks the least first: a little-endian `ping`, the one request every server must answer.
/// Only then `lpj.describe` (a server without it must answer `unknown-method`), then a big-endian `ping`
/// to see whether the server detects the byte order. Liveness is checked after each step, so a server
/// that dies on `lpj.describe` or on a byte-swapped prefix is reported for exactly that, once.
public struct ServerProbe: Sendable {
    /// The server answered a little-endian ping with its pong.
    public var answersLittle = false
    /// The server answered a big-endian ping with its pong.
    public var answersBig = false
    /// What came back to a ping when it was not a pong, explained.
    public var notes: [String] = []
    /// The first order in which the server sent something back that was not a pong.
    public var answeringBadly: ByteOrder?
    /// The `lpj.describe` result, when the server has it.
    public var description: JSONValue?
    /// What the probe saw broken, each as a result of its own (`probe.describe`, `probe.byte-order`).
    public var findings: [(id: String, title: String, outcome: CaseOutcome)] = []
    /// The bodies of the frames the server sent on a new connection before any request: a greeting (see
    /// `CheckTarget.greeting`), empty when it sends none.
    public var greeting: [[UInt8]] = []
    /// The probe step after which the server stopped answering.
    public var diedAfter: String?

    /// Why the server cannot be tested, or `nil` when it can.
    public var unusable: String?

    /// The byte order the user says the server is configured with (`--byte-order`), or `nil` to probe.
    public var configured: ByteOrderMode?

    /// Probes `host:port`. `pinned` is a configured `little` or `big`; `pingOnly` skips `lpj.describe` and
    /// the big-endian ping, for a server restarted after one of them stopped it.
    public static func run(host: String, port: Int, pinned: ByteOrder?, timeoutMilliseconds: Int, pingOnly: Bool = false) -> ServerProbe {
        run(host: host, port: port, configured: pinned.map { $0 == .little ? .little : .big }, timeoutMilliseconds: timeoutMilliseconds, pingOnly: pingOnly)
    }

    /// Probes `host:port`, configured with `configured` (`nil`: find out). The first ping speaks the
    /// configured order; a server that answers only the other one is tested in the order it answers, and
    /// the case `byte-order.configured` reports the mismatch under the configured mode's requirement.
    public static func run(host: String, port: Int, configured: ByteOrderMode?, timeoutMilliseconds: Int, pingOnly: Bool = false) -> ServerProbe {
        // Each step is bounded like a case: a server that trickles its answers cannot hold the probe.
        CaseDeadline.run(milliseconds: 4 * timeoutMilliseconds + 3_000) {
            probe(host: host, port: port, configured: configured, timeoutMilliseconds: timeoutMilliseconds, pingOnly: pingOnly)
        }
    }

    static func probe(host: String, port: Int, configured: ByteOrderMode?, timeoutMilliseconds: Int, pingOnly: Bool) -> ServerProbe {
        var probe = ServerProbe()
        probe.configured = configured
        let first = configured?.fixedOrder ?? .little
        do {
            try probe.ping(host: host, port: port, order: first, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            probe.unusable = "cannot connect to \(host):\(port): \(error)"
            return probe
        }
        if !probe.answers(first) {
            try? probe.ping(host: host, port: port, order: first.swapped, timeoutMilliseconds: timeoutMilliseconds)
        }
        guard let order = probe.byteOrder else {
            probe.unusable = "no pong from \(host):\(port) in either byte order: " + probe.notes.joined(separator: " | ")
            return probe
        }
        var probeTarget = CheckTarget(host: host, port: port, byteOrder: order, timeoutMilliseconds: timeoutMilliseconds)
        probeTarget.greeting = probe.greeting
        let context = CheckContext(target: probeTarget, pongsAtProbe: probe.answersLittle || probe.answersBig)
        if pingOnly { return probe }
        probe.describe(context)
        let tryBig = configured == .auto || (configured == nil && probe.mayDetectByteOrder)
        if probe.diedAfter == nil, probe.answersLittle, !probe.answersBig, tryBig {
            try? probe.ping(host: host, port: port, order: .big, timeoutMilliseconds: timeoutMilliseconds)
            if !context.serverAnswers() {
                probe.diedAfter = "probe.byte-order"
                probe.findings.append(
                    (
                        "probe.byte-order", "A big-endian ping to find out whether the server detects the byte order.",
                        .broke(
                            .refuseAtPrefix,
                            "the server stopped answering after a big-endian ping (00 00 00 xx): read little-endian its length is over any limit, and it must be refused from the prefix alone"
                        )
                    ))
                return probe
            }
        }
        return probe
    }

    /// Whether a ping in `order` got its pong.
    func answers(_ order: ByteOrder) -> Bool { order == .little ? answersLittle : answersBig }

    /// Sends one ping in `order` and records what came back. When something other than a pong came, a
    /// new connection that sends nothing shows whether it was a greeting; if so the ping is sent again
    /// with the greeting set aside.
    mutating func ping(host: String, port: Int, order: ByteOrder, timeoutMilliseconds: Int) throws {
        var target = CheckTarget(host: host, port: port, byteOrder: order, timeoutMilliseconds: timeoutMilliseconds)
        target.greeting = greeting
        let context = CheckContext(target: target)
        let (connection, reply) = try context.exchange(context.frame(Request(method: "ping", params: "probe")), halfClose: false, count: 1)
        connection.close()
        if reply.responses.first?.out == "pong" {
            if order == .little { answersLittle = true } else { answersBig = true }
            return
        }
        if greeting.isEmpty, !reply.frames.isEmpty, let seen = Self.greeting(context) {
            greeting = seen
            return try ping(host: host, port: port, order: order, timeoutMilliseconds: timeoutMilliseconds)
        }
        var note = "\(order) ping: \(reply.frames.isEmpty ? Evidence.ending(reply) : "no pong")"
        if reply.framingError != nil || !reply.frames.isEmpty {
            note += "; " + Evidence.streamDiagnosis(connection.received, byteOrder: order).joined(separator: "; ")
        }
        notes.append(note)
        // Something came back: the server speaks, however badly. The cases will say how.
        if !connection.received.isEmpty, answeringBadly == nil { answeringBadly = order }
    }

    /// The bodies of the whole frames a new connection that sends nothing receives within the time-out
    /// (at most a second), or nil when none came, or octets that are no whole frames.
    static func greeting(_ context: CheckContext) -> [[UInt8]]? {
        guard let connection = try? context.connect(settingAsideGreeting: false) else { return nil }
        defer { connection.close() }
        let reply = connection.read(timeoutMilliseconds: min(context.target.timeoutMilliseconds, 1_000))
        let framed = reply.frames.reduce(0) { $0 + 4 + $1.body.count }
        guard !reply.frames.isEmpty, reply.framingError == nil, framed == connection.received.count else { return nil }
        return reply.frames.map(\.body)
    }

    /// Asks `lpj.describe`; a server without it must still answer (`unknown-method`).
    mutating func describe(_ context: CheckContext) {
        let title = "lpj.describe, asked once before the cases: answered with the description or with unknown-method."
        guard let (connection, reply) = try? context.exchange(context.frame(Request(method: "lpj.describe", params: nil)), halfClose: false, count: 1)
        else { return }
        connection.close()
        if let response = reply.responses.first {
            if response.out == "lpj.description" { description = response.result }
            // A description under another out: the server has the method, and says so wrongly.
            if response.out != "lpj.description", response.errorResult == nil, response.result.objectValue?["protocol"] != nil {
                description = response.result
                findings.append(("probe.describe", title, .broke(.describeOut, "lpj.describe answered with out \"\(response.out)\", not \"lpj.description\"")))
            }
            return
        }
        // Something came back, however broken: the cases will say what is wrong with the server's frames.
        if !connection.received.isEmpty, context.serverAnswers() { return }
        let alive = context.serverAnswers()
        if !alive { diedAfter = "probe.describe" }
        let what = alive ? "\(Evidence.ending(reply)) instead of answering" : "the server stopped answering (a fresh connection gets no pong)"
        findings.append(
            (
                "probe.describe", title,
                .broke(
                    .unknownMethodAnswer, "lpj.describe got no response: \(what); a server without the method must answer unknown-method",
                    sent: connection.sent)
            ))
    }

    /// Whether the server may detect the byte order: it says "auto", or it does not say.
    var mayDetectByteOrder: Bool {
        guard let stated = description?.objectValue?["byteOrder"]?.stringValue else { return true }
        return stated == "auto"
    }

    /// The order the cases will speak: little when it answers little, else big, else the order in which
    /// it at least sent something back.
    public var byteOrder: ByteOrder? { answersLittle ? .little : answersBig ? .big : answeringBadly }

    /// The target for the cases.
    public func target(host: String, port: Int, timeoutMilliseconds: Int) -> CheckTarget? {
        guard let byteOrder else { return nil }
        var target = CheckTarget(host: host, port: port, byteOrder: byteOrder, timeoutMilliseconds: timeoutMilliseconds)
        target.greeting = greeting
        // A server configured to detect is tested as one: its cases show where detection fails.
        target.detectsByteOrder = configured == .auto || (answersLittle && answersBig)
        target.configuredByteOrder = configured
        let object = description?.objectValue
        if let limit = object?["maxBody"]?.numberValue?.int64Value {
            target.maxBody = Int(limit)
            target.maxBodyIsStated = true
        }
        if let depth = object?["maxDepth"]?.numberValue?.int64Value { target.maxDepth = Int(depth) }
        if case .array(let names)? = object?["methods"] { target.methods = names.compactMap(\.stringValue) }
        target.description = description
        return target
    }

    /// How the server chooses its byte order, as far as pings show.
    public var byteOrderSummary: String {
        switch (answersLittle, answersBig) {
        case (true, true): return "answers both orders (auto-detection)"
        case (true, false): return "little-endian"
        case (false, true): return "big-endian"
        case (false, false): return answeringBadly.map { "no valid pong in either order; answers \($0) pings with broken frames" } ?? "none"
        }
    }
}
