import Foundation
import LPJWire

extension CaseCatalog {
    /// Half-close, EOF inside a frame, idle connections, slow senders.
    static let lifecycleCases: [CheckCase] = [
        CheckCase("lifecycle.half-close", "Three pings, then the client shuts down its write side: three pongs, then EOF.",
                  rules: [.connHalfClose, .connOneResponse], level: .must) { context in
            let requests = (1...3).map { Request(method: "ping", params: .number(JSONNumber($0))) }
            let (connection, reply) = try context.exchange(requests.flatMap { context.frame($0) })
            defer { connection.close() }
            return context.judge(reply, expected: requests.map { .pong($0.params) }, level: .must, connection: connection, mustClose: true)
        },
        CheckCase("lifecycle.eof-inside-prefix", "A ping, then 2 octets of a prefix and EOF: the ping answered, nothing else, then closed.",
                  rules: [.connEOFInsideFrame], level: .must, hostile: true) { context in
            let bytes = context.frame(Request(method: "ping", params: "before")) + [0x10, 0x00]
            let (connection, reply) = try context.exchange(bytes)
            defer { connection.close() }
            return context.judge(reply, expected: [.pong("before")], level: .must, connection: connection, mustClose: true)
        },
        CheckCase("lifecycle.eof-inside-body", "A ping, then a frame cut 5 octets short and EOF: the ping answered, nothing else, then closed.",
                  rules: [.connEOFInsideFrame], level: .must, hostile: true) { context in
            let bytes = context.frame(Request(method: "ping", params: "before")) + context.frame(Request(method: "ping", params: "cut")).dropLast(5)
            let (connection, reply) = try context.exchange(bytes)
            defer { connection.close() }
            return context.judge(reply, expected: [.pong("before")], level: .must, connection: connection, mustClose: true)
        },
        CheckCase("lifecycle.idle-connection", "A connection idle for 1.5 s still gets its pong.",
                  rules: [.connIdleTimeout], level: .informational) { context in
            let connection = try context.connect()
            defer { connection.close() }
            usleep(1_500_000)
            try connection.send(Request(method: "ping", params: "after idling"))
            let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            if reply.responses.first?.out == "pong" { return .informational("kept open after 1.5 s idle") }
            return .informational("closed or silent after 1.5 s idle (an idle time-out under 30 s is below the spec's recommended default)")
        },
        CheckCase("lifecycle.slow-sender", "A ping sent one octet every 20 ms is answered.",
                  rules: [.frameReadsArePartial, .secSlowSender], level: .must) { context in
            let connection = try context.connect()
            defer { connection.close() }
            for octet in context.frame(Request(method: "ping", params: "slow")) {
                try connection.send([octet])
                usleep(20_000)
            }
            let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            return context.judge(reply, expected: [.pong("slow")], level: .must, connection: connection)
        },
    ]
}
