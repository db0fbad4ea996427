import LPJWire

extension CaseCatalog {
    /// Requests the fixtures do not hold: method-name matching, request shapes, unknown members, params
    /// of every type, nesting against the server's own limit.
    static let messageCases: [CheckCase] = [
        CheckCase("message.method-names", "\"Ping\", \"ping \", \"pin\", \"pingx\" and \"\" are not ping: each answered unknown-method, case-sensitive and exact.",
                  covers: [.methodNamesExact]) { context in
            try answers(context, ["Ping", "ping ", " ping", "pin", "pingx", "PING", ""].map { (Request(method: $0, params: 1).body(), .error(.unknownMethod, .methodNamesExact)) })
        },
        CheckCase("message.reserved-names", "\"lpj.ping\" and \"lpj.nothing\" are answered unknown-method.",
                  covers: [.unknownMethodAnswer]) { context in
            try answers(context, ["lpj.ping", "lpj.nothing"].map { (Request(method: $0, params: nil).body(), .error(.unknownMethod, .unknownMethodAnswer)) })
        },
        CheckCase("message.request-shapes", "in missing, params missing, in null or a number, in and params duplicated (once escaped), an unknown method without params: each invalid-request.",
                  covers: [.requestReject, .duplicateMembersReject]) { context in
            let bodies: [(String, RequirementID)] = [
                (#"{"params":1}"#, .requestReject), (#"{"in":"ping"}"#, .requestReject), (#"{"in":null,"params":1}"#, .requestReject),
                (#"{"in":7,"params":1}"#, .requestReject), (#"{"in":["ping"],"params":1}"#, .requestReject),
                (#"{"in":"no-such-method"}"#, .requestReject),
                (#"{"in":"ping","params":1,"params":1}"#, .duplicateMembersReject),
                (#"{"in":"ping","\u0069n":"ping","params":1}"#, .duplicateMembersReject),
            ]
            return try answers(context, bodies.map { (Array($0.0.utf8), .error(.invalidRequest, $0.1)) })
        },
        CheckCase("message.unknown-members", "A ping with members id, jsonrpc and a duplicated x: answered as a plain ping, none of them copied into the response.",
                  covers: [.unknownMembersIgnored, .unknownMembersNotCopied]) { context in
            let body = Array(#"{"id":7,"in":"ping","jsonrpc":"2.0","x":1,"x":2,"params":"members"}"#.utf8)
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            let outcome = context.judge(reply, expected: [.pong("members", .unknownMembersIgnored)], connection: connection, delivery: delivery)
            guard outcome.verdict == .passed, let frame = reply.frames.first, let object = try? JSONParser.parse(frame.body).objectValue else { return outcome }
            let copied = ["id", "jsonrpc", "x"].filter { object[$0] != nil }
            if !copied.isEmpty { return .broke(.unknownMembersNotCopied, "the response copies \(copied.joined(separator: ", ")) from the request", sent: connection.sent) }
            return outcome
        },
        CheckCase("message.params-of-every-type", "ping with params of every JSON type, empty and nested: each echoed, never invalid-params.",
                  covers: [.pingEcho, .pingNoInvalidParams]) { context in
            let values: [JSONValue] = [.null, true, false, 0, -1, "", "text", [], [:], [[[]]], ["a": ["b": [1, "c", nil]]]]
            return try answers(context, values.map { (Request(method: "ping", params: $0).body(), .pong($0, .pingNoInvalidParams)) })
        },
        CheckCase("message.numbers", "ping with huge, tiny and long numbers (1e400, -1e400, 1e-400, 30 digits): not rejected; interoperable ones echoed equal.",
                  covers: [.numbersNotRejected, .echoInteroperable, .echoExact]) { context in
            let texts = ["1e400", "-1e400", "1e-400", "123456789012345678901234567890", "0.1", "9007199254740991", "-0", "1E2", "2.5e-3"]
            let body = Array(#"{"in":"ping","params":["#.utf8) + Array(texts.joined(separator: ",").utf8) + Array("]}".utf8)
            let params = JSONValue.array(texts.map { .number(JSONNumber(String($0))!) })
            return try answers(context, [(body, .pong(params, .numbersNotRejected))])
        },
        CheckCase("message.depth-at-limit", "ping nested to the depth limit lpj.describe states (64 when it states none) is echoed; one level deeper is refused at the right offset.",
                  covers: [.nestingAccept, .nestingReject, .nestingOffset]) { context in
            let limit = context.target.maxDepth ?? 64
            let at = nested(depth: limit)
            var cases: [([UInt8], Expectation)] = [(at.body, .pong(at.params, .nestingAccept))]
            if context.target.maxDepth != nil, limit < 100_000 {
                let over = nested(depth: limit + 1)
                cases.append((over.body, .error(.invalidJSON, .nestingReject, offsets: over.body.depth(limit: limit).map { [$0] }, bodyLength: over.body.count)))
            }
            return try answers(context, cases)
        },
        CheckCase("message.depth-hostile", "100,000 opening brackets as params (within the limit): refused with invalid-json, the server still answering.",
                  covers: [.nestingReject]) { context in
            let body = Array(#"{"in":"ping","params":"#.utf8) + [UInt8](repeating: 0x5b, count: 100_000) + [0x7d]
            guard body.count <= context.target.maxBody else { return .skipped("over the server's limit") }
            return try answers(context, [(body, .error(.invalidJSON, .nestingReject, offsets: nil, bodyLength: body.count))])
        },
    ]

    /// A ping nested to body depth `depth` (the message object counts 1): its body and its params.
    static func nested(depth: Int) -> (body: [UInt8], params: JSONValue) {
        var params: JSONValue = 1
        for _ in 0..<max(0, depth - 1) { params = .array([params]) }
        return (Request(method: "ping", params: params).body(), params)
    }

    /// Sends each body on a fresh connection and judges its one response; the first that fails.
    static func answers(_ context: CheckContext, _ cases: [([UInt8], Expectation)]) throws -> CaseOutcome {
        for (body, expectation) in cases {
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            var outcome = context.judge(reply, expected: [expectation], connection: connection, delivery: delivery,
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
