import Foundation
import LPJWire

/// `lpj-client/1`: how a client under test tells the runner what it made of one reply, in any language.
///
///     command:  my-client --host {host} --port {port} {method} {params}
///     run as:   /bin/sh -c "my-client --host '127.0.0.1' --port '40123' 'split.at-1' '{\"case\":\"split.at-1\",...}'"
///
/// The client connects, sends one request `{"in": method, "params": params}`, reads one response, and:
///
///     valid response          one line on stdout, the response message as JSON; exit 0 (success) or 1 (error response)
///     reply breaks a rule     exit 2, one line on stderr giving the reason, naming the rule ID (SHOULD)
///     anything else           a crash: another status, a signal, or exit 0/1 without the line
public enum ClientConvention {
    /// The placeholders a command may hold. Each becomes one shell word, single-quoted.
    public static let placeholders = ["{host}", "{port}", "{method}", "{params}"]

    /// `template` with every placeholder replaced by its value as one single-quoted shell word: `'` inside
    /// a value becomes `'\''`, so nothing in a value (quotes, `$`, backquotes, spaces) reaches the shell.
    public static func command(_ template: String, host: String, port: Int, method: String, params: JSONValue) -> String {
        template
            .replacingOccurrences(of: "{host}", with: shellWord(host))
            .replacingOccurrences(of: "{port}", with: shellWord(String(port)))
            .replacingOccurrences(of: "{method}", with: shellWord(method))
            .replacingOccurrences(of: "{params}", with: shellWord(JSONWriter.string(params)))
    }

    /// `text` as one POSIX shell word: `'text'`, each `'` written as `'\''`.
    public static func shellWord(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The rule IDs of the spec that `text` names.
    static func ruleIDs(in text: String) -> [RuleID] {
        RuleID.all.filter { text.contains($0.rawValue) }
    }

    /// The last `count` non-empty lines of `text`, joined with " / ", for a report.
    static func lastLines(_ text: String, _ count: Int = 3) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return "(nothing on stderr)" }
        return lines.suffix(count).map { String($0.prefix(300)) }.joined(separator: " / ")
    }
}

/// What a client did with one reply, as the runner saw it once the client had ended or was killed.
struct ClientEnding {
    /// `nil`: still running at the deadline, and killed (hung).
    var process: ClientProcess.Ending?
    var standardOutput: [UInt8]
    var standardError: String
    var hungAfterMilliseconds: Int
}

/// The judge of `lpj-client/1` and of `--legacy`: a client's ending against what the served reply asked of it.
enum ClientJudge {
    /// What the served reply asks of the client.
    struct Served {
        var expectation: ClientExpectation
        /// The message served, for success and error replies.
        var message: JSONValue?
        /// The rules the reply breaks (refusals) or exercises.
        var rules: [RuleID]
        /// Why a refusal is allowed too, when the reply holds a valid response and also something a
        /// client may report (a second response, which breaks the server's `conn.one-response`).
        var refusalAllowedBecause: String? = nil
    }

    /// A crash, a hang, or `nil` when the client ended in a way the convention allows.
    static func crashOrHang(_ ending: ClientEnding) -> CaseOutcome? {
        guard let process = ending.process else {
            return .violation(
                .must, "hung: still running \(ending.hungAfterMilliseconds) ms after the reply (killed)",
                details: ["stderr: " + ClientConvention.lastLines(ending.standardError)])
        }
        if case .signalled = process {
            return .violation(.must, "crashed: \(process)", details: ["stderr: " + ClientConvention.lastLines(ending.standardError)])
        }
        return nil
    }

