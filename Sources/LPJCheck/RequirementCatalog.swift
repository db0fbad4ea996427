import LPJSpec

/// The requirements the runner cites, by name, with their levels from the spec's inventory.
///
/// Cases never spell a requirement ID as a string: they use these constants, and a test checks that each
/// one exists in the inventory (`spec/requirements.json`), so a renamed requirement breaks the tests, not
/// a report.
public enum RequirementCatalog {
    /// The level of `id` in the inventory, or `nil` when the inventory does not hold it.
    public static func level(of id: RequirementID) -> RequirementLevel? {
        guard let requirement = byID[id.rawValue] else { return nil }
        switch requirement.level {
        case .must, .mustNot: return .must
        case .should, .shouldNot: return .should
        case .may: return .may
        }
    }

    /// The inventory's entry for `id`.
    public static func requirement(_ id: RequirementID) -> SpecRequirement? { byID[id.rawValue] }

    static let byID: [String: SpecRequirement] = Dictionary(SpecInventory.all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

    /// Every requirement the runner can cite.
    public static let cited: [RequirementID] =
        RequirementID.mustLevel + RequirementID.shouldLevel + RequirementID.details
        + RequirementID.bounds + RequirementID.backpressure
}

extension RequirementID {
    // MARK: Framing
    public static let prefixUnsigned: RequirementID = "frame.prefix-size.unsigned"
    public static let bodyFollowsSender: RequirementID = "frame.body-follows.sender"
    public static let lengthCountsOctetsSender: RequirementID = "frame.length-counts-octets.sender"
    public static let readsArePartial: RequirementID = "frame.reads-are-partial.assemble"
    public static let keepsNextFrame: RequirementID = "frame.reads-are-partial.keep-rest"
    public static let zeroLengthAnswer: RequirementID = "frame.zero-length.answer"
    public static let maxSizeMinimum: RequirementID = "frame.max-size-minimum.accept"
    public static let limitInclusive: RequirementID = "frame.max-size-configurable.inclusive"
    public static let refuseAtPrefix: RequirementID = "frame.oversize-close.no-body"
    public static let oversizeCloses: RequirementID = "frame.oversize-close.close"
    public static let oversizeEarlierResponses: RequirementID = "frame.oversize-close.earlier-responses"
    public static let oversizeErrorReply: RequirementID = "frame.oversize-error-reply.send"
    public static let singleWrite: RequirementID = "frame.single-write.one-write"

    // MARK: Byte order
    public static let littleDefault: RequirementID = "order.little-default.default"
    public static let sameOrderServer: RequirementID = "order.same-both-directions.server"
    public static let autoAlgorithm: RequirementID = "order.auto-algorithm.decide"
    public static let autoFirstFrameOnly: RequirementID = "order.auto-detect.first-frame"
    public static let mismatchDiagnosis: RequirementID = "order.mismatch-diagnosis.message"

    // MARK: Body
    static let utf8Reject: RequirementID = "body.utf8.reject"
    static let utf8Precedence: RequirementID = "body.utf8.precedence"
    static let utf8Sender: RequirementID = "body.utf8.sender"
    public static let bomReject: RequirementID = "body.no-bom.reject"
    public static let jsonTextReject: RequirementID = "body.json-text.reject"
    public static let jsonTextSender: RequirementID = "body.json-text.sender"
    public static let objectReject: RequirementID = "body.object.reject"
    public static let loneSurrogateReject: RequirementID = "body.no-lone-surrogates.reject"
    public static let escapesDecode: RequirementID = "body.escapes-equal.decode"
    public static let nonfiniteSender: RequirementID = "body.no-nonfinite.sender"
    public static let nonfiniteReject: RequirementID = "body.no-nonfinite.reject"
    public static let numbersNotRejected: RequirementID = "body.numbers.no-reject"
    public static let nestingAccept: RequirementID = "body.nesting-minimum.accept"
    public static let nestingReject: RequirementID = "body.nesting-limit.reject"
    public static let nestingOffset: RequirementID = "body.nesting-limit.offset"
    public static let nestedDuplicatesNotJSONError: RequirementID = "body.nested-duplicates.not-invalid-json"

