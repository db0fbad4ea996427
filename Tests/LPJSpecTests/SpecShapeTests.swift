import Foundation
import LPJSpec
import Testing

@Suite("The spec's inventory")
struct SpecShapeTests {
    static func requirements() throws -> [SpecRequirement] { try SpecInventory.parse(markdown: SpecPaths.spec()) }

    /// Every rule heading of the spec, in order.
    static func ruleHeadings() throws -> [String] {
        try SpecPaths.spec().split(separator: "\n").compactMap { SpecInventory.ruleHeading(String($0))?.id }
    }

    @Test("every rule heading has at least one item, and every item's rule is a heading")
    func everyRuleHasItems() throws {
        let rules = try Self.ruleHeadings()
        let covered = Set(try Self.requirements().map(\.rule))
        #expect(rules.filter { !covered.contains($0) } == [])
        #expect(covered.subtracting(rules).isEmpty)
        #expect(Set(rules).count == rules.count)
    }

    @Test("requirement IDs are unique and are their rule's ID plus one kebab-case segment")
    func uniqueIDs() throws {
        let requirements = try Self.requirements()
        #expect(Set(requirements.map(\.id)).count == requirements.count)
        for requirement in requirements {
            let segment = requirement.id.dropFirst(requirement.rule.count + 1)
            #expect(requirement.id.hasPrefix(requirement.rule + "."), "\(requirement.id)")
            #expect(segment.range(of: "^[a-z0-9-]+$", options: .regularExpression) != nil, "\(requirement.id)")
        }
    }

    @Test("no key word in capitals outside items, rule headings, Section 1.3, the level table and code blocks")
    func keywordsOnlyInItems() throws {
        // Parsing enforces it; show that the check bites on the real spec, at the right line.
        let spec = try SpecPaths.spec()
        var lines = spec.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex(where: { $0.hasPrefix("A slow request therefore delays") }))
        lines[index] = "A slow request therefore MUST delay" + lines[index].dropFirst("A slow request therefore delays".count)
        #expect(throws: SpecInventoryError.keywordOutsideItem(line: index + 1, keyword: "MUST")) {
            try SpecInventory.parse(markdown: lines.joined(separator: "\n"))
        }
        _ = try Self.requirements()
    }

    @Test("the inventory is complete enough to be useful: 150 to 250 items, every level, party and observability")
    func plausibleInventory() throws {
        let requirements = try Self.requirements()
        #expect((150...250).contains(requirements.count), "\(requirements.count)")
        #expect(Set(requirements.map(\.level)) == Set(SpecRequirement.Level.allCases))
        #expect(Set(requirements.map(\.party)) == Set(SpecRequirement.Party.allCases))
        #expect(requirements.contains { !$0.observable } && requirements.contains { $0.observable })
        // Client and server obligations are separate items: no item binds a party it does not name.
        for requirement in requirements where requirement.party == .server {
            #expect(!requirement.text.hasPrefix("A client"), "\(requirement.id)")
        }
        for requirement in requirements where requirement.party == .client {
            #expect(!requirement.text.hasPrefix("A server"), "\(requirement.id)")
        }
    }

    @Test("msg.describe has one item per member and per obligation")
    func describeIsSplit() throws {
        let ids = Set(try Self.requirements().filter { $0.rule == "msg.describe" }.map(\.id))
        for name in [
            "protocol", "byte-order", "max-body", "max-depth", "methods", "no-reserved-methods", "ignores-params", "out",
            "choices-true",
        ] {
            #expect(ids.contains("msg.describe.\(name)"), "\(name)")
        }
    }
}
