import Foundation
import LPJWire

extension CaseCatalog {
    /// Half-close, EOF inside a frame, idle connections, slow senders.
    static let lifecycleCases: [CheckCase] = [
        CheckCase(
            "lifecycle.half-close", "Three pings, then the client shuts down its write side: three pongs, then EOF.",
            covers: [.halfCloseAnswers, .halfCloseCloses]
        ) { context in
            let requests = (1...3).map { Request(method: "ping", params: .number(JSONNumber($0))) }
            let delivery = Delivery.oneWrite(requests.flatMap { context.frame($0) }, halfClose: true)
            let (connection, reply) = try context.exchange(delivery, count: 3)
            defer { connection.close() }
            return context.judge(
                reply, expected: requests.map { .pong($0.params, .halfCloseAnswers) }, connection: connection,
                delivery: delivery, afterwards: .closed(.halfCloseCloses))
        },
        CheckCase(
            "lifecycle.half-close-after-reply", "A ping answered, then a half-close: EOF follows.",
            covers: [.halfCloseCloses]
        ) { context in
            let connection = try context.connect()
            defer { connection.close() }
            try connection.send(Request(method: "ping", params: "first"))
            let first = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            guard first.responses.first?.out == "pong" else {
                return context.judge(first, expected: [.pong("first")], connection: connection, delivery: .oneWrite(connection.sent))
            }
            connection.halfClose()
            let rest = connection.read(timeoutMilliseconds: context.target.timeoutMilliseconds)
            if rest.closed && rest.frames.isEmpty { return .passed("closed after the half-close") }
            if !rest.frames.isEmpty {
                return .broke(.oneResponse, "\(rest.frames.count) frame(s) after the half-close, with no request outstanding", sent: connection.sent)
            }
            return .broke(
                .halfCloseCloses, "the connection stayed open \(context.target.timeoutMilliseconds) ms after the client's half-close", sent: connection.sent)
        },
        CheckCase(
            "lifecycle.eof-inside-prefix", "A ping, then 2 octets of a prefix and EOF: the ping answered, nothing else, then closed.",
            covers: [.eofEarlierResponses, .eofNoResponse, .eofCloses]
        ) { context in
            try truncated(context, tail: [0x10, 0x00])
        },
        CheckCase(
            "lifecycle.eof-inside-body", "A ping, then a frame cut 5 octets short and EOF: the ping answered, nothing else, then closed.",
            covers: [.eofEarlierResponses, .eofNoResponse, .eofCloses]
        ) { context in
            try truncated(context, tail: Array(context.frame(Request(method: "ping", params: "cut")).dropLast(5)))
        },
        CheckCase(
            "lifecycle.idle-second",
            "A connection left idle for 1.2 s: its ping answered, or the connection closed no sooner than 1 s of idleness (an idle time-out is at least 1 s).",
            covers: [.idleMinimum], extraMilliseconds: 1_200
        ) { context in
            let connection = try context.connect()
            defer { connection.close() }
            // Watched, not slept through: a close must be timed to tell one before 1 s from a legal time-out.
            let stirred = (try? connection.socket.waitUntilReadable(timeoutMilliseconds: CaseDeadline.clamp(1_200))) == true
            let idle = IdleClose.longestIdleMilliseconds(since: connection.lastSentAt)
            func closed(_ how: String) -> CaseOutcome {
                if stirred, idle < 1_000 {
                    return .broke(.idleMinimum, "the server closed a connection idle for at most \(idle) ms: \(how)")
                }
                return .passed("the server closed the connection after \(stirred ? "" : "more than ")\(idle) ms of idleness, not under 1 s (\(how))")
            }
            let delivery = Delivery.oneWrite(context.frame(Request(method: "ping", params: "after idling")))
            do { try delivery.send(on: connection) } catch {
                return closed("\(error)")
            }
            let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            if reply.frames.isEmpty, reply.closed {
                return closed(Evidence.ending(reply))
            }
            return context.judge(reply, expected: [.pong("after idling")], connection: connection, delivery: delivery)
        },
        CheckCase(
            "lifecycle.slow-sender", "A ping in 10 pieces 150 ms apart (1.35 s in all): answered; a bound on slow senders must allow this much.",
            covers: [.slowSenderMinimum], extraMilliseconds: 1_500
        ) { context in
            let frame = context.frame(Request(method: "ping", params: "slow but steady"))
            let step = (frame.count + 9) / 10
            let pieces = stride(from: 0, to: frame.count, by: step).map { Array(frame[$0..<min(frame.count, $0 + step)]) }
            let connection = try context.connect()
            defer { connection.close() }
            let start = ContinuousClock.now
            for (index, piece) in pieces.enumerated() {
                if index > 0 { usleep(150_000) }
                do { try connection.send(piece) } catch {
                    let elapsed = ContinuousClock.now - start
                    return .broke(
                        .slowSenderMinimum,
                        "the server closed the connection \(elapsed.milliseconds) ms into a frame whose octets came every 150 ms (\(error)); a slow-sender bound must allow 2 s at this pace"
                    )
                }
            }
            let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            if reply.frames.isEmpty, reply.closed {
                return .broke(
                    .slowSenderMinimum, "the server closed the connection after a frame sent in \(pieces.count) pieces 150 ms apart, without answering it")
            }
            return context.judge(
                reply, expected: [.pong("slow but steady", .slowSenderMinimum)], connection: connection,
                delivery: Delivery(pieces: pieces, pauseMilliseconds: 150))
        },
        CheckCase(
            "lifecycle.stalled-frame", "Two octets of a prefix, then nothing: the server keeps the stalled frame for 1.5 s or closes it without a response.",
            covers: [.slowSenderMinimum], informational: true, extraMilliseconds: 1_500
        ) { context in
            let connection = try context.connect()
            defer { connection.close() }
            let start = ContinuousClock.now
            try connection.send([0x10, 0x00])
            let reply = connection.read(timeoutMilliseconds: 1_500)
            let elapsed = (ContinuousClock.now - start).milliseconds
            if !reply.frames.isEmpty { return .broke(.eofNoResponse, "a response to a frame that never completed", sent: connection.sent) }
            return .informational(
                reply.closed ? "closes a stalled partial frame after about \(elapsed) ms" : "keeps a stalled partial frame for at least 1.5 s")
        },
    ]

    /// A ping, then `tail` (part of a frame) and EOF: the pong, nothing for the partial frame, then close.
    static func truncated(_ context: CheckContext, tail: [UInt8]) throws -> CaseOutcome {
        let delivery = Delivery.oneWrite(context.frame(Request(method: "ping", params: "before")) + tail, halfClose: true)
        let (connection, reply) = try context.exchange(delivery, count: 2)
        defer { connection.close() }
        var outcome = context.judge(
            reply, expected: [.pong("before", .eofEarlierResponses)], connection: connection, delivery: delivery,
            afterwards: .closed(.eofCloses))
        // A second frame answers the truncated one: no response is allowed for it.
        outcome.violations = outcome.violations.map { $0.requirement == .oneResponse ? Violation(.eofNoResponse, $0.summary) : $0 }
        return outcome.violations.isEmpty ? outcome : .broke(outcome.violations, details: outcome.details, sent: outcome.sent)
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
