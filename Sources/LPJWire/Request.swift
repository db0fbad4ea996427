import NIOCore

/// A request: a method name and its parameters (`msg.request`).
///
///     {"in":"ping","params":"ireader 0"}
///      └ method     └ params: any JSON value, null included
public struct Request: Hashable, Sendable {
    /// The method name (`in`), compared exactly (`msg.method-names`).
    public var method: String
    /// The parameters (`params`).
    public var params: JSONValue

    public init(method: String, params: JSONValue) {
        self.method = method
        self.params = params
    }

    /// Checks a parsed body against `body.object`, `msg.request` and `msg.duplicate-members`; unknown
    /// members are ignored (`msg.unknown-members`).
    public init(json: JSONValue) throws {
        guard case .object(let object) = json else {
            throw WireError(.invalidRequest, rule: .bodyObject, "a request must be a JSON object, found \(json.kindName)", offset: 0)
        }
        for name in ["in", "params"] where object.count(of: name) > 1 {
            throw WireError(.invalidRequest, rule: .msgDuplicateMembers, "member \"\(name)\" appears \(object.count(of: name)) times")
        }
        guard let method = object["in"] else {
            throw WireError(.invalidRequest, rule: .msgRequest, "a request needs an \"in\" member naming the method")
        }
        guard case .string(let name) = method else {
            throw WireError(.invalidRequest, rule: .msgRequest, "member \"in\" must be a string, found \(method.kindName)")
        }
        guard let params = object["params"] else {
            throw WireError(.invalidRequest, rule: .msgRequest, "a request needs a \"params\" member (null is allowed)")
        }
        self.init(method: name, params: params)
    }

    /// Parses and checks a request body. Throws `WireError`; a zero-length body is `invalid-json`
    /// under `frame.zero-length`.
    public init(body: ByteBuffer, options: JSONParser.Options = JSONParser.Options()) throws {
        guard body.readableBytes > 0 else {
            throw WireError(.invalidJSON, rule: .frameZeroLength, "the body is empty: a request must be a JSON object", offset: 0)
        }
        try self.init(json: JSONParser.parse(body, options: options))
    }

    /// Parses and checks a request body. Throws `WireError`.
    public init(body: [UInt8], options: JSONParser.Options = JSONParser.Options()) throws {
        try self.init(body: ByteBuffer(bytes: body), options: options)
    }

    /// The request as a JSON object.
    public func json(order: EnvelopeOrder = .method) -> JSONValue {
        let members = [JSONObject.Member("in", .string(method)), JSONObject.Member("params", params)]
        return .object(JSONObject(order == .method ? members : members.reversed()))
    }

    /// The request body.
    public func body(style: JSONWriter.Style = .compact, order: EnvelopeOrder = .method) -> [UInt8] {
        JSONWriter.bytes(json(order: order), style: style)
    }
}
