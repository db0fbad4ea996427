/// The expected-deviations file: the case IDs a server is known to fail, one per line.
///
/// ```
/// # my-server 1.4: known deviations      <- a full-line comment
/// fixture.request.ping.bom   # BOM kept  <- an ID, then a comment
///                                         <- blank lines are ignored
/// ```
///
/// Lines may end in LF or CRLF; spaces and tabs around an ID are ignored. `render` writes the same
/// format back, one failing case per line with its cited requirements as the comment, so that a run's
/// failures can be pinned and later runs report only what changed (as protobuf's conformance runner
/// does with its failure list).
public enum DeviationsFile {
    /// The case IDs listed in `text`, in file order, each once.
    public static func parse(_ text: String) -> [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let content = line.prefix { $0 != "#" }
            let id = content.trimmingCharacters(in: [" ", "\t"])
            if !id.isEmpty, seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// A deviations file listing every case of `report` that failed or warned.
    public static func render(_ report: CheckReport) -> String {
        let deviations = report.results.filter { $0.verdict == .failed || $0.verdict == .warning }
        var lines = [
            "# Expected deviations of \(report.target.address), written by lpj check --write-deviations.",
            "# One case ID per line; '#' starts a comment. Pass it back with --expected-deviations.",
        ]
        let width = deviations.map(\.id.count).max() ?? 0
        for result in deviations {
            let cited = result.violations.map(\.requirement.rawValue)
            let reason = cited.isEmpty ? result.verdict.rawValue : "\(result.verdict.rawValue): " + cited.joined(separator: ", ")
            lines.append(result.id + String(repeating: " ", count: width - result.id.count) + "  # " + reason)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
