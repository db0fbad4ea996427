import Foundation
import LPJWire

extension CaseCatalog {
    /// Pipelining and body sizes up to the limit, and how the limit is enforced.
    static let streamCases: [CheckCase] = [
        CheckCase("pipelining.300-in-one-write", "300 pings in one write, answered once each, in order.",
                  rules: [.connPipelining, .connInOrder, .connOneResponse], level: .must) { context in
            let requests = (0..<300).map { Request(method: "ping", params: .number(JSONNumber($0))) }
            let (connection, reply) = try context.exchange(requests.flatMap { context.frame($0) }, halfClose: false, count: requests.count)
            defer { connection.close() }
            return context.judge(reply, expected: requests.map { .pong($0.params) }, level: .must, connection: connection)
        },
        CheckCase("pipelining.mixed-errors", "Pings, an unknown method and malformed JSON in one write: each answered in order.",
                  rules: [.connInOrder, .msgErrorKeepsConnection, .connOneResponse], level: .must, hostile: true) { context in
            let bytes = context.frame(Request(method: "ping", params: 1)) + context.frame(Request(method: "lpj.no-such-method", params: nil))
                + context.frame(Array("{\"in\":".utf8)) + context.frame(Request(method: "ping", params: 2))
            let (connection, reply) = try context.exchange(bytes, halfClose: false, count: 4)
            defer { connection.close() }
            return context.judge(reply, expected: [.pong(1), .error(.unknownMethod), .error(.invalidJSON), .pong(2)], level: .must, connection: connection)
        },
        CheckCase("size.sweep", "Pings with bodies from 34 octets up to 65,536 (the least every receiver accepts).",
                  rules: [.frameMaxSizeMinimum, .frameLengthCountsOctets], level: .must) { context in
            for size in [34, 100, 1_000, 4_096, 16_384, 65_535, 65_536] {
                let outcome = try sizedPing(context, size: size, level: .must)
                if outcome.verdict != .passed { return outcome }
            }
            return .passed("bodies of 34 to 65,536 octets all answered")
        },
        CheckCase("size.at-limit", "A ping whose body is exactly the server's limit is answered (the limit is inclusive).",
                  rules: [.frameMaxSizeConfigurable], level: .should) { context in
            guard context.target.maxBodyIsStated || context.target.maxBody <= 1 << 20 else { return .skipped("limit unknown") }
            return try sizedPing(context, size: context.target.maxBody, level: context.target.maxBodyIsStated ? .must : .should)
        },
        CheckCase("size.over-limit", "A prefix announcing limit + 1 octets: refused from the prefix alone, with frame-too-large, then closed.",
                  rules: [.frameLimitBeforeAllocation, .frameOversizeClose, .frameOversizeErrorReply], level: .must, hostile: true) { context in
            let connection = try context.connect()
            defer { connection.close() }
            try connection.send(FrameEncoder(byteOrder: context.target.byteOrder).prefix(forLength: context.target.maxBody + 1))
            // No body follows: a server that waits for it instead of refusing at once never answers.
            let reply = connection.read(timeoutMilliseconds: context.target.timeoutMilliseconds)
            if reply.timedOut && !reply.closed {
                return .violation(.must, "no refusal within \(context.target.timeoutMilliseconds) ms: the server waits for a body over its limit",
                                  details: ["expected: frame-too-large and close as soon as the prefix is read (frame.limit-before-allocation)"], sent: connection.sent)
            }
            let refusedWith = reply.responses.first?.errorResult?.code
            if refusedWith == "frame-too-large", reply.closed { return .passed("frame-too-large, then closed") }
            if reply.frames.isEmpty, reply.closed {
                return .violation(.should, "closed\(reply.reset ? " with a reset" : "") without an error response (frame.oversize-error-reply)", sent: connection.sent)
            }
            return context.judge(reply, expected: [.error(.frameTooLarge, level: .should)], level: .must, connection: connection, mustClose: true)
        },
    ]

    /// A ping whose body is exactly `size` octets.
    static func sizedPing(_ context: CheckContext, size: Int, level: CaseLevel) throws -> CaseOutcome {
        let overhead = Request(method: "ping", params: "").body().count
        let params = JSONValue.string(String(repeating: "x", count: max(0, size - overhead)))
        let body = Request(method: "ping", params: params).body()
        let connection = try context.connect()
        defer { connection.close() }
        try connection.send(context.frame(body))
        let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds + size / 1_000)
        var outcome = context.judge(reply, expected: [.pong(params)], level: level, connection: connection)
        if outcome.verdict != .passed { outcome.summary = "body of \(body.count) octets: " + outcome.summary } else { outcome.summary = "body of \(body.count) octets answered" }
        outcome.sent = nil
        return outcome
    }
}
