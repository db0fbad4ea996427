import NIOCore

/// A response: what kind of answer it is and the answer (`msg.response`).
///
///     {"out":"pong","result":"ireader 0"}
///     {"out":"error","result":{"code":"unknown-method","message":"no method named \"frob\"","rule":"msg.unknown-method"}}
public struct Response: Hashable, Sendable {
    /// The `out` of every error response, reserved for them (`msg.error-response`).
    public static let errorOut = "error"

    /// The kind of answer (`out`): "pong" for ping, "error" for errors.
    public var out: String
    /// The answer (`result`).
    public var result: JSONValue

    public init(out: String, result: JSONValue) {
        self.out = out
        self.result = result
    }

    /// The error response for `error`: its code, message, rule and offset (`msg.error-response`).
    public init(error: WireError) {
        var members: [JSONObject.Member] = [
            .init("code", .string(error.code.rawValue)),
            .init("message", .string(error.message)),
            .init("rule", .string(error.rule.rawValue)),
        ]
        if let offset = error.offset { members.append(.init("offset", .number(JSONNumber(offset)))) }
        self.init(out: Response.errorOut, result: .object(JSONObject(members)))
    }

    /// Checks a parsed body against `body.object`, `msg.response`, `msg.duplicate-members` and, for error
    /// responses, `msg.error-response`. Throws `WireError` with code `invalid-response`.
    public init(json: JSONValue) throws {
        guard case .object(let object) = json else {
            throw WireError(.invalidResponse, rule: .bodyObject, "a response must be a JSON object, found \(json.kindName)", offset: 0)
        }
        for name in ["out", "result"] where object.count(of: name) > 1 {
            throw WireError(.invalidResponse, rule: .msgDuplicateMembers, "member \"\(name)\" appears \(object.count(of: name)) times")
        }
        guard let out = object["out"] else {
            throw WireError(.invalidResponse, rule: .msgResponse, "a response needs an \"out\" member")
        }
        guard case .string(let kind) = out else {
            throw WireError(.invalidResponse, rule: .msgResponse, "member \"out\" must be a string, found \(out.kindName)")
        }
        guard let result = object["result"] else {
            throw WireError(.invalidResponse, rule: .msgResponse, "a response needs a \"result\" member")
        }
        self.init(out: kind, result: result)
        if kind == Response.errorOut, errorResult == nil {
            throw WireError(
                .invalidResponse, rule: .msgErrorResponse,
                "an error response's result must be an object with string members \"code\" and \"message\"")
        }
    }

    /// Parses and checks a response body. Throws `WireError`.
    public init(body: ByteBuffer, options: JSONParser.Options = JSONParser.Options()) throws {
        guard body.readableBytes > 0 else {
            throw WireError(.invalidResponse, rule: .frameZeroLength, "the body is empty: a response must be a JSON object", offset: 0)
        }
        try self.init(json: JSONParser.parse(body, options: options))
    }

    /// Parses and checks a response body. Throws `WireError`.
    public init(body: [UInt8], options: JSONParser.Options = JSONParser.Options()) throws {
        try self.init(body: ByteBuffer(bytes: body), options: options)
    }

    /// The error this response carries, when it is a well-formed error response.
    public var errorResult: ErrorResult? {
        guard out == Response.errorOut, case .object(let object) = result,
            case .string(let code)? = object["code"], case .string(let message)? = object["message"]
        else { return nil }
        return ErrorResult(
            code: code, message: message, rule: object["rule"]?.stringValue,
            offset: object["offset"]?.numberValue?.int64Value.map(Int.init))
    }

    /// The response as a JSON object.
    public func json(order: EnvelopeOrder = .method) -> JSONValue {
        let members = [JSONObject.Member("out", .string(out)), JSONObject.Member("result", result)]
        return .object(JSONObject(order == .method ? members : members.reversed()))
    }

    /// The response body.
    public func body(style: JSONWriter.Style = .compact, order: EnvelopeOrder = .method) -> [UInt8] {
        JSONWriter.bytes(json(order: order), style: style)
    }
}

/// The `result` of an error response: `{"code": ..., "message": ..., "rule": ..., "offset": ...}`.
public struct ErrorResult: Hashable, Sendable, CustomStringConvertible {
    /// The code as sent; see `registeredCode`.
    public var code: String
    public var message: String
    /// The spec rule the server says was broken, if it said.
    public var rule: String?
    /// The byte offset into the request body, if the server said.
    public var offset: Int?

    public init(code: String, message: String, rule: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.rule = rule
        self.offset = offset
    }

    /// The code from the registry; an unknown code counts as `internal-error` (`msg.error-codes`).
    public var registeredCode: WireError.Code { WireError.Code(registered: code) ?? .internalError }

    public var description: String {
        var text = code
        if let rule { text += " [\(rule)]" }
        if let offset { text += " at offset \(offset)" }
        return text + ": " + message
    }
}
