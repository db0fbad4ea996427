import LPJFixtures

/// Every conformance case, in run order.
public enum CaseCatalog {
    /// The cases: the fixtures first, then segmentation, streams, lifecycle and concurrency.
    public static func all(fixtures: [Fixture]) -> [CheckCase] {
        fixtureCases(fixtures) + segmentationCases + streamCases + limitProbeCases + lifecycleCases + concurrencyCases + timingCases
    }

    /// The cases with the committed fixture catalog.
    public static func all() throws -> [CheckCase] {
        all(fixtures: try FixtureSet.generate().fixtures)
    }
}
