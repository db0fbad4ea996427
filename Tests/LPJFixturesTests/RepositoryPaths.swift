import Foundation

/// Folders of this checkout, found from this file's own path.
enum RepositoryPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("fixtures")
    static let spec = root.appendingPathComponent("spec/lpj.md")
    static let verdicts = root.appendingPathComponent("spec/jsontestsuite-verdicts.tsv")
    static let tests = root.appendingPathComponent("Tests")

    /// JSONTestSuite's `test_parsing`: `$LPJ_JSONTESTSUITE`, or `../shared/jsontestsuite/test_parsing` beside the
    /// checkout; `nil` when neither exists.
    static var jsonTestSuite: URL? {
        let candidates = [
            ProcessInfo.processInfo.environment["LPJ_JSONTESTSUITE"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) },
            root.deletingLastPathComponent().appendingPathComponent("shared/jsontestsuite/test_parsing"),
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