    // MARK: Messages
    public static let requestReject: RequirementID = "msg.request.reject"
    public static let responseForm: RequirementID = "msg.response.server"
    public static let memberOrder: RequirementID = "msg.member-order.accept"
    public static let unknownMembersIgnored: RequirementID = "msg.unknown-members.ignore"
    public static let unknownMembersNotCopied: RequirementID = "msg.unknown-members.not-copied"
    public static let duplicateMembersReject: RequirementID = "msg.duplicate-members.reject"
    public static let methodNamesExact: RequirementID = "msg.method-names.exact"
    public static let reservedMethodNames: RequirementID = "msg.method-names.reserved"
    public static let pingEcho: RequirementID = "msg.ping.echo"
    public static let pingNoInvalidParams: RequirementID = "msg.ping.no-invalid-params"
    public static let echoInteroperable: RequirementID = "msg.ping-echo-interoperable.echo"
    public static let echoExact: RequirementID = "msg.ping-echo-exact.echo"
    public static let errorForm: RequirementID = "msg.error-response.form"
    public static let errorMessage: RequirementID = "msg.error-response.message"
    public static let errorOffsetRequired: RequirementID = "msg.error-response.offset-required"
    public static let errorOffset: RequirementID = "msg.error-response.offset"
    public static let errorRule: RequirementID = "msg.error-response.rule"
    public static let errorOutReserved: RequirementID = "msg.error-response.out-reserved"
    public static let errorCodeRegistered: RequirementID = "msg.error-codes.registry"
    public static let unknownMethodAnswer: RequirementID = "msg.unknown-method.answer"
    public static let errorKeepsConnection: RequirementID = "msg.error-keeps-connection.open"
    public static let describeOut: RequirementID = "msg.describe.out"
    public static let describeProtocol: RequirementID = "msg.describe.protocol"
    public static let describeByteOrder: RequirementID = "msg.describe.byte-order"
    public static let describeMaxBody: RequirementID = "msg.describe.max-body"
    public static let describeMaxDepth: RequirementID = "msg.describe.max-depth"
    public static let describeMethods: RequirementID = "msg.describe.methods"
    public static let describeIgnoresParams: RequirementID = "msg.describe.ignores-params"
    public static let describeStatedChoices: RequirementID = "msg.describe.choices-true"
    public static let describeServer: RequirementID = "msg.describe.server"

    // MARK: Connection lifecycle
    public static let oneResponse: RequirementID = "conn.one-response.exactly-one"
    public static let inOrder: RequirementID = "conn.in-order.order"
    public static let pipelining: RequirementID = "conn.pipelining.answer-all"
    public static let halfCloseAnswers: RequirementID = "conn.half-close.answer-outstanding"
    public static let halfCloseCloses: RequirementID = "conn.half-close.close"
    public static let eofNoResponse: RequirementID = "conn.eof-inside-frame.no-response"
    public static let eofEarlierResponses: RequirementID = "conn.eof-inside-frame.earlier-responses"
    public static let eofCloses: RequirementID = "conn.eof-inside-frame.close"
    public static let idleNotWhileOutstanding: RequirementID = "conn.idle-timeout.not-while-outstanding"
    public static let idleMinimum: RequirementID = "conn.idle-timeout.minimum"
    public static let isolation: RequirementID = "conn.isolation.unaffected"

    // MARK: Security
    public static let slowSenderMinimum: RequirementID = "sec.slow-sender.minimum"
    public static let connectionLimitMinimum: RequirementID = "sec.connection-limit.minimum"
    public static let overloadedOnlyServerWide: RequirementID = "sec.connection-limit.overloaded-server-wide"

