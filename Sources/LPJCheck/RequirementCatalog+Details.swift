/// Requirements a careful reader of the wire tells apart from their neighbours: which part of an
/// error object is wrong, what a sender got wrong about a frame, which order or count rule broke.
extension RequirementID {
    // MARK: Framing
    public static let prefixSizeSender: RequirementID = "frame.prefix-size.sender"
    public static let bodyFollowsReceiver: RequirementID = "frame.body-follows.receiver"
    public static let zeroLengthFraming: RequirementID = "frame.zero-length.framing"
    public static let beforeReading: RequirementID = "frame.limit-before-allocation.before-reading"
    public static let oversizeAfterEarlier: RequirementID = "frame.oversize-error-reply.after-earlier"
    public static let oversizeNoOffset: RequirementID = "frame.oversize-error-reply.no-offset"
    public static let oversizeMessage: RequirementID = "frame.oversize-error-reply.message"
    public static let singleWriteNoGap: RequirementID = "frame.single-write.no-gap"

    // MARK: Byte order
    public static let autoWholeConnection: RequirementID = "order.auto-detect.whole-connection"
    public static let bigEveryPrefix: RequirementID = "order.big-mode.every-prefix"

    // MARK: Body
    public static let utf8Offset: RequirementID = "body.utf8.offset"
    public static let utf8NoRepair: RequirementID = "body.utf8.no-repair"
    public static let utf8Noncharacters: RequirementID = "body.utf8.noncharacters"
    public static let bomSender: RequirementID = "body.no-bom.sender"
    public static let jsonTextOffset: RequirementID = "body.json-text.offset"
    public static let objectSender: RequirementID = "body.object.sender"
    public static let loneSurrogateSender: RequirementID = "body.no-lone-surrogates.sender"
    public static let escapesSameString: RequirementID = "body.escapes-equal.same-string"
    public static let escapesNul: RequirementID = "body.escapes-equal.nul"
    public static let nestingMessage: RequirementID = "body.nesting-limit.message"
    public static let nestingNoCrash: RequirementID = "body.nesting-limit.no-crash"
    public static let nestedPermitted: RequirementID = "body.nested-duplicates.permitted"

    // MARK: Messages
    public static let requestCheckOrder: RequirementID = "msg.request.check-order"
    public static let methodAnyString: RequirementID = "msg.method-names.any-string"
    public static let errorCode: RequirementID = "msg.error-response.code"
    public static let errorRuleID: RequirementID = "msg.error-response.rule-id"
    public static let unknownMethodMessage: RequirementID = "msg.unknown-method.message"
    public static let describeNoReserved: RequirementID = "msg.describe.no-reserved-methods"

    // MARK: Connection lifecycle
    public static let nothingElse: RequirementID = "conn.one-response.nothing-else"

    // MARK: Security
    public static let connectionLimitRefuse: RequirementID = "sec.connection-limit.refuse"

    static let details: [RequirementID] = [
        prefixSizeSender, bodyFollowsReceiver, zeroLengthFraming, beforeReading, oversizeAfterEarlier, oversizeNoOffset,
        oversizeMessage, singleWriteNoGap, autoWholeConnection, bigEveryPrefix,
        utf8Offset, utf8NoRepair, utf8Noncharacters, bomSender, jsonTextOffset, objectSender, loneSurrogateSender,
        escapesSameString, escapesNul, nestingMessage, nestingNoCrash, nestedPermitted,
        requestCheckOrder, methodAnyString, errorCode, errorRuleID, unknownMethodMessage, describeNoReserved,
        nothingElse, connectionLimitRefuse,
    ]
}
