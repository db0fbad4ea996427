import Foundation
import LPJWire

extension CaseCatalog {
    /// Pipelining, body sizes up to the limit, lengths that stress a reader, and how the limit is enforced.
    static let streamCases: [CheckCase] = [
        CheckCase(
            "pipelining.300-in-one-write",
            "300 pings in one write, answered once each, in order, each response frame written whole (never interleaved with another).",
            covers: [.pipelining, .inOrder, .oneResponse, .inOrderContiguous]
        ) { context in
            let requests = (0..<300).map { Request(method: "ping", params: .number(JSONNumber($0))) }
            let delivery = Delivery.oneWrite(requests.flatMap { context.frame($0) })
            let (connection, reply) = try context.exchange(delivery, count: requests.count)
            defer { connection.close() }
            return context.judge(reply, expected: requests.map { .pong($0.params, .pipelining) }, connection: connection, delivery: delivery)
        },
        CheckCase(
            "pipelining.mixed-errors", "Pings, an unknown method and malformed JSON in one write: each answered in order, the connection kept.",
            covers: [.errorKeepsConnection, .inOrder, .unknownMethodAnswer, .jsonTextReject]
        ) { context in
            let malformed = Array("{\"in\":".utf8)
            let bytes =
                context.frame(Request(method: "ping", params: 1)) + context.frame(Request(method: "no-such-method", params: nil))
                + context.frame(malformed) + context.frame(Request(method: "ping", params: 2))
            let delivery = Delivery.oneWrite(bytes)
            let (connection, reply) = try context.exchange(delivery, count: 4)
            defer { connection.close() }
            return context.judge(
                reply,
                expected: [
                    .pong(1, .pipelining), .error(.unknownMethod, .unknownMethodAnswer),
                    .error(.invalidJSON, .jsonTextReject, offsets: [malformed.count], bodyLength: malformed.count),
                    .pong(2, .errorKeepsConnection),
                ],
                connection: connection, delivery: delivery, afterwards: .open(.errorKeepsConnection))
        },
        CheckCase(
            "size.sweep", "Pings with bodies from 34 octets up to 65,536 (the least every receiver accepts).",
            covers: [.maxSizeMinimum]
        ) { context in
            try sizedPings(context, sizes: [34, 100, 1_000, 4_096, 16_384, 65_535, 65_536], requirement: .maxSizeMinimum)
        },
        CheckCase(
            "size.buffer-multiples", "Frames whose whole size is 1,024, 4,096, 8,192 or 65,536 octets: a read that returns exactly a buffer's size.",
            covers: [.readsArePartial]
        ) { context in
            try sizedPings(context, sizes: [1_020, 4_092, 8_188, 65_532, 1_024, 4_096], requirement: .readsArePartial)
        },
        CheckCase(
            "size.high-prefix-octets", "Lengths whose prefix octets are 0x80 or more (128, 200, 255, 33,023): read as unsigned.",
            covers: [.prefixUnsigned]
        ) { context in
            try sizedPings(context, sizes: [128, 200, 255, 33_023], requirement: .prefixUnsigned)
        },
        CheckCase(
            "size.at-limit", "A ping whose body is exactly the limit lpj.describe states is answered (the limit is inclusive).",
            covers: [.limitInclusive]
        ) { context in
            guard context.target.maxBodyIsStated else { return .skipped("the server does not state its limit") }
            return try sizedPings(context, sizes: [context.target.maxBody], requirement: .limitInclusive)
        },
        CheckCase(
            "size.over-limit",
            "A prefix announcing the stated limit + 1 octets: refused from the prefix alone with frame-too-large (no offset, naming length and limit), then closed; the body is never read.",
            covers: [.beforeReading, .refuseAtPrefix, .oversizeCloses, .oversizeErrorReply, .oversizeNoOffset, .oversizeMessage]
        ) { context in
            guard context.target.maxBodyIsStated else { return .skipped("the server does not state its limit (size.max-uint32 checks a refusal)") }
            return try overLimit(context, length: context.target.maxBody + 1)
        },
        CheckCase(
            "size.max-uint32", "A prefix ff ff ff ff (4,294,967,295, never -1) and no body: refused at once, then closed.",
            covers: [.prefixUnsigned, .beforeReading, .oversizeCloses]
        ) { context in
            let outcome = try overLimit(context, length: Int(UInt32.max))
            guard outcome.verdict != .passed, context.target.maxBodyIsStated,
                try overLimit(context, length: context.target.maxBody + 1).verdict == .passed
            else { return outcome }
            // limit + 1 is refused as it should be, ff ff ff ff is not: the length is read as signed.
            return .broke(
                [Violation(.prefixUnsigned, "ff ff ff ff is not refused as 4,294,967,295 although limit + 1 is: the prefix is read as a signed -1")]
                    + outcome.violations, details: outcome.details, sent: outcome.sent)
        },
        CheckCase(
            "size.over-limit-after-ping", "A ping, then a prefix over the limit, in one write: the pong first, then frame-too-large, then closed.",
            covers: [.oversizeEarlierResponses, .oversizeAfterEarlier, .oversizeCloses]
        ) { context in
            guard context.target.maxBodyIsStated else { return .skipped("the server does not state its limit") }
            let prefix = FrameEncoder(byteOrder: context.target.byteOrder).prefix(forLength: context.target.maxBody + 1)
            let delivery = Delivery.oneWrite(context.frame(Request(method: "ping", params: "before")) + prefix)
            let (connection, reply) = try context.exchange(delivery, count: 2)
            defer { connection.close() }
            var expected: [Expectation] = [.pong("before", .oversizeEarlierResponses)]
            if reply.frames.count > 1 || !reply.closed { expected.append(.error(.frameTooLarge, .oversizeErrorReply)) }
            return context.judge(reply, expected: expected, connection: connection, delivery: delivery, afterwards: .closed(.oversizeCloses))
        },
    ]

