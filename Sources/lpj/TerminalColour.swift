import Foundation

/// Colour for the human report, on a terminal only: the verdict tag that starts a line (`FAIL`, `WARN`,
/// `STALE`, `EXPECTED`) and the closing summary. Honours `NO_COLOR` (https://no-color.org): set to
/// anything, no colour; never colour when standard output is a file or a pipe (CI logs).
enum TerminalColour {
    static var enabled: Bool {
        isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    static let tags: [(prefix: String, code: String)] = [("FAIL ", "31;1"), ("WARN ", "33;1"), ("STALE ", "35;1"), ("EXPECTED ", "36")]

    /// `report` with the verdict tags coloured, when colour is enabled.
    static func apply(_ report: String) -> String {
        guard enabled else { return report }
        return report.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            for tag in tags where line.hasPrefix(tag.prefix) {
                return "\u{1b}[\(tag.code)m\(tag.prefix.dropLast())\u{1b}[0m " + line.dropFirst(tag.prefix.count)
            }
            return String(line)
        }.joined(separator: "\n")
    }
}
