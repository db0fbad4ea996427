/// The JSON report a replay hint reads (`lpj replay CASE HOST:PORT --report FILE`): `REPORT.json`, a
/// stand-in for the report of `--format json`, until the run is told the file it writes that report to
/// (`lpj check --json FILE`); the hints then name that file.
public enum ReplayReportFile {
    /// The stand-in a hint ends with while the report's file is unknown.
    public static let placeholder = "REPORT.json"

    /// The end of a hint that reads the report.
    static func option(_ file: String) -> String { "--report " + word(file) }

    /// `path` as one shell word: as it is when it holds only characters no shell treats specially,
    /// single-quoted otherwise.
    static func word(_ path: String) -> String {
        let plain =
            !path.isEmpty
            && path.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "._/-+:@,=%".unicodeScalars.contains(scalar)
            }
        return plain ? path : ClientConvention.shellWord(path)
    }
}

extension CheckReport {
    /// Whether a replay hint reads the report's stand-in, `REPORT.json`.
    public var replaysFromPlaceholder: Bool {
        results.contains { $0.replay?.hasSuffix(ReplayReportFile.option(ReplayReportFile.placeholder)) == true }
    }

    /// The report with its replay hints reading `path` instead of `REPORT.json`.
    public func namingReportFile(_ path: String) -> CheckReport {
        var named = self
        let placeholder = ReplayReportFile.option(ReplayReportFile.placeholder)
        for index in named.results.indices {
            guard let replay = named.results[index].replay, replay.hasSuffix(placeholder) else { continue }
            named.results[index].replay = replay.dropLast(placeholder.count) + ReplayReportFile.option(path)
        }
        return named
    }
}
