import LPJWire

/// What a method asks the serving model to do with a request.
public enum DispatchOutcome: Sendable {
    /// Send this response now.
    case respond(Response)
    /// Hold the request for `milliseconds` in the model's own way, then send the response (`ext.sleep`).
    case sleep(milliseconds: Int, then: Response)
    /// Call an upstream server and answer with its reply (`ext.relay`).
    case relay(RelayCall)
    /// Close the connection without a reply (only the `no-error-reply` fault's layer asks for it,
    /// `FaultyConnection`).
    case close
}

/// A `relay` request, checked (`ext.relay`).
public struct RelayCall: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var request: Request
    public var timeoutMilliseconds: Int
}

/// The reference server's methods: `ping`, `lpj.describe`, and the extensions `sleep` and `relay`.
public struct MethodTable: Sendable {
    /// Every method name, as `lpj.describe` lists them.
    public static let names = ["ping", "lpj.describe", "sleep", "relay"]
    /// The longest `sleep` accepted.
    public static let maximumSleepMilliseconds = 60_000
    /// The longest upstream call `relay` allows, and the time it allows when `timeout_ms` is absent.
    public static let maximumRelayTimeoutMilliseconds = 600_000
    public static let defaultRelayTimeoutMilliseconds = 5_000

    /// The server's configuration, held by reference: every connection of a server shares one copy.
    let shared: SharedConfiguration
    public var configuration: ServerConfiguration { shared.configuration }

    public init(configuration: ServerConfiguration) {
        self.init(shared: SharedConfiguration(configuration))
    }

    init(shared: SharedConfiguration) {
        self.shared = shared
    }

    /// The outcome for `request`; method names are compared exactly (`msg.method-names`).
    public func dispatch(_ request: Request) -> DispatchOutcome {
        switch request.method {
        case "ping":
            return .respond(Response(out: "pong", result: request.params))
        case "lpj.describe":
            return .respond(Response(out: "lpj.description", result: description))
        case "sleep":
            guard let milliseconds = Self.milliseconds(request.params, member: "ms", range: 0...Self.maximumSleepMilliseconds) else {
                return .respond(
                    Response(
                        error: WireError(
                            .invalidParams, rule: .extSleep,
                            "params must be {\"ms\": an integer from 0 to \(Self.maximumSleepMilliseconds)}")))
            }
            return .sleep(milliseconds: milliseconds, then: Response(out: "slept", result: request.params))
        case "relay":
            return relay(request.params)
        default:
            return .respond(
                Response(
                    error: WireError(
                        .unknownMethod, rule: .msgUnknownMethod,
                        "no method named \(JSONWriter.string(.string(request.method))); this server has \(Self.names.joined(separator: ", "))")))
        }
    }

    /// The result of `lpj.describe` (`msg.describe`).
    public var description: JSONValue {
        // Under --fault limit-off-by-one this still states the configured limit: the fault is in enforcing it.
        let limit = configuration.framing.maxBodyLength
        return .object([
            "protocol": "lpj/1",
            "byteOrder": .string(configuration.framing.byteOrder == .native ? ByteOrder.host.rawValue : configuration.framing.byteOrder.rawValue),
            "maxBody": .number(JSONNumber(limit)),
            "maxDepth": .number(JSONNumber(configuration.parser.maxDepth)),
            "methods": .array(Self.names.map { .string($0) }),
            "server": "lpj-swift/0.1",
            "model": .string(configuration.model.rawValue),
            // Its bounds, so that a runner can hold it to them (msg.describe.choices).
            "idleTimeoutMs": configuration.idleTimeoutMilliseconds.map { .number(JSONNumber($0)) } ?? .null,
            "slowSenderMs": configuration.partialFrameTimeoutMilliseconds.map { .number(JSONNumber($0)) } ?? .null,
            "slowReaderMs": configuration.slowReaderMilliseconds.map { .number(JSONNumber($0)) } ?? .null,
        ])
    }

    private func relay(_ params: JSONValue) -> DispatchOutcome {
        let invalid = DispatchOutcome.respond(
            Response(
                error: WireError(
                    .invalidParams, rule: .extRelay,
                    "params must be {\"host\": string, \"port\": 1-65535, \"in\": string, \"params\": any, \"timeout_ms\": 1-600000 (optional)}")))
        guard let object = params.objectValue, ["host", "in", "params"].allSatisfy({ object.count(of: $0) <= 1 }),
            let host = object["host"]?.stringValue,
            let port = Self.milliseconds(params, member: "port", range: 1...65_535),
            let method = object["in"]?.stringValue, let upstreamParams = object["params"]
        else { return invalid }
        var timeout = Self.defaultRelayTimeoutMilliseconds
        if object["timeout_ms"] != nil {
            guard let value = Self.milliseconds(params, member: "timeout_ms", range: 1...Self.maximumRelayTimeoutMilliseconds) else { return invalid }
            timeout = value
        }
        if let refusal = configuration.relayAllowList.refusal(host: host, port: port) {
            return .respond(Response(error: WireError(.invalidParams, rule: .extRelay, refusal)))
        }
        return .relay(
            RelayCall(
                host: host, port: port, request: Request(method: method, params: upstreamParams),
                timeoutMilliseconds: timeout))
    }

    /// An integral number member within `range` (judged by value: 250, 250.0 and 2.5e2 alike).
    /// A member given more than once is invalid: this server keeps every duplicate member
    /// (`body.nested-duplicates` behaviour 1), so it cannot pick one.
    static func milliseconds(_ params: JSONValue, member: String, range: ClosedRange<Int>) -> Int? {
        guard params.objectValue?.count(of: member) == 1, let number = params.objectValue?[member]?.numberValue else { return nil }
        let value = number.doubleValue
        guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else { return nil }
        return Int(value)
    }
}
