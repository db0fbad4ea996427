import LPJCheck
import LPJFixtures
import Testing

/// Coverage is decided from the cases' own requirement lists (what a case can see broken), not from
/// text: a requirement counts when a `lpj check` case cites it, or a `check-client` case on its rule.
@Suite("Requirement coverage")
struct RequirementCoverageTests {
    @Test("every testable requirement (observable on the wire, not MAY) has a case that can see it broken")
    func everyTestableRequirementIsCovered() throws {
        let coverage = RequirementCoverage.all(cases: try CaseCatalog.all(), clientCases: ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures))
        let uncovered = coverage.filter { $0.requirement.observable && $0.requirement.level != .may && !$0.isCovered }
        #expect(uncovered.map(\.requirement.id) == [], "no case covers these; add one, or show in the spec why the wire cannot show them")
    }
}
