/// The lines a run writes to a log (not a terminal) as each case finishes. Cases run section by section
/// (`CaseSection.runOrder`), so a section's heading comes once, before its first case:
///
///     == frame: 2.1 Frame structure · 2.2 Size limits · 2.3 Writing frames
///     [31/142] failed        segmentation.split-prefix-1
///         MUST frame.reads-are-partial.assemble: no answer to a ping split after its prefix's first octet
///           spec: A receiver MUST treat the connection as an octet stream without message boundaries …
///
/// A failure or warning lists every requirement it cites with the spec's own words, so a log cut off by
/// a CI time-out still shows everything decided so far.
public struct ProgressLog {
    var section: CaseSection?

    public init() {}

    /// The lines for `result`, the `done`-th case of `total`.
    public mutating func lines(_ result: CaseResult, done: Int, total: Int) -> [String] {
        var lines: [String] = []
        let section = CaseSection.of(ReportCase(result))
        if section != self.section {
            lines.append(section.heading)
            self.section = section
        }
        lines.append(Self.caseLine(result, done: done, total: total))
        guard result.verdict == .failed || result.verdict == .warning else { return lines }
        for violation in result.violations {
            lines.append("    \(violation.level.rawValue) \(violation.requirement): \(violation.summary)")
            if let text = RequirementCatalog.requirement(violation.requirement)?.text { lines.append("      spec: \(text)") }
        }
        return lines
    }

    /// `[12/142] failed        segmentation.prefix-split-1`: the line a terminal rewrites in place.
    public static func caseLine(_ result: CaseResult, done: Int, total: Int) -> String {
        let verdict = result.verdict.rawValue
        return "[\(done)/\(total)] \(verdict + String(repeating: " ", count: max(0, 13 - verdict.count))) \(result.id)"
    }
}
