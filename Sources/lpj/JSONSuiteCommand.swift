import ArgumentParser
import Foundation
import LPJFixtures

/// `lpj json-suite`: the parser's verdicts over JSONTestSuite.
struct JSONSuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json-suite",
        abstract: "Run the reference JSON parser over JSONTestSuite's test_parsing files.",
        discussion: """
            y_ files must be accepted and n_ files rejected; i_ files are recorded. Prints one line per wrong \
            verdict and a closing 'N passed, N failed' line; with --write, records every verdict in the TSV and \
            the i_ table in the spec.
            """
    )

    @Argument(help: "JSONTestSuite's test_parsing folder.")
    var directory: String

    @Option(help: "Write the verdicts to this TSV file (e.g. spec/jsontestsuite-verdicts.tsv).")
    var write: String?

    @Option(help: "Rewrite the i_ table between the markers of this spec file (e.g. spec/lpj.md).")
    var spec: String?

    func run() throws {
        let suite = try JSONSuiteVerdicts(directory: URL(fileURLWithPath: directory, isDirectory: true))
        let wrong = suite.verdicts.filter { !$0.isCorrect }
        for verdict in wrong {
            print("FAIL \(verdict.file): \(verdict.accepted ? "accepted" : "rejected (\(verdict.rule))")")
        }
        if let write {
            try suite.tsv.write(toFile: write, atomically: true, encoding: .utf8)
        }
        if let spec {
            let text = try String(contentsOfFile: spec, encoding: .utf8)
            guard let updated = suite.specReplacingTable(text) else {
                throw ValidationError("\(spec) has no \(JSONSuiteVerdicts.tableMarkers.begin) ... \(JSONSuiteVerdicts.tableMarkers.end) markers")
            }
            try updated.write(toFile: spec, atomically: true, encoding: .utf8)
        }
        let decided = suite.verdicts.filter { !$0.file.hasPrefix("i_") }
        let implementationDefined = suite.verdicts.count - decided.count
        print("json-suite: \(decided.count - wrong.count) passed, \(wrong.count) failed, \(implementationDefined) recorded (i_)")
        if !wrong.isEmpty { throw ExitCode.failure }
    }
}
