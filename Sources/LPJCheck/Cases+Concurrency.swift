import Foundation
import LPJWire

extension CaseCatalog {
    /// Many connections at once, and what one connection does to the others.
    static let concurrencyCases: [CheckCase] = [
        CheckCase("concurrency.50-connections", "50 connections each send a ping at once; every one is answered (one at a time is allowed).",
                  rules: [.connIsolation, .connOneResponse], level: .must) { context in
            let connections = try (0..<50).map { _ in try context.connect() }
            defer { connections.forEach { $0.close() } }
            for (index, connection) in connections.enumerated() { try connection.send(Request(method: "ping", params: .number(JSONNumber(index)))) }
            for (index, connection) in connections.enumerated() {
                let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
                let outcome = context.judge(reply, expected: [.pong(.number(JSONNumber(index)))], level: .must, connection: connection)
                if outcome.verdict != .passed { return CaseOutcome(verdict: outcome.verdict, summary: "connection \(index): " + outcome.summary, details: outcome.details) }
                connection.close()
            }
            return .passed("all 50 answered")
        },
        CheckCase("concurrency.stalled-connection", "While one connection holds half a prefix, does another get its pong?",
                  rules: [.connIsolation], level: .informational) { context in
            let stalled = try context.connect()
            defer { stalled.close() }
            try stalled.send([0x10, 0x00])
            usleep(50_000)
            let (other, reply) = try context.exchange(context.frame(Request(method: "ping", params: "other")), halfClose: false, count: 1)
            other.close()
            if reply.responses.first?.out == "pong" { return .informational("a stalled connection does not block others") }
            return .informational("a stalled connection blocks the others (one connection at a time)")
        },
        CheckCase("concurrency.overlap", "Two 300 ms sleeps on two connections: do they overlap?",
                  rules: [.extSleep], level: .informational) { context in
            guard context.target.has("sleep") else { return .skipped("the server has no sleep method") }
            let start = Date()
            let connections = try (0..<2).map { _ in try context.connect() }
            defer { connections.forEach { $0.close() } }
            for connection in connections { try connection.send(Request(method: "sleep", params: ["ms": 300])) }
            for connection in connections { _ = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds + 1_000); connection.close() }
            let elapsed = Int(Date().timeIntervalSince(start) * 1000)
            return .informational(elapsed < 550 ? "requests on two connections overlap (\(elapsed) ms for two 300 ms sleeps)"
                                                : "requests on two connections run one after another (\(elapsed) ms for two 300 ms sleeps)")
        },
        CheckCase("message.describe", "lpj.describe, if offered, states protocol, byte order, limits and methods.",
                  rules: [.msgDescribe], level: .must) { context in
            let (connection, reply) = try context.exchange(context.frame(Request(method: "lpj.describe", params: nil)), halfClose: false, count: 1)
            defer { connection.close() }
            guard let response = reply.responses.first else { return context.judge(reply, expected: [.anySuccess], level: .must, connection: connection) }
            if response.errorResult?.code == "unknown-method" { return .informational("the server does not offer lpj.describe") }
            guard response.out == "lpj.description", let object = response.result.objectValue,
                  object["protocol"] == "lpj/1", object["byteOrder"]?.stringValue != nil,
                  object["maxBody"]?.numberValue?.int64Value != nil, case .array? = object["methods"]
            else { return .violation(.must, "lpj.describe's answer lacks out \"lpj.description\" or protocol/byteOrder/maxBody/methods", details: [JSONWriter.string(response.json())]) }
            return .passed("describes itself: \(JSONWriter.string(response.result).prefix(160))")
        },
    ]
}
