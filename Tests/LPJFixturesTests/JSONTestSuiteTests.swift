import Foundation
import LPJFixtures
import Testing

/// JSONTestSuite is external data (nst/JSONTestSuite at commit 1ef36fa, MIT): without it these tests are
/// skipped, with the reason, and `scripts/test` says SKIPPED; with it (CI), every file is decided.
@Suite(
    "JSONTestSuite",
    .enabled(
        if: RepositoryPaths.jsonTestSuite != nil,
        "JSONTestSuite not found: set LPJ_JSONTESTSUITE to the test_parsing folder of nst/JSONTestSuite at commit 1ef36fa"))
struct JSONTestSuiteTests {
    static let suite = Result { () throws -> JSONSuiteVerdicts in
        guard let directory = RepositoryPaths.jsonTestSuite else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [
                    NSLocalizedDescriptionKey:
                        "JSONTestSuite not found: set LPJ_JSONTESTSUITE to its test_parsing folder"
                ])
        }
        return try JSONSuiteVerdicts(directory: directory)
    }

    @Test("every y_ file is accepted and every n_ file rejected")
    func decided() throws {
        let suite = try Self.suite.get()
        // JSONTestSuite at commit 1ef36fa: 95 y_, 188 n_ and 35 i_ files, every one read.
        #expect(suite.verdicts.count == 318)
        for verdict in suite.verdicts { #expect(verdict.isCorrect, "\(verdict.file): \(verdict.accepted ? "accepted" : verdict.rule)") }
    }

    @Test("the committed verdicts and the spec's i_ table are the parser's current ones")
    func recorded() throws {
        let suite = try Self.suite.get()
        #expect(
            try String(contentsOf: RepositoryPaths.verdicts, encoding: .utf8) == suite.tsv,
            "run: lpj json-suite DIR --write spec/jsontestsuite-verdicts.tsv --spec spec/lpj.md")
        let spec = try String(contentsOf: RepositoryPaths.spec, encoding: .utf8)
        #expect(suite.specReplacingTable(spec) == spec)
    }
}
