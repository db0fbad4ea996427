import Foundation

/// The parts of `fixtures/README.md` that are generated from the fixtures, each between its own markers, so
/// that the README cannot drift from the manifest:
///
///     <!-- fixture-table:begin -->           every fixture: ID, class, description
///     <!-- implementation-defined:begin -->  the implementation-defined fixtures
///     <!-- example-output:begin -->          what the README's example script prints
///
/// Everything outside the markers is kept by hand.
public struct FixtureReadme: Sendable {
    public var fixtures: [Fixture]

    public init(fixtures: [Fixture]) { self.fixtures = fixtures }

    /// One generated part: its markers and its text.
    public struct Part: Sendable {
        public var name: String
        public var text: String
        public var begin: String { "<!-- \(name):begin -->" }
        public var end: String { "<!-- \(name):end -->" }
    }

    public var parts: [Part] {
        [
            Part(name: "fixture-table", text: table), Part(name: "implementation-defined", text: implementationDefined),
            Part(name: "example-output", text: exampleOutput),
        ]
    }

    /// Every fixture: ID, class, description.
    var table: String {
        let cell = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        let rows = fixtures.map { "| `\($0.definition.id)` | \($0.definition.classification.rawValue) | \(cell($0.definition.summary)) |" }
        return (["| ID | class | description |", "|---|---|---|"] + rows).joined(separator: "\n")
    }

    /// The implementation-defined fixtures, counted and listed with their descriptions.
    var implementationDefined: String {
        let chosen = fixtures.filter { $0.definition.classification == .implementationDefined }
        let count = chosen.count == 1 ? "There is one such fixture:" : "There are \(Self.spelled(chosen.count)) such fixtures:"
        return ([count] + chosen.map { "- `\($0.definition.id)`: \($0.definition.summary)" }).joined(separator: "\n")
    }

    /// What the example script prints on this folder: every file checked, the client-to-server must-accept
    /// fixtures decoded.
    var exampleOutput: String {
        let decoded = fixtures.filter { $0.definition.direction == .clientToServer && $0.definition.classification == .mustAccept }
        return "```\n\(fixtures.count) files checked, \(decoded.count) fixtures decoded, 0 failed\n```"
    }

    /// `readme` with every generated part replaced by the current one; `nil` when a part's markers are missing.
    public func replacingGeneratedParts(in readme: String) -> String? {
        var text = readme
        for part in parts {
            guard let begin = text.range(of: part.begin), let end = text.range(of: part.end), begin.upperBound <= end.lowerBound
            else { return nil }
            text = String(text[..<begin.upperBound]) + "\n" + part.text + "\n" + String(text[end.lowerBound...])
        }
        return text
    }

    static func spelled(_ count: Int) -> String {
        let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        return count < words.count ? words[count] : String(count)
    }
}
