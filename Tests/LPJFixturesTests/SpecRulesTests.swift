import Foundation
import LPJFixtures
import LPJWire
import Testing

@Suite("Spec rules")
struct SpecRulesTests {
    /// `#### \`frame.prefix-size\` — MUST`: every rule heading of the spec, with its level.
    static func specRules() throws -> [(id: String, level: String)] {
        let spec = try String(contentsOf: RepositoryPaths.spec, encoding: .utf8)
        let heading = try NSRegularExpression(
            pattern: "^#### `([a-z0-9]+(?:\\.[a-z0-9-]+)+)` — (MUST NOT|MUST|SHOULD NOT|SHOULD|MAY|IMPLEMENTATION-DEFINED)$",
            options: .anchorsMatchLines)
        return heading.matches(in: spec, range: NSRange(spec.startIndex..., in: spec)).map { match in
            (String(spec[Range(match.range(at: 1), in: spec)!]), String(spec[Range(match.range(at: 2), in: spec)!]))
        }
    }

    @Test("the spec's rule headings and RuleID.all are the same list, each rule once")
    func sameRules() throws {
        let rules = try Self.specRules()
        #expect(rules.map(\.id) == RuleID.all.map(\.rawValue))
        #expect(Set(rules.map(\.id)).count == rules.count)
    }

    @Test("every rule a fixture, an error or the codec cites exists in the spec")
    func citationsExist() throws {
        let spec = Set(try Self.specRules().map(\.id))
        let manifest = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("manifest.json"), encoding: .utf8)
        let cited = try NSRegularExpression(pattern: "\"((?:frame|order|body|msg|conn|sec|ext)\\.[a-z0-9-]+)\"")
            .matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest))
            .map { String(manifest[Range($0.range(at: 1), in: manifest)!]) }
        #expect(!cited.isEmpty)
        for rule in Set(cited) { #expect(spec.contains(rule), "\(rule)") }
    }
}
