import Foundation
import LPJWire

extension CaseCatalog {
    /// Many connections at once, and what one connection does to the others.
    static let concurrencyCases: [CheckCase] = [
        CheckCase(
            "concurrency.50-connections",
            "50 connections each send a ping at once: every one answered, or refused (overloaded, or closed at once) beyond a connection limit of at least 8.",
            covers: [.oneResponse, .connectionLimitMinimum, .connectionLimitRefuse, .nothingElse], extraMilliseconds: 10_000
        ) { context in
            let connections = try (0..<50).map { _ in try context.connect() }
            defer { for connection in connections { connection.close() } }
            // Nothing may arrive before a request: not even an overloaded notice to a connection over a limit.
            usleep(100_000)
            let early = connections.indices.filter { (try? connections[$0].socket.waitUntilReadable(timeoutMilliseconds: 0)) == true }
            if let first = early.first {
                let reply = connections[first].read(count: 1, timeoutMilliseconds: 200)
                if !reply.frames.isEmpty {
                    return .broke(
                        .nothingElse,
                        "\(early.count) connection(s) received a frame before sending any request: \(String(decoding: reply.frames[0].body.prefix(80), as: UTF8.self))"
                    )
                }
            }
            for (index, connection) in connections.enumerated() {
                try? connection.send(Request(method: "ping", params: .number(JSONNumber(index))))
            }
            var served = 0
            var refused: [Int] = []
            var silent: [Int] = []
            for (index, connection) in connections.enumerated() {
                let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
                defer { connection.close() }
                if reply.framingError != nil || (!reply.frames.isEmpty && reply.responses.isEmpty) {
                    let outcome = context.judge(
                        reply, expected: [.pong(.number(JSONNumber(index)))], connection: connection, delivery: .oneWrite(connection.sent))
                    return CaseOutcome(
                        verdict: outcome.verdict, summary: "connection \(index + 1): " + outcome.summary, details: outcome.details,
                        violations: outcome.violations)
                }
                if let response = reply.responses.first {
                    if response.errorResult?.code == WireError.Code.overloaded.rawValue { refused.append(index); continue }
                    let outcome = context.judge(
                        reply, expected: [.pong(.number(JSONNumber(index)))], connection: connection, delivery: .oneWrite(connection.sent))
                    if outcome.verdict != .passed {
                        return CaseOutcome(
                            verdict: outcome.verdict, summary: "connection \(index + 1): " + outcome.summary, details: outcome.details,
                            violations: outcome.violations)
                    }
                    served += 1
                } else if reply.closed, !reply.timedOut {
                    refused.append(index)
                } else {
                    silent.append(index)
                }
            }
            if !silent.isEmpty {
                if served < 8 {
                    return .broke(
                        .oneResponse,
                        "only \(served) of 50 connections answered; \(silent.count) got neither an answer nor a refusal (connection \(silent[0] + 1) first)")
                }
                return .broke(
                    .connectionLimitRefuse,
                    "\(served) of 50 connections answered, \(refused.count) refused, \(silent.count) left open without an answer: a server at its limit refuses (overloaded, or a close)"
                )
            }
            if refused.isEmpty { return .passed("all 50 answered") }
            if served < 8 {
                return .broke(
                    .connectionLimitMinimum,
                    "only \(served) of 50 connections served, \(refused.count) refused: a server that limits connections serves at least 8 at once")
            }
            return .informational("\(served) of 50 served, \(refused.count) refused (a connection limit)")
        },
        CheckCase(
            "concurrency.stalled-connection", "While one connection holds half a prefix, does another get its pong?",
            covers: [.isolation], informational: true
        ) { context in
            let stalled = try context.connect()
            defer { stalled.close() }
            try stalled.send([0x10, 0x00])
            let (other, reply) = try context.exchange(context.frame(Request(method: "ping", params: "other")), halfClose: false, count: 1)
            other.close()
            if reply.responses.first?.out == "pong" { return .informational("a stalled connection does not block others") }
            return .informational("a stalled connection blocks the others (one connection at a time)")
        },
        CheckCase(
            "concurrency.hostile-neighbour",
            "A connection sends a byte-swapped prefix and invalid UTF-8 while another pipelines pings: the other is answered in full (or, closed after idling as long as an idle time-out may, a fresh connection is).",
            covers: [.isolation]
        ) { context in
            let quiet = try context.connect()
            defer { quiet.close() }
            try quiet.send(Request(method: "ping", params: "before"))
            let before = quiet.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            guard before.responses.first?.out == "pong" else { return .skipped("the first ping was not answered; other cases say why") }
            if let (noisy, _) = try? context.exchange(
                context.frame([0x7b, 0xff, 0x7d]) + FrameEncoder(byteOrder: context.target.byteOrder.swapped).prefix(forLength: 37), halfClose: false, count: 2)
            {
                noisy.close()
            }
            let delivery = Delivery.oneWrite(context.frame(Request(method: "ping", params: "after")))
            let lastSent = quiet.lastSentAt
            let sent = (try? delivery.send(on: quiet)) != nil
            let after = sent ? quiet.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds) : ProbeConnection.Reply(closed: true)
            if after.frames.isEmpty, after.closed, IdleClose.mayBeIdleTimeOut(since: lastSent, target: context.target) {
                // Idle long enough for a legal time-out (a server serving one connection at a time served
                // the neighbour meanwhile): isolation is judged on a fresh connection instead.
                let (fresh, reply) = try context.exchange(delivery, count: 1)
                defer { fresh.close() }
                return context.judge(reply, expected: [.pong("after", .isolation)], connection: fresh, delivery: delivery)
            }
            if after.frames.isEmpty {
                return .broke(
                    .isolation, "another connection's hostile octets ended this one: \(sent ? Evidence.ending(after) : "it could not take the next ping")")
            }
            return context.judge(after, expected: [.pong("after", .isolation)], connection: quiet, delivery: delivery)
        },
    ]
}
