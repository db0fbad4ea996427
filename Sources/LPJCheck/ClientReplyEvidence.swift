import LPJWire

/// What a client's own words show about how it read a reply, beyond its exit status: the line it
/// printed for a reply it should have refused, the rules its refusal names.
enum ClientReplyEvidence {
    /// `body.utf8.no-repair`, when the client accepted a reply whose body is not well-formed UTF-8 and
    /// printed a well-formed line for it:
    ///
    ///     served:   {"out":"pong","result":"<ff>"}          the octet ff is no UTF-8 at all
    ///     printed:  {"out":"pong","result":"\ufffd"}        a character stands where the octet was
    ///
    /// Whatever character it printed there (U+FFFD, or ÿ read as Latin-1), it repaired the octets or
    /// read them in another encoding; a client that passes the raw octets through shows neither.
    static func repair(_ ending: ClientEnding, served: ClientJudge.Served) -> Violation? {
        guard served.expectation == .refusal, served.rules.contains(.bodyUTF8), case .exited(let status)? = ending.process, status <= 1 else { return nil }
        let line = Array(ending.standardOutput.prefix { $0 != UInt8(ascii: "\n") })
        guard !line.isEmpty, String(validating: line, as: UTF8.self) != nil, (try? JSONParser.parse(line)) != nil else { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let replacement = text.contains("\u{FFFD}") || text.lowercased().contains("\\ufffd")
        return Violation(
            "body.utf8.no-repair",
            replacement
                ? "printed U+FFFD where the reply held ill-formed UTF-8: it repaired the octets instead of refusing them"
                : "printed well-formed text where the reply held ill-formed UTF-8: it repaired the octets or read them in another encoding")
    }

    /// `frame.prefix-size.unsigned`, when the reply was only a prefix no limit admits (and body octets a
    /// correct client never reads) and the client's refusal names only rules about a body:
    ///
    ///     ff ff ff ff               4,294,967,295: refused for its length, before any body octet
    ///     refused: frame.zero-length: empty body          it read a length of 0 or less (-1)
    ///
    /// A client that reads the prefix unsigned refuses the length, or (with a limit above it) reports
    /// the end of the stream; naming a body rule shows it took the prefix for a small or negative length.
    static func bodyRuleNamed(_ ending: ClientEnding, stream: [UInt8]) -> Violation? {
        guard case .exited(2)? = ending.process, stream.count >= 4 else { return nil }
        let named = ClientConvention.ruleIDs(in: ending.standardError)
        guard !named.isEmpty, named.allSatisfy(isAboutABody) else { return nil }
        let prefix = stream.prefix(4).map(hexByte).joined(separator: " ")
        return Violation(
            .prefixUnsigned,
            "refused naming \(named.map(\.rawValue).joined(separator: ", ")), a rule about a body, for a reply that begins with the prefix \(prefix) (over 2 GiB announced, to refuse or to wait for): it read the prefix as a signed (negative) or small length"
        )
    }

    /// Rules only a body (or an empty one) can break.
    static func isAboutABody(_ rule: RuleID) -> Bool {
        rule == .frameZeroLength || rule.rawValue.hasPrefix("body.") || rule.rawValue.hasPrefix("msg.")
    }
}
