import LPJWire

extension ReportDocument {
    /// The document of a finished run; `cases` (the catalog the run used) supplies what each case tests.
    public init(_ report: CheckReport, cases: [CheckCase] = []) {
        self.init(
            target: report.target.address,
            profile: ReportFormat.profile(report).map { ProfileRow($0.0, $0.1) },
            description: report.probe.description.map { JSONWriter.string($0, style: .pretty) },
            cases: report.results.map(ReportCase.init),
            serverStoppedAfter: report.serverStoppedAfter)
        self = testing(cases)
    }

    /// The document of a run that could not test the server: the reason, no case.
    public init(couldNotTest target: String, reason: String) {
        self.init(target: target, cases: [], couldNotTest: reason)
    }
}

extension ReportCase {
    /// The case as the run left it.
    init(_ result: CaseResult) {
        self.init(
            id: result.id, title: result.title, rules: result.rules.map(\.rawValue), level: result.level.rawValue,
            verdict: result.verdict, summary: result.summary,
            violations: result.violations.map { ReportViolation(requirement: $0.requirement.rawValue, level: $0.level.rawValue, summary: $0.summary) },
            details: result.details, replay: result.replay, milliseconds: result.milliseconds, wire: result.wire,
            isExpectedDeviation: result.isExpectedDeviation, isStale: result.isStale)
    }
}

extension ReportDocument {
    /// The same document with each case's tested requirements filled in from `cases` (for reports read
    /// back from JSON, which do not carry them).
    public func testing(_ cases: [CheckCase]) -> ReportDocument {
        let tested = Dictionary(cases.map { ($0.id, $0.requirements.map(\.rawValue)) }, uniquingKeysWith: { first, _ in first })
        var document = self
        for index in document.cases.indices where document.cases[index].tests.isEmpty {
            document.cases[index].tests = tested[document.cases[index].id] ?? []
        }
        return document
    }
}
