import Foundation
import LPJWire

/// What the user chose: which cases, how strict, which deviations are known.
public struct CheckOptions: Sendable {
    /// Run only cases whose ID matches one of these patterns (`*` matches any run of characters).
    public var only: [String] = []
    /// Skip cases whose ID matches one of these patterns.
    public var skip: [String] = []
    /// SHOULD violations fail the run.
    public var strict = false
    /// Case IDs known to fail; listed cases that pass are stale and fail the run.
    public var expectedDeviations: Set<String> = []
    /// Resume a run after this case (for a server restarted after it died): earlier cases are not run.
    public var resumeAfter: String?

    public init() {}

    /// Whether `id` is selected by `--only` and `--skip`.
    public func selects(_ id: String) -> Bool {
        (only.isEmpty || only.contains { Self.matches(id, $0) }) && !skip.contains { Self.matches(id, $0) }
    }

    /// Glob match with `*`.
    static func matches(_ id: String, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return id == pattern }
        var rest = Substring(id)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}

/// One case's result, as reports show it.
public struct CaseResult: Sendable {
    public var id: String
    public var title: String
    public var rules: [RuleID]
    public var level: CaseLevel
    public var verdict: Verdict
    public var summary: String
    /// The requirements the server was seen to break in this case.
    public var violations: [Violation] = []
    public var details: [String]
    /// A command that repeats what the case sent (see `Evidence.replayCommand`), for failures and warnings.
    public var replay: String?
    public var milliseconds: Int
    /// Every connection the case opened, as it went on the wire (empty for cases that open none).
    public var wire: [WireLog] = []
    /// Listed in the expected-deviations file and failed as expected.
    public var isExpectedDeviation = false
    /// Listed in the expected-deviations file but passed: the list is out of date.
    public var isStale = false
}

/// The whole run: the target, the probe, every case's result.
public struct CheckReport: Sendable {
    public var target: CheckTarget
    public var probe: ServerProbe
    public var results: [CaseResult]
    /// The server stopped answering after this case; later cases were not run.
    public var serverStoppedAfter: String?

    public func count(_ verdict: Verdict) -> Int {
        results.filter { $0.verdict == verdict && !$0.isExpectedDeviation }.count
    }

    /// Failures that count: unexpected failures and stale deviations.
    public var failures: Int { count(.failed) + results.filter(\.isStale).count }

    /// 0 conformant, 1 not conformant.
    public var exitStatus: Int32 { failures == 0 ? 0 : 1 }

    /// The closing line: `N passed, N failed, N skipped` (and how many could not run).
    public var summaryLine: String {
        let notRun = count(.notRun)
        return "\(count(.passed)) passed, \(failures) failed, \(count(.skipped)) skipped" + (notRun > 0 ? ", \(notRun) not run" : "")
    }

    /// One line on the cases that could not run, or nil.
    public var notRunLine: String? {
        let notRun = count(.notRun)
        guard notRun > 0 else { return nil }
        if let stopped = serverStoppedAfter {
            return "\(notRun) case(s) not run: the server stopped answering after \(stopped); restart it and add --resume-after \(stopped)"
        }
        // Cases that chose not to run say why (a stated bound over --max-wait); the rest precede --resume-after.
        var lines = results.filter { $0.verdict == .notRun && !$0.summary.hasPrefix("before the resume point") }.map { "not run: \($0.id): \($0.summary)" }
        if notRun > lines.count { lines.append("\(notRun - lines.count) case(s) not run (before the --resume-after point)") }
        return lines.joined(separator: "\n")
    }
}

/// Runs the cases against one server, one at a time, each on fresh connections.
public struct CheckRunner {
    public var target: CheckTarget
    public var probe: ServerProbe
    public var cases: [CheckCase]
    public var options: CheckOptions

    public init(target: CheckTarget, probe: ServerProbe, cases: [CheckCase], options: CheckOptions) {
        self.target = target
        self.probe = probe
        self.cases = cases
        self.options = options
    }

