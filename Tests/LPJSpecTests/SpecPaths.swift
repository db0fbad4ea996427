import Foundation
import LPJSpec

/// Files of this checkout, found from this file's own path.
enum SpecPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The text of a file of the checkout, by its path from the root.
    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// `spec/lpj.md`.
    static func spec() throws -> String { try text(GeneratedSpecFiles.specPath) }
}
