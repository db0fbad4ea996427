/// A violation of the wire protocol, in the protocol's own terms: which rule broke, where, and why.
///
/// The `code` is the error code an LPJ server puts in its error response (`msg.error-codes`), so the
/// same value travels from the decoder that found the fault to the bytes the peer reads:
///
///     {"out":"error","result":{"code":"invalid-json","message":"...","rule":"body.json-text","offset":17}}
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of fault this is; the closed registry of `msg.error-codes`, plus `truncated-frame`,
    /// which is never sent (the connection just closes, `conn.eof-inside-frame`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let frameTooLarge = Code("frame-too-large")
        public static let invalidUTF8 = Code("invalid-utf8")
        public static let invalidJSON = Code("invalid-json")
        public static let invalidRequest = Code("invalid-request")
        public static let unknownMethod = Code("unknown-method")
        public static let invalidParams = Code("invalid-params")
        public static let internalError = Code("internal-error")
        public static let timeout = Code("timeout")
        public static let upstreamError = Code("upstream-error")
        public static let overloaded = Code("overloaded")
        /// EOF inside a frame. Not in the response registry: nobody is left to answer.
        public static let truncatedFrame = Code("truncated-frame")
        /// A response that breaks `msg.response` or `msg.error-response`, found by a client. Not in the
        /// response registry: servers never send it.
        public static let invalidResponse = Code("invalid-response")

        /// The codes a server may send in an error response (`msg.error-codes`), in spec order.
        public static let registry: [Code] = [
            .frameTooLarge, .invalidUTF8, .invalidJSON, .invalidRequest, .unknownMethod, .invalidParams,
            .internalError, .timeout, .upstreamError, .overloaded,
        ]

        /// The registered code spelled `text`, or `nil` for a code outside the registry.
        public init?(registered text: String) {
            guard let code = Code.registry.first(where: { $0.rawValue == text }) else { return nil }
            self = code
        }
    }

    public var code: Code
    /// The spec rule the input broke.
    public var rule: RuleID
    /// A sentence for a human: what was expected and what was found.
    public var message: String
    /// The byte offset of the fault: into the body for body faults, into the stream for framing faults.
    public var offset: Int?

    public init(_ code: Code, rule: RuleID, _ message: String, offset: Int? = nil) {
        self.code = code
        self.rule = rule
        self.message = message
        self.offset = offset
    }

    public var description: String {
        var text = "\(code) [\(rule)]"
        if let offset { text += " at offset \(offset)" }
        return text + ": " + message
    }
}
