import LPJWire

/// One `lpj check` report as the HTML pages and `lpj report` show it: the run's target, profile and every
/// case, whether it comes straight from a run (`init(_:cases:)`) or is read back from the JSON report
/// (`ReportDocument.read(json:)`). Plain values, no behaviour beyond counting.
public struct ReportDocument: Sendable, Equatable {
    /// The server checked, as `HOST:PORT`.
    public var target: String
    /// The profile rows of `ReportFormat.profile`: byte order, limits, refusals, choices.
    public var profile: [ProfileRow]
    /// What `lpj.describe` answered, as pretty-printed JSON text, when it answered.
    public var description: String?
    public var cases: [ReportCase]
    /// The server stopped answering after this case; later cases were not run.
    public var serverStoppedAfter: String?
    /// Why the server could not be tested at all (exit 2); no case ran.
    public var couldNotTest: String?

    public init(
        target: String, profile: [ProfileRow] = [], description: String? = nil, cases: [ReportCase],
        serverStoppedAfter: String? = nil, couldNotTest: String? = nil
    ) {
        self.target = target
        self.profile = profile
        self.description = description
        self.cases = cases
        self.serverStoppedAfter = serverStoppedAfter
        self.couldNotTest = couldNotTest
    }

    /// One row of the profile table.
    public struct ProfileRow: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// How many cases show `shown`, as the index's summary counts them.
    public func count(_ shown: ShownVerdict) -> Int { cases.filter { $0.shown == shown }.count }

    /// Conformant: no failure counts (an unexpected failure or a stale deviation), and the server could be tested.
    public var isConformant: Bool { couldNotTest == nil && count(.failed) == 0 }
}

/// One case's result in a `ReportDocument`.
public struct ReportCase: Sendable, Equatable {
    public var id: String
    public var title: String
    /// The rule IDs the case tests, e.g. `frame.reads-are-partial`.
    public var rules: [String]
    /// MUST, SHOULD, IMPLEMENTATION-DEFINED or INFORMATIONAL, as the JSON report writes it.
    public var level: String
    public var verdict: Verdict
    public var summary: String
    public var violations: [ReportViolation]
    /// Expected against actual, hex dumps, the likely cause.
    public var details: [String]
    /// A shell command that replays the octets the case sent.
    public var replay: String?
    public var milliseconds: Int
    /// Every connection the case opened, as it went on the wire.
    public var wire: [WireLog]
    public var isExpectedDeviation: Bool
    public var isStale: Bool
    /// The requirements the case can see broken (from the case catalog); empty when unknown, and the
    /// pages then show the items of `rules`.
    public var tests: [String]

    public init(
        id: String, title: String, rules: [String], level: String, verdict: Verdict, summary: String,
        violations: [ReportViolation] = [], details: [String] = [], replay: String? = nil, milliseconds: Int = 0,
        wire: [WireLog] = [], isExpectedDeviation: Bool = false, isStale: Bool = false, tests: [String] = []
    ) {
        self.id = id
        self.title = title
        self.rules = rules
        self.level = level
        self.verdict = verdict
        self.summary = summary
        self.violations = violations
        self.details = details
        self.replay = replay
        self.milliseconds = milliseconds
        self.wire = wire
        self.isExpectedDeviation = isExpectedDeviation
        self.isStale = isStale
        self.tests = tests
    }

    /// The verdict as a reader is shown it: a listed deviation that failed is `expectedDeviation`, a listed
    /// one that passed (a stale list) counts as `failed`.
    public var shown: ShownVerdict {
        if isStale { return .failed }
        if isExpectedDeviation { return .expectedDeviation }
        switch verdict {
        case .passed: return .passed
        case .failed: return .failed
        case .warning: return .warning
        case .informational: return .informational
        case .skipped: return .skipped
        case .notRun: return .notRun
        }
    }

    /// The word shown in the verdict cell: the shown verdict, and why for the two list-made ones.
    public var verdictWord: String {
        if isStale { return "failed (stale deviation)" }
        if isExpectedDeviation { return "expected deviation (\(verdict.rawValue))" }
        return shown.word
    }
}

/// A requirement seen broken in a case, and what was seen.
public struct ReportViolation: Sendable, Equatable {
    public var requirement: String
    /// MUST, SHOULD or MAY, as the inventory has it.
    public var level: String
    public var summary: String

    public init(requirement: String, level: String, summary: String) {
        self.requirement = requirement
        self.level = level
        self.summary = summary
    }
}

/// The seven ways a case is shown, each with its own colour and its own word.
public enum ShownVerdict: String, Sendable, CaseIterable {
    case passed, failed, warning, informational, skipped
    case notRun = "not-run"
    case expectedDeviation = "expected-deviation"

    /// The word written in every cell, so the verdict reads without colour.
    public var word: String {
        switch self {
        case .notRun: return "not run"
        case .expectedDeviation: return "expected deviation"
        default: return rawValue
        }
    }
}
