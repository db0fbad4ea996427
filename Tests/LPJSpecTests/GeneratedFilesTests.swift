import Foundation
import LPJSpec
import Testing

@Suite("Generated inventory files")
struct GeneratedFilesTests {
    @Test("the committed requirements.json and RequirementTable.swift are what the spec generates")
    func committedFilesAreCurrent() throws {
        let requirements = try SpecInventory.parse(markdown: SpecPaths.spec())
        for file in GeneratedSpecFiles.render(requirements) {
            let committed = try SpecPaths.text(file.path)
            let problem = GeneratedSpecFiles.staleness(of: file.path, committed: committed, generated: file.text)
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    @Test("the table built into the module is the spec's inventory")
    func builtInTableIsCurrent() throws {
        let requirements = try SpecInventory.parse(markdown: SpecPaths.spec())
        // Only the ID of the first differing requirement, never the texts.
        let firstDifferent = zip(SpecInventory.all, requirements).first(where: { $0.0 != $0.1 })?.1.id
        #expect(firstDifferent == nil, "the built-in table is stale from requirement \(firstDifferent ?? ""); run `lpj spec generate`")
        #expect(SpecInventory.all.count == requirements.count)
    }

    @Test("a stale file is reported by line and requirement ID, without quoting the spec")
    func stalenessNamesTheRequirement() throws {
        let requirements = try SpecInventory.parse(markdown: SpecPaths.spec())
        let target = requirements[requirements.count / 2]
        for file in GeneratedSpecFiles.render(requirements) {
            let edited = file.text.replacingFirst(target.text, with: target.text + " (edited)")
            let problem = try #require(GeneratedSpecFiles.staleness(of: file.path, committed: edited, generated: file.text))
            #expect(problem.contains("in requirement \(target.id);"), "\(problem)")
            #expect(problem.count < 300, "\(problem)")
            #expect(!problem.contains(target.text))
        }
        let json = try #require(GeneratedSpecFiles.render(requirements).first)
        let header = try #require(
            GeneratedSpecFiles.staleness(of: json.path, committed: json.text.replacingFirst("lpj/1", with: "lpj/2"), generated: json.text))
        #expect(header.contains("outside the requirements"), "\(header)")
    }

    @Test("requirements.json has the documented shape: members in order, two-space indentation, a final newline")
    func jsonShape() throws {
        let text = try SpecPaths.text(GeneratedSpecFiles.jsonPath)
        #expect(text.hasPrefix("{\n  \"generatedBy\": \"lpj spec generate\",\n  \"protocol\": \"lpj/1\",\n  \"requirements\": [\n"))
        #expect(text.hasSuffix("\n  ]\n}\n"))
        #expect(text.contains("\n      \"observable\": false,\n      \"whyNotObservable\": \""))
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