    /// Runs every selected case; `progress` hears about each as it finishes. After every case a fresh
    /// connection must get its pong; when it does not, the server died on that case's octets, which is
    /// reported once, and the cases after it are `not-run` rather than failed one by one.
    public func run(progress: (_ done: Int, _ total: Int, CaseResult) -> Void = { _, _, _ in }) -> CheckReport {
        let context = CheckContext(target: target, pongsAtProbe: probe.answersLittle || probe.answersBig)
        var report = CheckReport(target: target, probe: probe, results: [])
        for finding in probe.findings {
            report.results.append(
                CaseResult(
                    id: finding.id, title: finding.title, rules: finding.outcome.violations.map(\.requirement.rule),
                    level: .must, verdict: finding.outcome.verdict, summary: finding.outcome.summary,
                    violations: finding.outcome.violations, details: finding.outcome.details, replay: nil, milliseconds: 0))
        }
        report.serverStoppedAfter = probe.diedAfter
        var resuming = options.resumeAfter != nil
        for (index, checkCase) in cases.enumerated() {
            var result: CaseResult
            if resuming {
                result = Self.result(checkCase, CaseOutcome(verdict: .notRun, summary: "before the resume point \(options.resumeAfter!)"), 0, target)
                resuming = checkCase.id != options.resumeAfter
            } else if !options.selects(checkCase.id) {
                result = Self.result(checkCase, .skipped("not selected (--only/--skip)"), 0, target)
            } else if let stopped = report.serverStoppedAfter {
                result = Self.result(checkCase, CaseOutcome(verdict: .notRun, summary: "not run: the server stopped answering after \(stopped)"), 0, target)
            } else {
                let start = ContinuousClock.now
                var (outcome, wire, refused) = attempt(checkCase, context)
                var answers = alive(context)
                if answers, refused, outcome.verdict == .failed || outcome.verdict == .warning {
                    // A connection refused (overloaded, or closed unanswered) while the runner held only this
                    // case's: the server may still have counted connections closed just before. Once more,
                    // now that a fresh connection is answered; what the second run shows is the result.
                    (outcome, wire, _) = attempt(checkCase, context)
                    answers = alive(context)
                    outcome.details.insert("the first run of this case met a refused connection; this is the second run", at: 0)
                }
                if !answers {
                    outcome = Self.died(checkCase, outcome)
                    report.serverStoppedAfter = checkCase.id
                }
                let elapsed = ContinuousClock.now - start
                result = Self.result(
                    checkCase, outcome, Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000), target)
                result.wire = wire
                if result.verdict == .failed || result.verdict == .warning {
                    result.replay = Evidence.replayCommand(
                        wire: wire, sent: outcome.sent, address: target.address, host: target.host, port: target.port, caseID: checkCase.id)
                }
            }
            if options.strict, result.verdict == .warning { result.verdict = .failed }
            if options.expectedDeviations.contains(checkCase.id) {
                if result.verdict == .failed || result.verdict == .warning {
                    result.isExpectedDeviation = true
                } else if result.verdict == .passed {
                    result.isStale = true
                    result.summary = "listed as an expected deviation but passed: remove it from the list (" + result.summary + ")"
                }
            }
            report.results.append(result)
            progress(index + 1, cases.count, result)
        }
        return report
    }

    /// One run of `checkCase`: its outcome, its wire, and whether a connection of it was refused
    /// (`RefusalEvidence`), or could not be made at all.
    func attempt(_ checkCase: CheckCase, _ context: CheckContext) -> (outcome: CaseOutcome, wire: [WireLog], refused: Bool) {
        let (ran, wire) = WireRecorder.record {
            Result { try CaseDeadline.run(milliseconds: checkCase.budgetMilliseconds(target)) { try checkCase.run(context) } }
        }
        switch ran {
        case .success(let outcome): return (outcome, wire, RefusalEvidence.metRefusal(wire))
        case .failure(let error): return (Self.couldNotRun(checkCase, error), wire, wire.isEmpty || RefusalEvidence.metRefusal(wire))
        }
    }

    /// Whether a fresh connection gets its pong after a case (`CheckContext.serverAnswers`), within the
    /// time-out and a second more.
    func alive(_ context: CheckContext) -> Bool {
        CaseDeadline.run(milliseconds: target.timeoutMilliseconds + 1_000) { context.serverAnswers() }
    }

    /// A case that threw: the server refused the connection or stopped reading. Charged to the case's
    /// subject, since the server could not take what the case sends.
    static func couldNotRun(_ checkCase: CheckCase, _ error: Error) -> CaseOutcome {
        guard let subject = checkCase.subject, !checkCase.isInformational else {
            return CaseOutcome(verdict: .informational, summary: "could not run: \(error)")
        }
        return .broke(subject, "could not complete the exchange: \(error)")
    }

    /// The outcome of the case after which the server stopped answering: it died on these octets.
    static func died(_ checkCase: CheckCase, _ outcome: CaseOutcome) -> CaseOutcome {
        let sent = outcome.sent.map { " (\($0.count) octets sent; replay below)" } ?? ""
        let summary = "the server stopped answering after this case: a fresh connection gets no pong\(sent)"
        var violations = outcome.violations
        if let subject = checkCase.subject, !violations.contains(where: { $0.requirement == subject }) {
            violations.insert(Violation(subject, summary), at: 0)
        } else if violations.isEmpty {
            violations = [Violation(.isolation, summary)]
        }
        if !violations.contains(where: { $0.requirement == .isolation }) {
            violations.append(Violation(.isolation, "every other connection of the server is affected too"))
        }
        var died = CaseOutcome.broke(violations, details: [outcome.summary] + outcome.details, sent: outcome.sent)
        died.summary = summary + "; " + outcome.summary
        return died
    }

    static func result(_ checkCase: CheckCase, _ outcome: CaseOutcome, _ milliseconds: Int, _ target: CheckTarget) -> CaseResult {
        let failed = outcome.verdict == .failed || outcome.verdict == .warning
        return CaseResult(
            id: checkCase.id, title: checkCase.title, rules: checkCase.rules, level: checkCase.level, verdict: outcome.verdict,
            summary: outcome.summary, violations: outcome.violations, details: failed ? outcome.details : [],
            replay: nil, milliseconds: milliseconds)
    }
}
