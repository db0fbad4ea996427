/// The first line of a requirement item, taken apart:
///
///     - `frame.prefix-size.unsigned` MUST · both · wire — A receiver MUST interpret ...
///     - `frame.single-write.nodelay` SHOULD · both · not observable (a socket option ...) — A sender ...
///
/// Matches `^- `(RULE\.[a-z0-9-]+)` (MUST NOT|MUST|SHOULD NOT|SHOULD|MAY) · (server|client|both) ·
/// (wire|not observable \(([^()]+)\)) — (.+)$`; whether the ID is under its rule is the reader's check.
struct ItemLine {
    var id: String
    var level: SpecRequirement.Level
    var party: SpecRequirement.Party
    var whyNotObservable: String?
    var text: String

    /// Whether `line` starts like an item, so that a mistake in it is an error rather than a plain bullet:
    /// a code span, then a middle dot or a key word in capitals.
    static func looksLikeItem(_ line: String) -> Bool {
        guard line.hasPrefix("- `"), let close = line.dropFirst(3).firstIndex(of: "`") else { return false }
        let after = line[line.index(after: close)...]
        return after.contains(" · ") || SpecInventory.keywords.contains(where: { after.hasPrefix(" " + $0) })
    }

    init?(_ line: String) {
        var rest = Substring(line)
        guard rest.eat("- `"), let close = rest.firstIndex(of: "`") else { return nil }
        id = String(rest[..<close])
        rest = rest[close...]
        guard !id.isEmpty, id.allSatisfy({ SpecInventory.isIDCharacter($0) || $0 == "." }), rest.eat("` ") else { return nil }
        // Longest keyword first: "MUST NOT" before "MUST".
        guard
            let level = SpecRequirement.Level.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count })
                .first(where: { rest.hasPrefix($0.rawValue + " · ") })
        else { return nil }
        self.level = level
        _ = rest.eat(level.rawValue + " · ")
        guard let party = SpecRequirement.Party.allCases.first(where: { rest.hasPrefix($0.rawValue + " · ") }) else { return nil }
        self.party = party
        _ = rest.eat(party.rawValue + " · ")
        if rest.eat("wire — ") {
            whyNotObservable = nil
        } else if rest.eat("not observable (") {
            guard let end = rest.firstIndex(of: ")") else { return nil }
            let reason = rest[..<end]
            guard !reason.isEmpty, !reason.contains("(") else { return nil }
            whyNotObservable = String(reason)
            rest = rest[end...]
            guard rest.eat(") — ") else { return nil }
        } else {
            return nil
        }
        guard !rest.trimmingSpaces.isEmpty else { return nil }
        text = rest.trimmingSpaces
    }
}

extension Substring {
    /// Drops `prefix` when the string starts with it; says whether it did.
    mutating func eat(_ prefix: String) -> Bool {
        guard hasPrefix(prefix) else { return false }
        self = dropFirst(prefix.count)
        return true
    }
}
