import LPJWire

/// How strongly the spec asks for what a case checks: the level of its subject requirement, or one of
/// the two kinds of case that record rather than judge.
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
    /// The server broke a MUST requirement (or a SHOULD under `--strict`).
    case failed
    /// The server broke a SHOULD requirement and nothing stronger.
    case warning
    /// The case records a choice the spec leaves open, or a profile fact.
    case informational
    /// The case does not apply (byte order, limit, a method the server lacks, `--only`/`--skip`).
    case skipped
    /// The case could not run because the server had stopped answering, or the run resumed past it.
    case notRun = "not-run"
}

/// One requirement the server was seen to break, and what was seen.
public struct Violation: Sendable, Hashable {
    public var requirement: RequirementID
    /// One line, in protocol terms: what came back, after which octets.
    public var summary: String

    public init(_ requirement: RequirementID, _ summary: String) {
        self.requirement = requirement
        self.summary = summary
    }

    /// The requirement's own level, from the inventory.
    public var level: RequirementLevel { requirement.level }

    /// One violation per requirement, in first-seen order: the first summary, and how many more alike.
    static func grouped(_ violations: [Violation]) -> [Violation] {
        var order: [RequirementID] = []
        var byRequirement: [RequirementID: (first: Violation, count: Int)] = [:]
        for violation in violations {
            if let seen = byRequirement[violation.requirement] {
                byRequirement[violation.requirement] = (seen.first, seen.count + 1)
            } else {
                order.append(violation.requirement)
                byRequirement[violation.requirement] = (violation, 1)
            }
        }
        return order.map { id in
            let (first, count) = byRequirement[id]!
            return count == 1 ? first : Violation(id, first.summary + " (and \(count - 1) more like it)")
        }
    }
}

/// What a case found: the verdict, a one-line summary, the requirements broken, and the evidence.
public struct CaseOutcome: Sendable {
    public var verdict: Verdict
    /// One line: what happened, in protocol terms.
    public var summary: String
    /// Expected against actual, a hex dump around the first difference, the likely cause.
    public var details: [String] = []
    /// The exact octets the case sent, for the replay command.
    public var sent: [UInt8]?
    /// Every requirement seen broken; the verdict is the strongest of their levels.
    public var violations: [Violation] = []

    public init(verdict: Verdict, summary: String, details: [String] = [], sent: [UInt8]? = nil, violations: [Violation] = []) {
        self.verdict = verdict
        self.summary = summary
        self.details = details
        self.sent = sent
        self.violations = violations
    }

    public static func passed(_ summary: String) -> CaseOutcome { CaseOutcome(verdict: .passed, summary: summary) }
    public static func skipped(_ summary: String) -> CaseOutcome { CaseOutcome(verdict: .skipped, summary: summary) }
    public static func informational(_ summary: String) -> CaseOutcome { CaseOutcome(verdict: .informational, summary: summary) }

    /// The server broke `violations`; the verdict follows the strongest level among them.
    public static func broke(_ violations: [Violation], details: [String] = [], sent: [UInt8]? = nil) -> CaseOutcome {
        precondition(!violations.isEmpty, "a broken outcome names at least one requirement")
        let violations = Violation.grouped(violations)
        let verdict: Verdict = violations.contains { $0.level == .must } ? .failed : .warning
        let summary =
            violations.count == 1
            ? violations[0].summary
            : violations[0].summary + " (and \(violations.count - 1) more: \(violations.dropFirst().map(\.requirement.rawValue).joined(separator: ", ")))"
        return CaseOutcome(verdict: verdict, summary: summary, details: details, sent: sent, violations: violations)
    }

    /// The server broke `requirement`.
    public static func broke(_ requirement: RequirementID, _ summary: String, details: [String] = [], sent: [UInt8]? = nil) -> CaseOutcome {
        broke([Violation(requirement, summary)], details: details, sent: sent)
    }

    /// A failure at `level` that names no requirement: `failed` for MUST, `warning` for SHOULD. For the
    /// client checker, whose cases judge a client by rule.
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

/// One conformance case: a stable ID, the requirements it can see broken, and what it does.
public struct CheckCase: Sendable {
    /// Stable, never reused: `group.name`, e.g. `segmentation.prefix-split-2`.
    public var id: String
    /// What the case does, in one sentence.
    public var title: String
    /// The requirements this case can see broken; the first is its subject, charged when the server dies
    /// on the case's octets.
    public var requirements: [RequirementID]
    /// The case records a profile fact or an implementation-defined choice rather than judging.
    public var isInformational: Bool
    /// Milliseconds the case spends waiting on purpose (pauses, idle periods, searches), added to its
    /// budget of three time-outs and a second.
    public var extraMilliseconds: Int
    /// The case waits out a bound the server states, up to `--max-wait` and a margin, twice at most.
    public var waitsOutStatedBound = false
    public var run: @Sendable (CheckContext) throws -> CaseOutcome

    public init(
        _ id: String, _ title: String, covers requirements: [RequirementID], informational: Bool = false,
        extraMilliseconds: Int = 0, waitsOutStatedBound: Bool = false, run: @escaping @Sendable (CheckContext) throws -> CaseOutcome
    ) {
        self.id = id
        self.title = title
        self.requirements = requirements
        self.isInformational = informational
        self.extraMilliseconds = extraMilliseconds
        self.waitsOutStatedBound = waitsOutStatedBound
        self.run = run
    }

    /// The most the case may take against `target`, whatever the server does.
    public func budgetMilliseconds(_ target: CheckTarget) -> Int {
        3 * target.timeoutMilliseconds + 1_000 + extraMilliseconds + (waitsOutStatedBound ? target.maxWaitMilliseconds * 5 / 2 : 0)
    }

    /// The requirement charged when the server dies on this case's octets.
    public var subject: RequirementID? { requirements.first }

    /// The rules of the requirements, in order, without repeats.
    public var rules: [RuleID] {
        var seen = Set<RuleID>()
        return requirements.map(\.rule).filter { seen.insert($0).inserted }
    }

    /// The level reports show for the case.
    public var level: CaseLevel {
        if isInformational { return .informational }
        return requirements.contains { $0.level == .must } ? .must : .should
    }
}