    /// Judges a client that follows `lpj-client/1`.
    static func convention(_ ending: ClientEnding, served: Served) -> CaseOutcome {
        if let failure = crashOrHang(ending) { return failure }
        guard case .exited(let status)? = ending.process else { return .violation(.must, "no ending") }
        let stderr = ClientConvention.lastLines(ending.standardError)
        let breaks = served.rules.first.map(\.rawValue) ?? "a rule"
        switch status {
        case 0, 1:
            let text = String(decoding: ending.standardOutput, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            guard let line = lines.first, !line.isEmpty else {
                return .violation(
                    .must, "crashed: exit \(status) without the response line on stdout",
                    details: ["lpj-client/1: exit 0 or 1 comes with exactly one line on stdout, the response as JSON", "stderr: " + stderr])
            }
            let printed = "printed \(String(line.prefix(120)).debugDescription)"
            if served.expectation == .refusal {
                return .violation(
                    .must, "accepted a reply that breaks \(breaks): exit \(status), \(printed)",
                    details: ["expected exit 2 with the reason on stderr", "stderr: " + stderr])
            }
            if lines.count > 1 {
                return .violation(
                    .must, "printed \(lines.count) lines; lpj-client/1 asks for exactly one, the response as JSON",
                    details: ["first line: \(String(line.prefix(200)).debugDescription)"])
            }
            guard let value = try? JSONParser.parse(String(line)) else {
                return .violation(
                    .must, "exit \(status) but its line is not the response as JSON: \(printed)",
                    details: ["stderr: " + stderr])
            }
            let wanted = served.expectation == .success ? 0 : 1
            if status != wanted {
                return .violation(
                    .must,
                    served.expectation == .success
                        ? "exit 1 (an error response) for a successful response" : "exit 0 (success) for an error response",
                    details: [printed])
            }
            guard let message = served.message else { return .passed("exit \(status), \(printed)") }
            if !value.isSameValue(as: message) {
                let place = message.firstDifference(from: value) ?? "/ (members differ)"
                return .violation(
                    .must, "accepted but printed something else: differs at \(place)",
                    details: ["served:  \(String(JSONWriter.string(message).prefix(200)))", "printed: \(String(line.prefix(200)))"])
            }
            return .passed("exit \(status), printed the response served")
        case 2:
            if let reason = served.refusalAllowedBecause {
                return .passed("refused (exit 2), which is allowed here: \(reason): \(stderr)")
            }
            if served.expectation != .refusal {
                return .violation(.must, "refused a valid \(served.expectation == .success ? "response" : "error response") (exit 2): \(stderr)")
            }
            return .passed("refused (exit 2): \(stderr)" + ruleNote(ending.standardError, rules: served.rules))
        default:
            return .violation(.must, "crashed: exit \(status) (lpj-client/1 allows 0, 1 and 2)", details: ["stderr: " + stderr])
        }
    }

    /// Whether the refusal's reason names one of the rules the reply breaks: informational only.
    static func ruleNote(_ reason: String, rules: [RuleID]) -> String {
        let named = ClientConvention.ruleIDs(in: reason)
        guard !named.isEmpty else { return " [names no rule ID]" }
        if named.contains(where: rules.contains) { return " [names \(named.filter(rules.contains).map(\.rawValue).joined(separator: ", ")): right]" }
        return " [names \(named.map(\.rawValue).joined(separator: ", ")); the reply breaks \(rules.map(\.rawValue).joined(separator: ", "))]"
    }

    /// Judges a legacy client, which knows nothing of the convention: only whether it crashed (a signal or
    /// a non-zero status, on purpose or not) or hung. What it printed is not looked at.
    static func legacy(_ ending: ClientEnding, served: Served) -> CaseOutcome {
        if let failure = crashOrHang(ending) { return failure }
        guard case .exited(let status)? = ending.process else { return .violation(.must, "no ending") }
        if status != 0 {
            return .violation(
                .must, "crashed: exit \(status) (legacy mode counts every non-zero status as a crash)",
                details: ["stderr: " + ClientConvention.lastLines(ending.standardError)])
        }
        let note =
            served.expectation == .refusal
            ? " (the reply breaks \(served.rules.first.map(\.rawValue) ?? "a rule"); legacy mode cannot see whether the client noticed)" : ""
        return .passed("exit 0, in time" + note)
    }
}