    // MARK: Extensions
    public static let sleepWaits: RequirementID = "ext.sleep.waits"
    public static let sleepAnswer: RequirementID = "ext.sleep.out"
    public static let sleepInvalidParams: RequirementID = "ext.sleep.invalid-params"
    public static let sleepNotBlocking: RequirementID = "ext.sleep.not-blocking"
    public static let relayPassThrough: RequirementID = "ext.relay.pass-through"
    public static let relayTimeout: RequirementID = "ext.relay.timeout"
    public static let relayUpstreamError: RequirementID = "ext.relay.upstream-error"
    public static let relayLateReply: RequirementID = "ext.relay.late-reply"
    public static let relayInvalidParams: RequirementID = "ext.relay.invalid-params"
    public static let relayOneUpstreamRequest: RequirementID = "ext.relay.one-request"
    public static let sleepResult: RequirementID = "ext.sleep.result"
    public static let sleepOtherMembers: RequirementID = "ext.sleep.other-members"
    public static let relayUnregisteredCode: RequirementID = "ext.relay.unregistered-code"
    public static let relayOtherMembers: RequirementID = "ext.relay.other-members"
    // Requirements of Sections 4 and 6 that the extension cases observe through sleep.
    public static let pipeliningNoRefusal: RequirementID = "conn.pipelining.no-refusal"
    public static let nestedDuplicatesReadKept: RequirementID = "body.nested-duplicates.read-kept"
    public static let nestedDuplicatesReadInvalid: RequirementID = "body.nested-duplicates.read-invalid"

    /// The constants above, for `RequirementCatalog.cited`. The split follows the inventory's levels when
    /// they were written; the level a report shows always comes from the inventory itself.
    static let mustLevel: [RequirementID] = [
        prefixUnsigned, bodyFollowsSender, lengthCountsOctetsSender, readsArePartial, keepsNextFrame, zeroLengthAnswer,
        maxSizeMinimum, refuseAtPrefix, oversizeCloses, oversizeEarlierResponses,
        littleDefault, sameOrderServer, autoAlgorithm, autoFirstFrameOnly,
        utf8Reject, utf8Precedence, utf8Sender, bomReject, jsonTextReject, jsonTextSender, objectReject, loneSurrogateReject,
        escapesDecode, nonfiniteSender, nonfiniteReject, numbersNotRejected, nestingAccept, nestingReject, nestingOffset,
        nestedDuplicatesNotJSONError,
        requestReject, responseForm, memberOrder, unknownMembersIgnored, unknownMembersNotCopied, duplicateMembersReject,
        methodNamesExact, reservedMethodNames, pingEcho, pingNoInvalidParams, echoInteroperable, errorForm, errorMessage,
        errorOffsetRequired, errorOffset, errorOutReserved, errorCodeRegistered, unknownMethodAnswer, errorKeepsConnection,
        describeOut, describeProtocol, describeByteOrder, describeMaxBody, describeMaxDepth, describeMethods,
        describeIgnoresParams, describeStatedChoices, describeServer,
        oneResponse, inOrder, pipelining, halfCloseAnswers, halfCloseCloses, eofNoResponse, eofEarlierResponses, eofCloses,
        idleNotWhileOutstanding, idleMinimum, isolation,
        slowSenderMinimum, connectionLimitMinimum, overloadedOnlyServerWide,
        sleepWaits, sleepAnswer, sleepInvalidParams, sleepNotBlocking,
        relayPassThrough, relayTimeout, relayUpstreamError, relayLateReply, relayInvalidParams, relayOneUpstreamRequest,
        sleepResult, sleepOtherMembers, relayUnregisteredCode, relayOtherMembers,
        pipeliningNoRefusal, nestedDuplicatesReadKept, nestedDuplicatesReadInvalid,
    ]

    static let shouldLevel: [RequirementID] = [limitInclusive, oversizeErrorReply, singleWrite, mismatchDiagnosis, echoExact, errorRule]
}
