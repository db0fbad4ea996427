import LPJWire

/// `body.nested-duplicates`: a ping whose `params` repeat a member name may be echoed with every member,
/// with the last or the first of each name, or refused with `invalid-params` — never `invalid-json`.
/// A server that states its choice in `lpj.describe` (`duplicates`) is held to it.
enum NestedDuplicates {
    /// The four permitted behaviours, as `lpj.describe` names them.
    static let behaviours = ["all", "last", "first", "reject"]

    static func judge(_ context: CheckContext, wire: [UInt8]) throws -> CaseOutcome {
        let bodies = FrameWalk.bodies(wire, order: context.target.byteOrder, limit: context.target.maxBody)
        guard let body = bodies.first, let request = try? Request(body: body) else { return .skipped("the fixture holds no request") }
        let delivery = Delivery.oneWrite(wire)
        let (connection, reply) = try context.exchange(delivery, count: 1)
        defer { connection.close() }
        guard let response = reply.responses.first else {
            return context.judge(reply, expected: [Expectation(.anyAnswer, .nestedDuplicatesNotJSONError)], connection: connection, delivery: delivery)
        }
        if let error = response.errorResult, error.code == WireError.Code.invalidJSON.rawValue {
            return .broke(
                .nestedDuplicatesNotJSONError, "duplicate member names inside params answered with \(error): they are not a JSON grammar error",
                sent: connection.sent)
        }
        let observed = behaviour(of: response, params: request.params)
        let stated = context.target.stated("duplicates")?.stringValue
        guard let observed else {
            return .broke(
                .nestedPermitted,
                "the echo matches none of the four permitted behaviours (all, last, first, reject): got \(JSONWriter.string(response.json()).prefix(120))",
                sent: connection.sent)
        }
        if let stated, stated != observed {
            return .broke(
                .describeStatedChoices, "lpj.describe states duplicates \"\(stated)\", but the server behaves as \"\(observed)\"", sent: connection.sent)
        }
        return .informational("duplicate member names inside params: \(observed)\(stated == nil ? " (not stated in lpj.describe)" : ", as stated")")
    }

    /// Which permitted behaviour `response` shows for `params`, or nil.
    static func behaviour(of response: Response, params: JSONValue) -> String? {
        if response.errorResult?.code == WireError.Code.invalidParams.rawValue { return "reject" }
        guard response.out == "pong" else { return nil }
        if params.isSameValue(as: response.result) { return "all" }
        if deduplicated(params, keepLast: true).isSameValue(as: response.result) { return "last" }
        if deduplicated(params, keepLast: false).isSameValue(as: response.result) { return "first" }
        return nil
    }

    /// `value` with one member per name in every object: the last or the first, at the first one's place.
    static func deduplicated(_ value: JSONValue, keepLast: Bool) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { deduplicated($0, keepLast: keepLast) })
        case .object(let object):
            var kept: [JSONObject.Member] = []
            var index: [String: Int] = [:]
            for member in object.members {
                let member = JSONObject.Member(member.name, deduplicated(member.value, keepLast: keepLast))
                if let at = index[member.name] {
                    if keepLast { kept[at] = member }
                } else {
                    index[member.name] = kept.count
                    kept.append(member)
                }
            }
            return .object(JSONObject(kept))
        default: return value
        }
    }
}
