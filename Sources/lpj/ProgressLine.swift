import Foundation
import LPJCheck

/// Progress on standard error while cases run. On a terminal, one line rewritten in place; otherwise
/// (CI logs), the lines of `ProgressLog`: a case per line as it finishes, under its section's heading,
/// with the requirements a failure cites and their text.
final class ProgressLine {
    let enabled: Bool
    let inPlace: Bool
    var log = ProgressLog()

    init(enabled: Bool) {
        self.enabled = enabled
        inPlace = isatty(2) != 0
    }

    private func update(_ text: String) {
        guard enabled else { return }
        printToStandardError(inPlace ? "\r\u{1b}[K" + text : text, newline: !inPlace)
    }

    /// One case's verdict: rewritten in place on a terminal, else its `ProgressLog` lines.
    func finished(_ result: CaseResult, done: Int, total: Int) {
        guard enabled else { return }
        if inPlace { return update(ProgressLog.caseLine(result, done: done, total: total)) }
        for line in log.lines(result, done: done, total: total) { printToStandardError(line) }
    }

    func clear() { if enabled, inPlace { printToStandardError("\r\u{1b}[K", newline: false) } }
}
