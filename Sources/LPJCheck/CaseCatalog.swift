import LPJFixtures

/// Every conformance case, in run order.
public enum CaseCatalog {
    /// The cases: the fixtures first, then messages, segmentation, streams, limits, lifecycle,
    /// concurrency, timing, lpj.describe and the extensions.
    public static func all(fixtures: [Fixture]) -> [CheckCase] {
        fixtureCases(fixtures) + messageCases + segmentationCases + streamCases + limitProbeCases + lifecycleCases
            + concurrencyCases + timingCases + describeCases + byteOrderCases + extensionCases
    }

    /// The cases with the committed fixture catalog.
    public static func all() throws -> [CheckCase] {
        all(fixtures: try FixtureSet.generate().fixtures)
    }
}
