import Foundation
import LPJWire

/// The reference parser's verdict on every file of JSONTestSuite's `test_parsing` folder.
///
/// File names carry the expectation: `y_` must be accepted, `n_` rejected, `i_` is the parser's choice.
/// The verdicts are committed as `spec/jsontestsuite-verdicts.tsv`, and the `i_` choices are a table in
/// the spec, so a change in any decision shows up as a diff and a failing test.
public struct JSONSuiteVerdicts: Sendable {
    /// One file's verdict.
    public struct Verdict: Sendable, Hashable {
        public var file: String
        public var accepted: Bool
        /// The rule of the rejection, empty when accepted.
        public var rule: String

        /// Whether the verdict is the one the file name demands (always true for `i_`).
        public var isCorrect: Bool {
            if file.hasPrefix("y_") { return accepted }
            if file.hasPrefix("n_") { return !accepted }
            return true
        }
    }

    public var verdicts: [Verdict]

    /// Parses every `.json` file in `directory`, sorted by name.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        verdicts = try names.map { name in
            let bytes = try Array(Data(contentsOf: directory.appendingPathComponent(name)))
            do {
                _ = try JSONParser.parse(bytes)
                return Verdict(file: name, accepted: true, rule: "")
            } catch let error as WireError {
                return Verdict(file: name, accepted: false, rule: error.rule.rawValue)
            }
        }
    }

    /// `file<TAB>accepted|rejected<TAB>rule`, one line per file, with a header line.
    public var tsv: String {
        "file\tverdict\trule\n" + verdicts.map { "\($0.file)\t\($0.accepted ? "accepted" : "rejected")\t\($0.rule)\n" }.joined()
    }

    /// The Markdown table of the `i_` decisions that stands in the spec between its markers.
    public var implementationDefinedTable: String {
        var lines = ["| file | verdict | rule |", "| --- | --- | --- |"]
        for verdict in verdicts where verdict.file.hasPrefix("i_") {
            lines.append("| `\(verdict.file)` | \(verdict.accepted ? "accepted" : "rejected") | \(verdict.rule.isEmpty ? "" : "`\(verdict.rule)`") |")
        }
        return lines.joined(separator: "\n")
    }

    /// The spec markers around the `i_` table.
    public static let tableMarkers = (begin: "<!-- i-verdicts:begin -->", end: "<!-- i-verdicts:end -->")

    /// `spec` with the text between the markers replaced by the current table; `nil` without markers.
    public func specReplacingTable(_ spec: String) -> String? {
        guard let begin = spec.range(of: Self.tableMarkers.begin), let end = spec.range(of: Self.tableMarkers.end),
            begin.upperBound <= end.lowerBound
        else { return nil }
        return String(spec[..<begin.upperBound]) + "\n" + implementationDefinedTable + "\n" + String(spec[end.lowerBound...])
    }
}
