import LPJWire

/// How strongly the spec asks for what a case checks.
public enum CaseLevel: String, Sendable, CaseIterable, Codable {
    case must = "MUST"
    case should = "SHOULD"
    case implementationDefined = "IMPLEMENTATION-DEFINED"
    case informational = "INFORMATIONAL"
}

/// The closed set of verdicts a case can end with.
public enum Verdict: String, Sendable, CaseIterable, Codable {
    /// The server did what the spec requires.
    case passed
    /// The server broke a MUST (or a SHOULD under `--strict`).
    case failed
    /// The server broke a SHOULD.
    case warning
    /// The case records a choice the spec leaves open, or a profile fact.
    case informational
    /// The case did not apply (byte order, limit, a method the server lacks, `--skip`).
    case skipped
}

/// What a case found: the verdict, a one-line summary, and for failures the evidence.
public struct CaseOutcome: Sendable {
    public var verdict: Verdict
    /// One line: what happened, in protocol terms.
    public var summary: String
    /// Expected against actual, a hex dump around the first difference, the likely cause.
    public var details: [String] = []
    /// The exact octets the case sent, for the replay command.
    public var sent: [UInt8]?

    public static func passed(_ summary: String) -> CaseOutcome { CaseOutcome(verdict: .passed, summary: summary) }
    public static func skipped(_ summary: String) -> CaseOutcome { CaseOutcome(verdict: .skipped, summary: summary) }
    public static func informational(_ summary: String) -> CaseOutcome { CaseOutcome(verdict: .informational, summary: summary) }

    /// A failure at `level`: `failed` for MUST, `warning` for SHOULD, `informational` otherwise.
    public static func violation(_ level: CaseLevel, _ summary: String, details: [String] = [], sent: [UInt8]? = nil) -> CaseOutcome {
        let verdict: Verdict
        switch level {
        case .must: verdict = .failed
        case .should: verdict = .warning
        case .implementationDefined, .informational: verdict = .informational
        }
        return CaseOutcome(verdict: verdict, summary: summary, details: details, sent: sent)
    }
}

/// One conformance case: a stable ID, the rules it checks, its level, and what it does.
public struct CheckCase: Sendable {
    /// Stable, never reused: `group.name`, e.g. `segmentation.prefix-split-2`.
    public var id: String
    /// What the case does, in one sentence.
    public var title: String
    public var rules: [RuleID]
    public var level: CaseLevel
    /// Whether the case sends something a server could choke on; after it, a fresh connection must
    /// still get its pong.
    public var isHostile: Bool
    public var run: @Sendable (CheckContext) throws -> CaseOutcome

    public init(_ id: String, _ title: String, rules: [RuleID], level: CaseLevel, hostile: Bool = false,
                run: @escaping @Sendable (CheckContext) throws -> CaseOutcome) {
        self.id = id
        self.title = title
        self.rules = rules
        self.level = level
        self.isHostile = hostile
        self.run = run
    }
}
