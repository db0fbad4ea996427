import Foundation
import LPJSockets
import LPJWire
import NIOCore

extension CaseCatalog {
    /// The time bounds of a connection (`sec.slow-sender`, `sec.slow-reader`, `conn.idle-timeout`): first
    /// what `lpj.describe` states about them, judged as stated; then each stated bound waited out, when it
    /// is no longer than `--max-wait`.
    static let boundCases: [CheckCase] = [
        CheckCase(
            "bounds.statements",
            "The time bounds lpj.describe states (idleTimeoutMs, slowSenderMs, slowReaderMs), judged as stated: each an integer or null, none under its rule's minimum, no recommended bound stated as none.",
            covers: [.describeStatedChoices, .idleMinimum, .slowSenderMinimum, .slowSenderBound, .slowReaderMinimum, .slowReaderBound]
        ) { context in
            try judgeStatedBounds(context)
        },
        CheckCase(
            "bounds.slow-sender",
            "A sleep outlasting the stated slowSenderMs (without sleep: a ping larger than the client's receive buffer), then most of a second frame, in one write; then nothing, and nothing read until the bound has passed: the answer arrives whole, nothing answers the cut frame, and the connection is closed.",
            covers: [.slowSenderBound, .slowSenderNoResponse, .slowSenderEarlierResponses, .describeStatedChoices],
            extraMilliseconds: 1_500, waitsOutStatedBound: true
        ) { context in
            try stalledFrame(context)
        },
        CheckCase(
            "bounds.slow-reader",
            "Pings with 60,000-octet params, none of the pongs read, until the server stops reading: closed within the stated slowReaderMs (plus a margin) and not before it; with none stated, still serving after 9.5 s.",
            covers: [.slowReaderBound, .slowReaderMinimum, .describeStatedChoices],
            extraMilliseconds: 12_000, waitsOutStatedBound: true
        ) { context in
            try stalledReader(context)
        },
    ]

    /// The verdict on what `lpj.describe` says about its time bounds, without waiting for any of them.
    static func judgeStatedBounds(_ context: CheckContext) throws -> CaseOutcome {
        guard context.target.description != nil else { return .skipped("the server does not offer lpj.describe") }
        let members: [(name: String, minimum: Int, belowMinimum: RequirementID, whenNone: RequirementID?)] = [
            ("idleTimeoutMs", 1_000, .idleMinimum, nil),
            ("slowSenderMs", 2_000, .slowSenderMinimum, .slowSenderBound),
            ("slowReaderMs", 10_000, .slowReaderMinimum, .slowReaderBound),
        ]
        var violations: [Violation] = []
        var seen: [String] = []
        for member in members {
            switch context.target.statedBound(member.name) {
            case .unstated:
                continue
            case .invalid(let text):
                violations.append(Violation(.describeStatedChoices, "\(member.name) is \(text): the table allows an integer number of milliseconds or null"))
            case .none:
                seen.append("\(member.name) null")
                if let requirement = member.whenNone {
                    violations.append(
                        Violation(
                            requirement, "\(member.name) is null: the server states that it applies no bound (\(requirement.rule.rawValue) recommends one)"))
                }
            case .milliseconds(let ms):
                seen.append("\(member.name) \(ms)")
                if ms < member.minimum {
                    violations.append(
                        Violation(
                            member.belowMinimum, "\(member.name) is \(ms): the bound must not be under \(member.minimum) ms (\(member.belowMinimum.rawValue))"))
                }
            }
        }
        if seen.isEmpty && violations.isEmpty { return .skipped("lpj.describe states none of idleTimeoutMs, slowSenderMs, slowReaderMs") }
        return violations.isEmpty ? .passed("stated bounds within the rules: " + seen.joined(separator: ", ")) : .broke(violations)
    }

    /// Why a stated bound is not waited out, or nil when it is: unstated, none, or over `--max-wait`.
    static func boundNotWaited(_ context: CheckContext, member: String) -> CaseOutcome? {
        switch context.target.statedBound(member) {
        case .milliseconds(let ms) where ms <= context.target.maxWaitMilliseconds:
            return nil
        case .milliseconds(let ms):
            let seconds = (ms + 999) / 1_000
            return CaseOutcome(
                verdict: .notRun,
                summary:
                    "the stated \(member) \(ms) is over --max-wait \(context.target.maxWaitMilliseconds / 1_000) s; add --max-wait \(seconds) to wait it out")
        case .none:
            return .skipped("lpj.describe states \(member) null: no bound to wait out (bounds.statements judges that)")
        case .invalid(let text):
            return .skipped("lpj.describe states \(member) \(text), not a number of milliseconds (bounds.statements judges that)")
        case .unstated:
            return .skipped("lpj.describe states no \(member)")
        }
    }

