import LPJWire

/// One response a case expects, and the requirement a server breaks when it sends something else.
public struct Expectation: CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// `out` and a result equal under `msg.value-equality`.
        case response(out: String, result: JSONValue)
        /// An error response with `code`; for `invalid-json` and `invalid-utf8`, `offsets` is the set of
        /// offsets the spec accepts (nil: any integer from 0 to the body length).
        case error(WireError.Code, offsets: [Int]?)
        /// Any successful response.
        case success
        /// Any valid response, success or error.
        case anyAnswer
    }

    public var kind: Kind
    /// Broken when this response is missing or is something else.
    public var requirement: RequirementID
    /// The length of the request body, for checking an offset's range.
    public var bodyLength: Int?
    /// Broken instead of `requirement` when no response comes at all (the connection closed or went
    /// silent) and the content is the cause.
    public var whenMissing: RequirementID?

    public init(_ kind: Kind, _ requirement: RequirementID, bodyLength: Int? = nil) {
        self.kind = kind
        self.requirement = requirement
        self.bodyLength = bodyLength
    }

    /// A pong whose result equals `params`.
    public static func pong(_ params: JSONValue, _ requirement: RequirementID = RequirementID("msg.ping.echo")) -> Expectation {
        Expectation(.response(out: "pong", result: params), requirement)
    }

    /// An error response with `code`.
    public static func error(_ code: WireError.Code, _ requirement: RequirementID, offsets: [Int]? = nil, bodyLength: Int? = nil) -> Expectation {
        Expectation(.error(code, offsets: offsets), requirement, bodyLength: bodyLength)
    }

    public var description: String {
        switch kind {
        case .response(let out, let result): return "\(out) \(JSONWriter.string(result).prefix(80))"
        case .error(let code, let offsets): return "error \(code)" + (offsets.map { " at offset \($0.map(String.init).joined(separator: " or "))" } ?? "")
        case .success: return "a successful response"
        case .anyAnswer: return "a response"
        }
    }

    /// Whether this expectation is an error response.
    public var isError: Bool { if case .error = kind { return true } else { return false } }

    /// The requirements `response` breaks as the answer this expectation describes.
    func violations(_ response: Response) -> [Violation] {
        switch kind {
        case .response(let out, let result):
            if let error = response.errorResult { return [Violation(requirement, "expected out \"\(out)\", got error \(error)")] }
            if response.out != out { return [Violation(requirement, "expected out \"\(out)\", got \"\(response.out)\"")] }
            if result.isSameValue(as: response.result) { return [] }
            return [numberAwareDifference(expected: result, got: response.result)]
        case .error(.frameTooLarge, _) where response.errorResult?.code != WireError.Code.frameTooLarge.rawValue:
            // The frame was read and answered as a request: its body was taken, not refused.
            return [
                Violation(
                    .refuseAtPrefix,
                    "an oversized frame was read and answered (\(JSONWriter.string(response.json()).prefix(80))) instead of refused from its prefix")
            ]
        case .error(let code, let offsets):
            guard let error = response.errorResult else {
                let accepted = Violation(
                    requirement, "expected an error response \(code), got out \"\(response.out)\" with result \(JSONWriter.string(response.result).prefix(80))")
                if code == .invalidUTF8, JSONWriter.string(response.result).unicodeScalars.contains("\u{FFFD}") {
                    return [Violation(.utf8NoRepair, "ill-formed UTF-8 was repaired to U+FFFD and accepted"), accepted]
                }
                return [accepted]
            }
            guard error.code == code.rawValue else { return [Violation(requirement, "expected error code \(code), got \(error)")] }
            return offsetViolations(error, code: code, accepted: offsets)
        case .success:
            return response.errorResult.map { [Violation(requirement, "expected success, got error \($0)")] } ?? []
        case .anyAnswer:
            return []
        }
    }

    /// An offset that is missing where the spec requires it, or outside the accepted set.
    private func offsetViolations(_ error: ErrorResult, code: WireError.Code, accepted: [Int]?) -> [Violation] {
        guard code == .invalidJSON || code == .invalidUTF8 else { return [] }
        guard let offset = error.offset else {
            return [Violation(.errorOffsetRequired, "\(code) error response without an \"offset\" member")]
        }
        if let bodyLength, offset < 0 || offset > bodyLength {
            return [Violation(.errorOffset, "offset \(offset) is outside the body (0 to \(bodyLength))")]
        }
        if let accepted, !accepted.contains(offset) {
            let requirement: RequirementID = requirement == .nestingReject ? .nestingOffset : code == .invalidUTF8 ? .utf8Offset : .jsonTextOffset
            return [
                Violation(requirement, "\(code) at offset \(offset); the spec's offset for this body is \(accepted.map(String.init).joined(separator: " or "))")
            ]
        }
        return []
    }

    /// A differing echo, charged by what differs: an interoperable number breaks
    /// `msg.ping-echo-interoperable` (MUST), another number only `msg.ping-echo-exact` (SHOULD).
    private func numberAwareDifference(expected: JSONValue, got: JSONValue) -> Violation {
        let difference = expected.firstDifference(from: got) ?? "/: members differ"
        let path = difference.range(of: ": ").map { String(difference[..<$0.lowerBound]) } ?? difference
        if case .response("pong", _) = kind, case .number(let wanted)? = expected.value(at: path) {
            let owner: RequirementID = wanted.isInteroperable ? .echoInteroperable : .echoExact
            return Violation(owner, "the echo differs at \(difference)")
        }
        return Violation(requirement, "the result differs at \(difference)")
    }
}

extension JSONValue {
    /// The value at a JSON Pointer-like `path` as `firstDifference` writes it (`/0/a`), or nil.
    func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for token in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch current {
            case .array(let items)?:
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            case .object(let object)?:
                let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                current = object[name]
            default:
                return nil
            }
        }
        return current
    }
}
