import LPJCheck
import LPJSpec
import Testing

/// The runner cites only requirements the spec's inventory holds, and only observable ones.
@Suite("Requirement citations")
struct RequirementCitationTests {
    @Test("every requirement the runner can cite is in the inventory and observable over the wire")
    func citedRequirementsExist() {
        for id in RequirementCatalog.cited {
            let requirement = RequirementCatalog.requirement(id)
            #expect(requirement != nil, "\(id) is not in spec/requirements.json")
            #expect(requirement?.observable == true, "\(id) is cited but the inventory says it is not observable")
        }
    }

    @Test("every case covers at least one requirement, all of them in the inventory")
    func casesCoverInventoryRequirements() throws {
        for checkCase in try CaseCatalog.all() {
            #expect(!checkCase.requirements.isEmpty, "\(checkCase.id) covers no requirement")
            for id in checkCase.requirements {
                #expect(RequirementCatalog.requirement(id) != nil, "\(checkCase.id) covers \(id), which the inventory lacks")
            }
        }
    }

    @Test("a requirement's level comes from the inventory: MUST fails, SHOULD warns")
    func levelsFromInventory() {
        #expect(RequirementID.pingEcho.level == .must)
        #expect(RequirementID.singleWrite.level == .should)
        #expect(CaseOutcome.broke(.singleWrite, "x").verdict == .warning)
        #expect(CaseOutcome.broke([Violation(.singleWrite, "x"), Violation(.pingEcho, "y")]).verdict == .failed)
    }
}
