import Foundation
import LPJCheck

/// Progress on standard error while cases run. On a terminal, one line rewritten in place; otherwise
/// (CI logs), one line per case as it finishes, and for a failure or warning the requirements it cites,
/// with their text, so that a log cut off by a CI time-out still shows everything decided so far.
final class ProgressLine {
    let enabled: Bool
    let inPlace: Bool

    init(enabled: Bool) {
        self.enabled = enabled
        inPlace = isatty(2) != 0
    }

    func update(_ text: String) {
        guard enabled else { return }
        printToStandardError(inPlace ? "\r\u{1b}[K" + text : text, newline: !inPlace)
    }

    /// One case's verdict: `[12/142] failed        split.at-1`, then `  MUST frame.reads-are-partial.assemble: …`
    /// under it when not on a terminal.
    func finished(_ result: CaseResult, done: Int, total: Int) {
        update("[\(done)/\(total)] \(result.verdict.rawValue.padded(13)) \(result.id)")
        guard enabled, !inPlace else { return }
        for violation in result.violations where result.verdict == .failed || result.verdict == .warning {
            printToStandardError("    \(violation.level.rawValue) \(violation.requirement): \(violation.summary)")
            if let text = RequirementCatalog.requirement(violation.requirement)?.text { printToStandardError("      spec: \(text)") }
        }
    }

    func clear() { if enabled, inPlace { printToStandardError("\r\u{1b}[K", newline: false) } }
}
