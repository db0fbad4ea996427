/// Several reports side by side: a case × implementation matrix of verdicts, and the cases on which the
/// implementations disagree (their verdicts differ, or a case is in some reports and not in others).
public struct ReportComparison: Sendable {
    /// One column: a report and the name it is shown under.
    public struct Implementation: Sendable {
        public var name: String
        /// Its folder in the HTML output: the name made a file name, unique among the columns.
        public var folder: String
        public var document: ReportDocument
    }

    /// One case across the implementations: its result in each, `nil` where a report lacks it.
    public struct Row: Sendable {
        public var id: String
        public var results: [ReportCase?]

        /// The verdicts are not all the same (a missing case counts as a verdict of its own).
        public var differs: Bool { Set(results.map { $0?.verdict.rawValue ?? "absent" }).count > 1 }

        /// The first implementation's result for the case, for its title and section.
        var first: ReportCase { results.compactMap { $0 }.first! }
    }

    public var implementations: [Implementation]
    /// Every case of every report, in the first report's order, then each later report's new cases.
    public var rows: [Row]

    public init(_ named: [(name: String, document: ReportDocument)]) {
        var folders = Set<String>()
        implementations = named.map { name, document in
            var folder = HTMLPage.fileName(name)
            var suffix = 2
            while folders.contains(folder) { folder = HTMLPage.fileName(name) + "-\(suffix)"; suffix += 1 }
            folders.insert(folder)
            return Implementation(name: name, folder: folder, document: document)
        }
        var order: [String] = []
        var seen = Set<String>()
        for (_, document) in named {
            for reportCase in document.cases where seen.insert(reportCase.id).inserted { order.append(reportCase.id) }
        }
        let byID = named.map { Dictionary($0.document.cases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
        rows = order.map { id in Row(id: id, results: byID.map { $0[id] }) }
    }

    public var disagreements: [Row] { rows.filter(\.differs) }

    /// The matrix as text: a column per implementation, `*` before the rows that differ, then a count.
    public func text(onlyDisagreements: Bool = false) -> String {
        let shown = onlyDisagreements ? disagreements : rows
        let idWidth = max(4, (shown.map(\.id.count).max() ?? 0)) + 2
        let widths = implementations.map { max($0.name.count, 13) + 2 }
        var lines = ["  " + "case".padding(idWidth) + zip(implementations, widths).map { $0.name.padding($1) }.joined()]
        for row in shown {
            let cells = zip(row.results, widths).map { result, width in (result?.verdictWord ?? "absent").padding(width) }
            lines.append((row.differs ? "* " : "  ") + row.id.padding(idWidth) + cells.joined())
        }
        lines.append("\(implementations.count) implementations, \(rows.count) cases, \(disagreements.count) with differing verdicts (marked *)")
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }
}
