import LPJFixtures

/// Every conformance case, in run order.
public enum CaseCatalog {
    /// The cases section by section in spec order (`CaseSection.runOrder`); within a section the fixtures
    /// first, then messages, segmentation, streams, limits, lifecycle, concurrency, timing, lpj.describe,
    /// the extensions, backpressure, bounds and defaults.
    public static func all(fixtures: [Fixture]) -> [CheckCase] {
        let cases =
            fixtureCases(fixtures) + messageCases + segmentationCases + streamCases + limitProbeCases + lifecycleCases
            + concurrencyCases + timingCases + describeCases + byteOrderCases + notBlockingCases + extensionCases + relayRefusalCases
            + backpressureCases + boundCases + defaultCases
        return CaseSection.runOrder(cases, rules: \.rules)
    }

    /// The requirements every case checks in whatever comes back: a server is a sender, and each frame it
    /// writes must be a valid response (`ResponseInspection`), one per request, in order.
    public static let checkedInEveryResponse: [RequirementID] = [
        .utf8Sender, .jsonTextSender, .nonfiniteSender, .bomSender, .loneSurrogateSender, .objectSender, .responseForm,
        .errorForm, .errorCode, .errorMessage, .errorRule, .errorRuleID, .errorOffsetRequired, .errorOffset, .errorCodeRegistered,
        .lengthCountsOctetsSender, .sameOrderServer, .bodyFollowsSender, .prefixSizeSender, .oversizeNoOffset,
        .oneResponse, .inOrder, .nothingElse, .pipeliningNoRefusal, .overloadedOnlyServerWide, .isolation,
    ]

    /// The cases with the committed fixture catalog.
    public static func all() throws -> [CheckCase] {
        all(fixtures: try FixtureSet.generate().fixtures)
    }
}
