import LPJFixtures
import LPJWire

extension CaseCatalog {
    /// Requests the fixtures do not hold: method-name matching, request shapes, unknown members, params
    /// of every type, nesting against the server's own limit.
    static let messageCases: [CheckCase] = [
        CheckCase(
            "message.method-names", "\"Ping\", \"ping \", \"pin\", \"pingx\" and \"\" are not ping: each answered unknown-method, case-sensitive and exact.",
            covers: [.methodNamesExact, .methodAnyString]
        ) { context in
            try answers(
                context,
                ["Ping", "ping ", " ping", "pin", "pingx", "PING", "e\u{301}", "\u{e9}"].map {
                    (Request(method: $0, params: 1).body(), .error(.unknownMethod, .methodNamesExact))
                }
                    + [(Request(method: "", params: 1).body(), .error(.unknownMethod, .methodAnyString))])
        },
        CheckCase(
            "message.reserved-names",
            "\"lpj.ping\", \"lpj.stats\" and \"lpj.nothing\" are answered unknown-method: lpj/1 defines no lpj. method but lpj.describe.",
            covers: [.reservedMethodNames]
        ) { context in
            try answers(
                context,
                ["lpj.ping", "lpj.stats", "lpj.nothing"].map { (Request(method: $0, params: nil).body(), .error(.unknownMethod, .reservedMethodNames)) })
        },
        CheckCase(
            "message.request-shapes",
            "in missing, params missing, in null or a number, in and params duplicated (once escaped), an unknown method without params: each invalid-request.",
            covers: [.requestReject, .duplicateMembersReject, .requestCheckOrder]
        ) { context in
            let bodies: [(String, RequirementID)] = [
                (#"{"params":1}"#, .requestReject), (#"{"in":"ping"}"#, .requestReject), (#"{"in":null,"params":1}"#, .requestReject),
                (#"{"in":7,"params":1}"#, .requestReject), (#"{"in":["ping"],"params":1}"#, .requestReject),
                (#"{"in":"no-such-method"}"#, .requestCheckOrder),
                (#"{"in":"ping","params":1,"params":1}"#, .duplicateMembersReject),
                (#"{"in":"ping","\u0069n":"ping","params":1}"#, .duplicateMembersReject),
            ]
            return try answers(context, bodies.map { (Array($0.0.utf8), .error(.invalidRequest, $0.1)) })
        },
        CheckCase(
            "message.unknown-members", "A ping with members id, jsonrpc and a duplicated x: answered as a plain ping, none of them copied into the response.",
            covers: [.unknownMembersIgnored, .unknownMembersNotCopied]
        ) { context in
            let body = Array(#"{"id":7,"in":"ping","jsonrpc":"2.0","x":1,"x":2,"params":"members"}"#.utf8)
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            let outcome = context.judge(reply, expected: [.pong("members", .unknownMembersIgnored)], connection: connection, delivery: delivery)
            guard outcome.verdict == .passed, let frame = reply.frames.first, let object = try? JSONParser.parse(frame.body).objectValue else { return outcome }
            let copied = ["id", "jsonrpc", "x"].filter { object[$0] != nil }
            if !copied.isEmpty {
                return .broke(.unknownMembersNotCopied, "the response copies \(copied.joined(separator: ", ")) from the request", sent: connection.sent)
            }
            return outcome
        },
        CheckCase(
            "message.params-of-every-type", "ping with params of every JSON type, empty and nested: each echoed, never invalid-params.",
            covers: [.pingEcho, .pingNoInvalidParams]
        ) { context in
            let values: [JSONValue] = [.null, true, false, 0, -1, "", "text", [], [:], [[[]]], ["a": ["b": [1, "c", nil]]]]
            return try answers(context, values.map { (Request(method: "ping", params: $0).body(), .pong($0, .pingNoInvalidParams)) })
        },
        CheckCase(
            "message.numbers",
            "ping with tiny, long and interoperable numbers (1e-400, 30 digits, 0.1): not rejected, interoperable ones echoed equal; then 1e400 and -1e400, which binary64 cannot hold: echoed, rounded (a warning), or an error other than invalid-json and invalid-params (a warning).",
            covers: [.numbersNotRejected, .echoInteroperable, .echoExact, .pingNoInvalidParams]
        ) { context in
            let held = numbersPing(["1e-400", "123456789012345678901234567890", "0.1", "9007199254740991", "-0", "1E2", "2.5e-3"])
            let heldOutcome = try answers(context, [(held.body, .pong(held.params, .numbersNotRejected))])
            guard heldOutcome.verdict != .failed else { return heldOutcome }
            let huge = numbersPing(["1e400", "-1e400"])
            let delivery = Delivery.oneWrite(context.frame(huge.body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            var hugeOutcome = context.judge(reply, expected: [.pong(huge.params, .numbersNotRejected)], connection: connection, delivery: delivery)
            if let response = reply.responses.first,
                let violation = UnholdableNumbers.violation(response, statedNumbers: context.target.stated("numbers")?.stringValue)
            {
                hugeOutcome = .broke([violation], sent: connection.sent)
            }
            // A rounding warning on the first ping does not hide what the second shows.
            guard heldOutcome.verdict != .passed else { return hugeOutcome }
            guard hugeOutcome.verdict != .passed else { return heldOutcome }
            return .broke(heldOutcome.violations + hugeOutcome.violations, sent: hugeOutcome.sent)
        },
        CheckCase(
            "message.depth-at-limit",
            "ping nested to depth 64, and to the depth limit lpj.describe states, is echoed; one level deeper is refused at the offset of its first opening bracket past the limit, the message naming the limit (or echoed, by a server without a fixed limit).",
            covers: [.nestingAccept, .describeMaxDepth, .nestingReject, .nestingOffset, .nestingMessage]
        ) { context in
            let sixtyFour = nested(depth: 64)
            var cases: [([UInt8], Expectation)] = [(sixtyFour.body, .pong(sixtyFour.params, .nestingAccept))]
            guard let limit = context.target.maxDepth, limit >= 64, limit < 100_000 else { return try answers(context, cases) }
            // The echo of a body of depth D is a response of depth D: past the deepest response this
            // checker reads, the stated limit is checked as far as it can read, and said so.
            let checked = min(limit, deepestJudgedEcho)
            let at = nested(depth: checked)
            if checked > 64 { cases.append((at.body, .pong(at.params, .describeMaxDepth))) }
            let passed = try answers(context, cases)
            guard passed.verdict == .passed else { return passed }
            guard checked == limit else {
                return .passed(
                    "depth 64 and depth \(checked) echoed; the stated maxDepth \(limit) is over \(deepestJudgedEcho), the deepest echo this checker reads, so neither depth \(limit) nor its refusal of depth \(limit + 1) was tried"
                )
            }
            let over = nested(depth: limit + 1)
            guard over.body.count <= context.target.guaranteedBody, limit + 1 <= deepestJudgedEcho else { return passed }
            let delivery = Delivery.oneWrite(context.frame(over.body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            if let response = reply.responses.first, response.out == "pong" {
                return .informational(
                    "echoes depth \(limit + 1), past the maxDepth \(limit) it states: no fixed limit (allowed; maxDepth is what it guarantees)")
            }
            var outcome = context.judge(
                reply, expected: [.error(.invalidJSON, .nestingReject, offsets: over.body.depth(limit: limit).map { [$0] }, bodyLength: over.body.count)],
                connection: connection, delivery: delivery, afterwards: .open(.errorKeepsConnection))
            if outcome.verdict == .passed, let message = reply.responses.first?.errorResult?.message, !message.contains(String(limit)) {
                outcome = .broke(
                    .nestingMessage, "the depth refusal's message does not name the limit \(limit): \"\(message.prefix(80))\"", sent: connection.sent)
            }
            return outcome
        },
        CheckCase(
            "message.depth-hostile",
            "100,000 opening brackets as params (fewer, as many as fit, under a smaller limit: 65,513 at 65,536): refused with invalid-json (or echoed, without a depth limit), never a closed connection.",
            covers: [.nestingNoCrash, .nestingReject]
        ) { context in
            let head = Array(#"{"in":"ping","params":"#.utf8)
            let brackets = min(100_000, context.target.guaranteedBody - head.count - 1)
            let body = head + [UInt8](repeating: 0x5b, count: brackets) + [0x7d]
            var expectation = Expectation(.anyAnswer, .nestingNoCrash)
            expectation.whenMissing = .nestingNoCrash
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            if let error = reply.responses.first?.errorResult, error.code != WireError.Code.invalidJSON.rawValue {
                return .broke(.nestingReject, "\(brackets) unclosed brackets answered \(error), not invalid-json", sent: connection.sent)
            }
            return context.judge(reply, expected: [expectation], connection: connection, delivery: delivery)
        },
        CheckCase(
            "message.surrogate-escapes",
            "Lone and misordered surrogate escapes (\\udc00, \\udc00\\ud800, \\ud800\\u0041, \\ud800x, \\ud800 at the end): each invalid-json at the spec's offset.",
            covers: [.loneSurrogateReject, .jsonTextOffset]
        ) { context in
            let strings = [#""\udc00""#, #""\udc00\ud800""#, #""\ud800\u0041""#, #""\ud800x""#, #""a\ud800""#, #""\uDBFF\uDBFF""#]
            return try answers(
                context, strings.map { (Array(#"{"in":"ping","params":"#.utf8) + Array($0.utf8) + [0x7d], .error(.invalidJSON, .loneSurrogateReject)) })
        },
        CheckCase(
            "message.not-json-whitespace", "Form feed, vertical tab, no-break space and U+FEFF between tokens are not JSON whitespace: each invalid-json.",
            covers: [.jsonTextReject, .jsonTextOffset]
        ) { context in
            let separators: [[UInt8]] = [[0x0c], [0x0b], [0xc2, 0xa0], [0xef, 0xbb, 0xbf]]
            return try answers(
                context, separators.map { (Array(#"{"in":"ping","params":"#.utf8) + $0 + Array("1}".utf8), .error(.invalidJSON, .jsonTextReject)) })
        },
        CheckCase(
            "message.trailing-commas",
            "A comma before the closing brace of an object, in params ({\"a\":1,}, nested) and in the message object: each invalid-json.",
            covers: [.jsonTextReject, .jsonTextOffset]
        ) { context in
            let bodies = [#"{"in":"ping","params":{"a":1,}}"#, #"{"in":"ping","params":[{"a":[1] , },2]}"#, #"{"in":"ping","params":1,}"#]
            return try answers(context, bodies.map { (Array($0.utf8), .error(.invalidJSON, .jsonTextReject)) })
        },
        CheckCase(
            "message.escaped-names", "Member names written with escapes (\\u0069n, p\\u0061rams) are the names in and params: answered as a ping.",
            covers: [.escapesSameString]
        ) { context in
            try answers(
                context,
                [
                    (Array(#"{"\u0069n":"ping","p\u0061rams":"escaped names"}"#.utf8), .pong("escaped names", .escapesSameString)),
                    (Array(#"{"in":"p\u0069ng","params":"escaped method"}"#.utf8), .pong("escaped method", .escapesSameString)),
                ])
        },
        CheckCase(
            "message.nul-in-strings", "U+0000 escaped inside a string is a character: echoed, the string not cut at it.",
            covers: [.escapesNul]
        ) { context in
            try answers(context, [(Array(#"{"in":"ping","params":["a\u0000b","\u0000"]}"#.utf8), .pong(["a\u{0}b", "\u{0}"], .escapesNul))])
        },
        CheckCase(
            "message.noncharacters", "Raw U+FFFE, U+FFFF, U+FDD0 and U+10FFFF are well-formed UTF-8: echoed.",
            covers: [.utf8Noncharacters]
        ) { context in
            var text = ""
            text.unicodeScalars.append(contentsOf: [0xFFFE, 0xFFFF, 0xFDD0, 0x10FFFF].compactMap(Unicode.Scalar.init))
            return try answers(context, [(Request(method: "ping", params: .string(text)).body(), .pong(.string(text), .utf8Noncharacters))])
        },
        CheckCase(
            "message.utf8-before-json", "A body with ill-formed UTF-8 before a JSON defect is invalid-utf8; one with the JSON defect first is invalid-json.",
            covers: [.utf8Precedence]
        ) { context in
            let utf8First = Array(#"{"in":"ping","params":""#.utf8) + [0xff] + Array(#"",,}"#.utf8)
            let jsonFirst = Array(#"{"in":"ping",,"params":""#.utf8) + [0xff] + Array(#""}"#.utf8)
            return try answers(context, [(utf8First, .error(.invalidUTF8, .utf8Precedence)), (jsonFirst, .error(.invalidJSON, .utf8Precedence))])
        },
        CheckCase(
            "message.unknown-method-named", "An unknown method's error message names the method.",
            covers: [.unknownMethodMessage]
        ) { context in
            let delivery = Delivery.oneWrite(context.frame(Request(method: "frobnicate-7", params: nil)))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            let outcome = context.judge(reply, expected: [.error(.unknownMethod, .unknownMethodAnswer)], connection: connection, delivery: delivery)
            guard outcome.verdict == .passed, let message = reply.responses.first?.errorResult?.message else { return outcome }
            if !message.contains("frobnicate-7") { return .broke(.unknownMethodMessage, "the message does not name the method: \"\(message.prefix(80))\"") }
            return outcome
        },
        CheckCase(
            "message.newline-between-frames",
            "A ping, a newline octet, then a ping: the newline is the first octet of the next prefix, so only the first ping is answered.",
            covers: [.bodyFollowsReceiver]
        ) { context in
            let delivery = Delivery.oneWrite(
                context.frame(Request(method: "ping", params: "first")) + [0x0a] + context.frame(Request(method: "ping", params: "second")))
            let connection = try context.connect()
            defer { connection.close() }
            try delivery.send(on: connection)
            var reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            // A server that skips the newline answers the second ping right after the first.
            if reply.frames.count == 1, !reply.closed {
                let more = connection.read(count: 1, timeoutMilliseconds: 500)
                reply.frames += more.frames
            }
            if reply.responses.count > 1, reply.responses[1].out == "pong" {
                return .broke(.bodyFollowsReceiver, "the octet 0a after the first frame was skipped, and the second ping answered", sent: connection.sent)
            }
            return context.judge(Self.firstFrame(reply), expected: [.pong("first")], connection: connection, delivery: delivery)
        },
        CheckCase(
            "message.silent-until-asked", "A new connection that sends nothing for 300 ms receives nothing: no greeting, no notice.",
            covers: [.nothingElse], extraMilliseconds: 300
        ) { context in
            let connection = try context.connect(settingAsideGreeting: false)
            defer { connection.close() }
            let reply = connection.read(timeoutMilliseconds: 300)
            if !connection.received.isEmpty {
                return .broke(
                    .nothingElse,
                    "\(connection.received.count) octet(s) arrived before any request: \(String(decoding: connection.received.prefix(60), as: UTF8.self))")
            }
            if reply.closed { return .broke(.nothingElse, "the server closed a new connection before any request") }
            return .passed("nothing before the first request")
        },
    ]

    /// A ping whose params are an array of the numbers `texts`, written as given: its body and its params.
    static func numbersPing(_ texts: [String]) -> (body: [UInt8], params: JSONValue) {
        let body = Array(#"{"in":"ping","params":["#.utf8) + Array(texts.joined(separator: ",").utf8) + Array("]}".utf8)
        return (body, .array(texts.map { .number(JSONNumber($0)!) }))
    }

    /// The reply with only its first frame, for cases that judge what follows themselves.
    static func firstFrame(_ reply: ProbeConnection.Reply) -> ProbeConnection.Reply {
        var first = reply
        first.frames = Array(reply.frames.prefix(1))
        // What follows the first frame is judged by the case; a stream broken before it is not.
        if !first.frames.isEmpty { first.framingError = nil }
        return first
    }

    /// The deepest body whose echo this checker reads: the echo `{"out":"pong","result":...}` is as deep
    /// as the request, and responses are parsed to `JSONParser.Options.largestMaxDepth`.
    static let deepestJudgedEcho = JSONParser.Options.largestMaxDepth

    /// A ping nested to body depth `depth` (the message object counts 1): its body and its params. The
    /// body is written out directly, `[` × (depth − 1), `1`, `]` × (depth − 1), so that no depth makes
    /// the writer recurse.
    static func nested(depth: Int) -> (body: [UInt8], params: JSONValue) {
        let levels = max(0, depth - 1)
        var params: JSONValue = 1
        for _ in 0..<levels { params = .array([params]) }
        let body =
            Array(#"{"in":"ping","params":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: levels)
            + [UInt8(ascii: "1")] + [UInt8](repeating: UInt8(ascii: "]"), count: levels) + [UInt8(ascii: "}")]
        return (body, params)
    }

    /// Sends each body on a fresh connection and judges its one response; the first that fails. An
    /// `invalid-json` or `invalid-utf8` expectation without offsets gets the ones spec Section 4.1 accepts.
    static func answers(_ context: CheckContext, _ cases: [([UInt8], Expectation)]) throws -> CaseOutcome {
        for (body, var expectation) in cases {
            // A body deeper than 64 is judged by a depth limit, known only when the server states it.
            if case .error(let code, nil) = expectation.kind, code == .invalidJSON || code == .invalidUTF8,
                context.target.maxDepth != nil || body.depth(limit: 64) == nil,
                let defect = BodyDefect.find(in: body, maxDepth: context.target.maxDepth ?? 512), defect.code == code
            {
                expectation.kind = .error(code, offsets: defect.offsets)
                expectation.bodyLength = body.count
            }
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            var outcome = context.judge(
                reply, expected: [expectation], connection: connection, delivery: delivery,
                afterwards: .open(expectation.isError ? .errorKeepsConnection : .oneResponse))
            connection.close()
            if outcome.verdict != .passed {
                outcome.summary = "\(String(decoding: body.prefix(60), as: UTF8.self))\(body.count > 60 ? "…" : ""): " + outcome.summary
                return outcome
            }
        }
        return .passed("\(cases.count) request(s) answered as the spec requires")
    }
}
