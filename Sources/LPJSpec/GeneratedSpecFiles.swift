/// The two files generated from the spec's requirement items, and how to tell that a committed copy is stale.
///
///     spec/requirements.json                  for tools in any language
///     Sources/LPJSpec/RequirementTable.swift  SpecInventory.all, so a binary carries the inventory with it
public enum GeneratedSpecFiles {
    /// The spec, relative to the repository root.
    public static let specPath = "spec/lpj.md"
    /// The generated files, relative to the repository root.
    public static let jsonPath = "spec/requirements.json"
    public static let swiftPath = "Sources/LPJSpec/RequirementTable.swift"

    /// Every generated file, relative to the repository root, with its text.
    public static func render(_ requirements: [SpecRequirement]) -> [(path: String, text: String)] {
        [(jsonPath, RequirementsJSON.render(requirements)), (swiftPath, RequirementTableSource.render(requirements))]
    }

    /// Why `committed` is not `generated`, naming the first requirement whose lines differ; `nil` when equal.
    /// Never quotes the texts: only the line number and the requirement's ID.
    public static func staleness(of path: String, committed: String, generated: String) -> String? {
        guard committed != generated else { return nil }
        let have = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let want = generated.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(have, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(have.count, want.count)
        let requirement = requirementID(around: line, in: want) ?? requirementID(around: line, in: have)
        let place = requirement.map { "in requirement \($0)" } ?? "outside the requirements (header or end)"
        return "\(path) is stale: it differs from the spec first at line \(line + 1), \(place); run `lpj spec generate`"
    }

    /// The ID of the requirement whose rendering contains line `index`: the last ID written at or above it.
    static func requirementID(around index: Int, in lines: [Substring]) -> String? {
        guard !lines.isEmpty else { return nil }
        for line in lines[...min(index, lines.count - 1)].reversed() {
            if let id = RequirementsJSON.id(inLine: line) ?? RequirementTableSource.id(inLine: line) { return id }
        }
        return nil
    }
}
