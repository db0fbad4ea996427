/// The stable ID of one requirement in `spec/lpj.md`, such as `frame.length-counts-octets`.
///
/// IDs are not positional: a rule keeps its ID when the spec is reorganised, so fixtures, tests and
/// conformance reports can cite it. Every constant below has a heading of its own in the spec; a test
/// checks that the two lists agree.
public struct RuleID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The ID as written in the spec, e.g. `"frame.prefix-size"`.
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension RuleID {
    // MARK: Framing
    public static let framePrefixSize: RuleID = "frame.prefix-size"
    public static let frameBodyFollows: RuleID = "frame.body-follows"
    public static let frameLengthCountsOctets: RuleID = "frame.length-counts-octets"
    public static let frameReadsArePartial: RuleID = "frame.reads-are-partial"
    public static let frameZeroLength: RuleID = "frame.zero-length"
    public static let frameMaxSizeMinimum: RuleID = "frame.max-size-minimum"
    public static let frameMaxSizeConfigurable: RuleID = "frame.max-size-configurable"
    public static let frameLimitBeforeAllocation: RuleID = "frame.limit-before-allocation"
    public static let frameOversizeClose: RuleID = "frame.oversize-close"
    public static let frameOversizeErrorReply: RuleID = "frame.oversize-error-reply"
    public static let frameSingleWrite: RuleID = "frame.single-write"

    // MARK: Byte order
    public static let orderLittleDefault: RuleID = "order.little-default"
    public static let orderBigMode: RuleID = "order.big-mode"
    public static let orderSameBothDirections: RuleID = "order.same-both-directions"
    public static let orderNativeIsLegacy: RuleID = "order.native-is-legacy"
    public static let orderAutoDetect: RuleID = "order.auto-detect"
    public static let orderAutoAlgorithm: RuleID = "order.auto-algorithm"
    public static let orderMismatchDiagnosis: RuleID = "order.mismatch-diagnosis"

    // MARK: Body
    public static let bodyUTF8: RuleID = "body.utf8"
    public static let bodyNoBOM: RuleID = "body.no-bom"
    public static let bodyJSONText: RuleID = "body.json-text"
    public static let bodyObject: RuleID = "body.object"
    public static let bodyNoLoneSurrogates: RuleID = "body.no-lone-surrogates"
    public static let bodyEscapesEqual: RuleID = "body.escapes-equal"
    public static let bodyNoNonfinite: RuleID = "body.no-nonfinite"
    public static let bodyNumbers: RuleID = "body.numbers"
    public static let bodyNestingMinimum: RuleID = "body.nesting-minimum"
    public static let bodyNestingLimit: RuleID = "body.nesting-limit"
    public static let bodyNestedDuplicates: RuleID = "body.nested-duplicates"

    // MARK: Messages
    public static let msgRequest: RuleID = "msg.request"
    public static let msgResponse: RuleID = "msg.response"
    public static let msgMemberOrder: RuleID = "msg.member-order"
    public static let msgUnknownMembers: RuleID = "msg.unknown-members"
    public static let msgDuplicateMembers: RuleID = "msg.duplicate-members"
    public static let msgMethodNames: RuleID = "msg.method-names"
    public static let msgPing: RuleID = "msg.ping"
    public static let msgValueEquality: RuleID = "msg.value-equality"
    public static let msgPingEchoInteroperable: RuleID = "msg.ping-echo-interoperable"
    public static let msgPingEchoExact: RuleID = "msg.ping-echo-exact"
    public static let msgErrorResponse: RuleID = "msg.error-response"
    public static let msgErrorCodes: RuleID = "msg.error-codes"
    public static let msgUnknownMethod: RuleID = "msg.unknown-method"
    public static let msgErrorKeepsConnection: RuleID = "msg.error-keeps-connection"
    public static let msgDescribe: RuleID = "msg.describe"

    // MARK: Connection lifecycle
    public static let connOneResponse: RuleID = "conn.one-response"
    public static let connInOrder: RuleID = "conn.in-order"
    public static let connPipelining: RuleID = "conn.pipelining"
    public static let connHalfClose: RuleID = "conn.half-close"
    public static let connEOFInsideFrame: RuleID = "conn.eof-inside-frame"
    public static let connIdleTimeout: RuleID = "conn.idle-timeout"
    public static let connIsolation: RuleID = "conn.isolation"
    public static let connClientLimit: RuleID = "conn.client-limit"

    // MARK: Security
    public static let secBufferBound: RuleID = "sec.buffer-bound"
    public static let secSlowSender: RuleID = "sec.slow-sender"
    public static let secSlowReader: RuleID = "sec.slow-reader"
    public static let secConnectionLimit: RuleID = "sec.connection-limit"

    // MARK: Reference extensions
    public static let extSleep: RuleID = "ext.sleep"
    public static let extRelay: RuleID = "ext.relay"

    /// Every rule this library knows, in spec order.
    public static let all: [RuleID] = [
        framePrefixSize, frameBodyFollows, frameLengthCountsOctets, frameReadsArePartial, frameZeroLength,
        frameMaxSizeMinimum, frameMaxSizeConfigurable, frameLimitBeforeAllocation, frameOversizeClose,
        frameOversizeErrorReply, frameSingleWrite,
        orderLittleDefault, orderBigMode, orderSameBothDirections, orderNativeIsLegacy, orderAutoDetect,
        orderAutoAlgorithm, orderMismatchDiagnosis,
        bodyUTF8, bodyNoBOM, bodyJSONText, bodyObject, bodyNoLoneSurrogates, bodyEscapesEqual, bodyNoNonfinite,
        bodyNumbers, bodyNestingMinimum, bodyNestingLimit, bodyNestedDuplicates,
        msgRequest, msgResponse, msgMemberOrder, msgUnknownMembers, msgDuplicateMembers, msgMethodNames, msgPing,
        msgValueEquality, msgPingEchoInteroperable, msgPingEchoExact, msgErrorResponse, msgErrorCodes,
        msgUnknownMethod, msgErrorKeepsConnection, msgDescribe,
        connOneResponse, connInOrder, connPipelining, connHalfClose, connEOFInsideFrame, connIdleTimeout,
        connIsolation, connClientLimit,
        secBufferBound, secSlowSender, secSlowReader, secConnectionLimit,
        extSleep, extRelay,
    ]
}