    /// Pings whose bodies are exactly `sizes` octets, each on its own connection; the first that fails.
    static func sizedPings(_ context: CheckContext, sizes: [Int], requirement: RequirementID) throws -> CaseOutcome {
        for size in sizes {
            let ping = CheckContext.harmlessPing(bodyLength: size)
            let delivery = Delivery.oneWrite(context.frame(ping.body))
            let (connection, reply) = try context.exchange(delivery, count: 1, extraMilliseconds: size / 1_000)
            var outcome = context.judge(reply, expected: [.pong(ping.params, requirement)], connection: connection, delivery: delivery)
            connection.close()
            if outcome.verdict != .passed {
                outcome.summary = "body of \(ping.body.count) octets: " + outcome.summary
                outcome.sent = nil
                return outcome
            }
        }
        return .passed("bodies of \(sizes.map(String.init).joined(separator: ", ")) octets all answered")
    }

    /// A prefix announcing `length` (over the limit) with no body: refused at once, then closed. When the
    /// connection stays open, the body and a ping follow: a pong means the server skipped the body.
    static func overLimit(_ context: CheckContext, length: Int) throws -> CaseOutcome {
        let connection = try context.connect()
        defer { connection.close() }
        let prefix = FrameEncoder(byteOrder: context.target.byteOrder).prefix(forLength: length)
        try connection.send(prefix)
        let reply = connection.read(timeoutMilliseconds: context.target.timeoutMilliseconds)
        let hex = prefix.map(hexByte).joined(separator: " ")
        if reply.timedOut && !reply.closed && reply.frames.isEmpty {
            return .broke(
                .beforeReading,
                "\(hex) (\(length) octets, over the limit \(context.target.maxBody)): no refusal within \(context.target.timeoutMilliseconds) ms; the server waits for the body",
                sent: connection.sent)
        }
        var violations = ResponseInspection.senderViolations(reply, connection: connection)
        if reply.framingError != nil || reply.frames.count > reply.responses.count {
            // The answer came but could not be read: the sender violations say why.
        } else if let response = reply.responses.first {
            if let error = response.errorResult, error.code == WireError.Code.frameTooLarge.rawValue {
                let statesLimit = !context.target.maxBodyIsStated || error.message.contains(String(context.target.maxBody))
                if !error.message.contains(String(length)) || !statesLimit {
                    violations.append(
                        Violation(
                            .oversizeMessage,
                            "\(hex): the message does not state the length \(length)\(context.target.maxBodyIsStated ? " and the limit \(context.target.maxBody)" : ""): \"\(error.message.prefix(80))\""
                        ))
                }
            } else {
                violations.append(Violation(.oversizeErrorReply, "\(hex): answered \(JSONWriter.string(response.json()).prefix(100)), not frame-too-large"))
            }
        } else {
            violations.append(Violation(.oversizeErrorReply, "\(hex): closed\(reply.reset ? " with a reset" : "") without a frame-too-large response"))
        }
        if reply.frames.count > 1 { violations.append(Violation(.oneResponse, "\(reply.frames.count) responses to one oversized prefix")) }
        if !reply.closed {
            let more = connection.read(timeoutMilliseconds: context.target.timeoutMilliseconds)
            if !more.closed {
                violations.append(Violation(.oversizeCloses, "\(hex): the connection stayed open after the refusal"))
                if length <= 4 << 20, skipsBody(connection, length: length, context: context) {
                    violations.append(
                        Violation(
                            .refuseAtPrefix,
                            "\(hex): after the refusal the server read the \(length) body octets (it closed once they came, or answered a ping behind them)"))
                }
            }
        }
        guard !violations.isEmpty else { return .passed("frame-too-large, then closed") }
        return .broke(violations, details: Evidence.hexDump(connection.received, around: 0, title: "received"), sent: connection.sent)
    }

    /// Whether a connection left open after an oversized prefix takes `length` octets as the body and
    /// answers the ping that follows them.
    /// A server that closes once the body has arrived has read it too.
    static func skipsBody(_ connection: ProbeConnection, length: Int, context: CheckContext) -> Bool {
        guard (try? connection.send([UInt8](repeating: 0x20, count: length))) != nil else { return false }
        let drained = connection.read(count: 1, timeoutMilliseconds: 500)
        if drained.closed { return true }
        guard (try? connection.send(Request(method: "ping", params: "after the body"))) != nil else { return false }
        return connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds).responses.first?.out == "pong"
    }
}