    /// The margin a stated bound gets before a server counts as not applying it: a quarter, at least 1 s.
    static func margin(_ milliseconds: Int) -> Int { max(1_000, milliseconds / 4) }

    /// An earlier request, then a frame cut 5 octets short, in one write; nothing read until the stated
    /// slow-sender bound and its margin have passed. The earlier request's answer is still in flight when
    /// the bound fires, so a server that drops the connection then (instead of finishing its responses)
    /// loses it: a `sleep` that outlasts the bound when the server lists `sleep`, else a ping whose pong is
    /// larger than the client's receive buffer.
    static func stalledFrame(_ context: CheckContext) throws -> CaseOutcome {
        if let notWaited = boundNotWaited(context, member: "slowSenderMs") { return notWaited }
        guard case .milliseconds(let bound) = context.target.statedBound("slowSenderMs") else { return .skipped("no bound") }
        let wait = bound + margin(bound)
        let earlier: (body: [UInt8], expected: Expectation, what: String)
        if context.target.has("sleep") {
            let params: JSONValue = ["ms": .number(JSONNumber(bound + 200))]
            earlier = (
                sleepBody(JSONWriter.string(params)), Expectation(.response(out: "slept", result: params), .slowSenderEarlierResponses),
                "a sleep of \(bound + 200) ms"
            )
        } else {
            let params = JSONValue.string(String(repeating: "s", count: min(200_000, context.target.guaranteedBody - 64)))
            earlier = (
                Request(method: "ping", params: params).body(), .pong(params, .slowSenderEarlierResponses),
                "a ping of \(context.target.guaranteedBody - 30) octets"
            )
        }
        let cut = Array(context.frame(Request(method: "ping", params: "never finished")).dropLast(5))
        let connection = try context.connect()
        defer { connection.close() }
        connection.socket.setReceiveBufferSize(4_096)
        let start = ContinuousClock.now
        try connection.send(context.frame(earlier.body) + cut)
        let left = wait - Int((ContinuousClock.now - start).milliseconds)
        if left > 0 { usleep(UInt32(CaseDeadline.clamp(left)) * 1_000) }
        // A server that serves one request at a time reads the cut frame only after the sleep: its bound
        // starts then, so the close may come up to one more bound after the answer.
        let answer = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds + wait)
        var violations: [Violation] = []
        if let frame = answer.frames.first {
            if let response = frame.response { violations += earlier.expected.violations(response) }
        } else if answer.closed {
            violations.append(
                Violation(
                    .slowSenderEarlierResponses,
                    "\(Evidence.ending(answer)) under the slow-sender bound before the answer to the complete request before the cut frame (\(earlier.what)) was delivered; \(connection.received.count) octets of it arrived"
                ))
        } else {
            return context.judge(answer, expected: [earlier.expected], connection: connection, delivery: .oneWrite(connection.sent))
        }
        let rest = answer.closed ? answer : connection.read(timeoutMilliseconds: wait)
        let extra = answer.closed ? Array(answer.frames.dropFirst()) : rest.frames
        if let first = extra.first {
            violations.append(
                Violation(
                    .slowSenderNoResponse,
                    "\(extra.count) frame(s) after the answer to the complete request: a response to the frame that never finished (\(String(decoding: first.body.prefix(80), as: UTF8.self)))"
                ))
        }
        if !rest.closed {
            let summary =
                "the connection was still open \(Int((ContinuousClock.now - start).milliseconds)) ms after a frame stopped arriving, with slowSenderMs \(bound) stated"
            violations.append(Violation(.slowSenderBound, summary))
            violations.append(Violation(.describeStatedChoices, summary + ": the statement is not true of the server"))
        }
        guard !violations.isEmpty else {
            return .passed("closed under the stated \(bound) ms bound of a stalled frame, after the answer to \(earlier.what); nothing answered the cut frame")
        }
        return .broke(
            violations, details: Evidence.hexDump(Array(connection.received.prefix(64)), around: 0, title: "received (first 64 octets)"),
            sent: Array(connection.sent.prefix(4_096)))
    }

    /// Pings with large params sent without reading, until the server stops reading (or 32 MiB went
    /// out); then the server's writes wait for a reader that never comes. With `slowReaderMs` stated
    /// (and within `--max-wait`), the connection must end within it plus a margin, and not before it
    /// counted from the first request; with none stated, it must not end within 9.5 s.
    static func stalledReader(_ context: CheckContext) throws -> CaseOutcome {
        let stated = context.target.statedBound("slowReaderMs")
        if stated != .unstated, let notWaited = boundNotWaited(context, member: "slowReaderMs") { return notWaited }
        let connection = try context.connect()
        defer { connection.close() }
        connection.socket.setReceiveBufferSize(4_096)
        // Leaving with pongs unread resets the connection: a server blocked writing to it is freed at once,
        // not after its zero-window probes (seconds apart by then) find the connection gone.
        connection.socket.setResetOnClose()
        let size = min(60_000, context.target.guaranteedBody - 64)
        let frame = context.frame(Request(method: "ping", params: .string(String(repeating: "r", count: size))))
        let start = ContinuousClock.now
        connection.sendTimeoutMilliseconds = 300
        var requests = 0
        fill: while connection.sent.count < 32 << 20, Int((ContinuousClock.now - start).milliseconds) < 3_000 {
            do {
                try connection.send(frame)
                requests += 1
            } catch is SocketWriteStalled {
                break fill
            } catch {
                return .broke(
                    .slowReaderMinimum,
                    "the connection ended after \(requests) pings sent and none of the pongs read, \(Int((ContinuousClock.now - start).milliseconds)) ms after the first: \(error)",
                    sent: Array(connection.sent.prefix(64)))
            }
        }
        let filled = Int((ContinuousClock.now - start).milliseconds)
        guard case .milliseconds(let bound) = stated else {
            // No bound stated: the server's writes wait, unread, until 9.5 s after the first request.
            let watched = PeerState.watch(connection.socket, milliseconds: 9_500 - filled)
            if watched.state != .open {
                return .broke(
                    .slowReaderMinimum,
                    "the server ended the connection \(filled + watched.waited) ms after the first of \(requests) pings whose pongs were not read: a slow-reader bound should not be under 10 s"
                )
            }
            let drained = drain(connection, octets: connection.sent.count + (1 << 20))
            if drained.ended {
                return .broke(
                    .slowReaderMinimum,
                    "the connection had ended when the client began to read, 9.5 s after the first of \(requests) pings (\(drained.octets) octets of pongs came before the end): a slow-reader bound should not be under 10 s"
                )
            }
            return .passed("still serving after its writes waited 9.5 s for a reader (\(requests) pings, \(drained.octets) octets of pongs read afterwards)")
        }
        let early = PeerState.watch(connection.socket, milliseconds: bound - 50 - filled)
        if early.state != .open {
            let at = filled + early.waited
            var violations = [
                Violation(
                    .describeStatedChoices,
                    "the server ended the connection \(at) ms after the first of \(requests) unread pongs was asked for, before the stated slowReaderMs \(bound)"
                )
            ]
            if at < 10_000 {
                violations.append(
                    Violation(
                        .slowReaderMinimum,
                        "the connection ended \(at) ms after the first request whose pong was not read: a slow-reader bound should not be under 10 s"))
            }
            return .broke(violations)
        }
        let elapsed = Int((ContinuousClock.now - start).milliseconds)
        _ = PeerState.watch(connection.socket, milliseconds: filled + bound + margin(bound) - elapsed)
        let drained = drain(connection, octets: connection.sent.count + (1 << 20))
        if !drained.ended {
            let summary =
                "the connection was still open \(filled + bound + margin(bound)) ms after the first of \(requests) pings whose pongs were not read (writes stopped after \(filled) ms), with slowReaderMs \(bound) stated"
            return .broke([Violation(.slowReaderBound, summary), Violation(.describeStatedChoices, summary + ": the statement is not true of the server")])
        }
        return .passed(
            "ended within \(bound) ms + \(margin(bound)) ms of its writes stopping, not before \(bound) ms (\(requests) pings, \(drained.octets) octets of pongs delivered)"
        )
    }

    /// Reads and discards until EOF, a reset, `octets` read, a silence of 1 s, or 3 s of reading: whether
    /// the connection ended. An ended connection ends within the octets already on their way (the
    /// kernel's buffers), so a server still sending after 3 s is serving, not closing.
    static func drain(_ connection: ProbeConnection, octets: Int) -> (ended: Bool, octets: Int) {
        connection.socket.setReceiveBufferSize(1 << 20)
        let end = ContinuousClock.now + .seconds(3)
        var total = 0
        var buffer = ByteBuffer()
        while total < octets, ContinuousClock.now < end {
            guard (try? connection.socket.waitUntilReadable(timeoutMilliseconds: CaseDeadline.clamp(1_000))) == true else { return (false, total) }
            buffer.clear()
            guard let count = try? connection.readSome(into: &buffer) else { return (true, total) }
            if count == 0 { return (true, total) }
            total += count
        }
        return (false, total)
    }
}
