import LPJWire

/// Why a call failed, named the way a user would say it.
public struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Nobody listens at the address.
        public static let refused = Code("refused")
        /// Connecting or answering took longer than the time-out.
        public static let timedOut = Code("timed-out")
        /// The server closed the connection between frames.
        public static let closed = Code("closed")
        /// The server closed the connection inside a frame (`conn.eof-inside-frame`).
        public static let closedMidFrame = Code("closed-mid-frame")
        /// A response prefix over the client's limit (`conn.client-limit`).
        public static let badLength = Code("bad-length")
        /// A response body that is not one valid JSON text.
        public static let badJSON = Code("bad-json")
        /// A response that is JSON but not a valid response (`msg.response`).
        public static let badResponse = Code("bad-response")
        /// Any other socket failure.
        public static let io = Code("io")
    }

    public var code: Code
    public var message: String
    /// The spec rule the server's bytes broke, when they broke one.
    public var rule: RuleID?
    /// The byte offset into the response body (bad JSON) or the stream (framing).
    public var offset: Int?

    public init(_ code: Code, _ message: String, rule: RuleID? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.rule = rule
        self.offset = offset
    }

    /// The client error for a protocol fault found in a response.
    public init(_ error: WireError) {
        switch error.code {
        case .frameTooLarge: self.init(.badLength, error.message, rule: error.rule, offset: error.offset)
        case .truncatedFrame: self.init(.closedMidFrame, error.message, rule: error.rule, offset: error.offset)
        case .invalidResponse: self.init(.badResponse, error.message, rule: error.rule, offset: error.offset)
        default: self.init(.badJSON, error.message, rule: error.rule, offset: error.offset)
        }
    }

    public var description: String {
        var text = code.rawValue
        if let rule { text += " [\(rule)]" }
        if let offset { text += " at offset \(offset)" }
        return text + ": " + message
    }
}
