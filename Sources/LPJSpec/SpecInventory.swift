/// The requirement inventory of `spec/lpj.md`: every requirement item, in spec order.
///
///     #### `body.utf8` — MUST                                   a rule heading
///
///     - `body.utf8.sender` MUST · both · wire — A sender MUST   an item: ID, level, party,
///       send only bodies that are well-formed UTF-8 ...           observability, text; continuation
///                                                                 lines are indented by two spaces
///
/// `parse(markdown:)` reads the spec line by line and refuses anything that would make the inventory
/// ambiguous: a malformed item, an item outside its rule, a duplicate ID, a rule without items, or a key
/// word in capitals outside the places Section 1.5 allows (items, rule headings, Section 1.3, the level
/// table of Section 1.5, code blocks). `all` is the same list, generated into `RequirementTable.swift`.
public enum SpecInventory {
    /// The key words of BCP 14 that make a sentence normative when written in capitals.
    public static let keywords: Set<String> = ["MUST", "REQUIRED", "SHALL", "SHOULD", "RECOMMENDED", "MAY", "OPTIONAL"]

    /// Sections whose every line may use key words in capitals: the conventions that define them.
    static let keywordSections = ["1.3 "]
    /// Sections whose table rows may use key words in capitals: the level table.
    static let keywordTableSections = ["1.5 "]

    /// Every requirement item of `markdown`, in order. Throws `SpecInventoryError` naming the first bad line.
    public static func parse(markdown: String) throws -> [SpecRequirement] {
        var reader = Reader()
        for (index, rawLine) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            try reader.read(String(line), number: index + 1)
        }
        return try reader.finish()
    }

    /// The rule of a `####` heading line: `(id, level)`, or `nil` when the line is not a rule heading.
    public static func ruleHeading(_ line: String) -> (id: String, level: String)? {
        guard line.hasPrefix("#### `") else { return nil }
        let rest = line.dropFirst("#### `".count)
        guard let tick = rest.firstIndex(of: "`") else { return nil }
        let id = String(rest[..<tick])
        let tail = rest[tick...]
        guard tail.hasPrefix("` — ") else { return nil }
        let level = String(tail.dropFirst("` — ".count))
        let levels = ["MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY", "IMPLEMENTATION-DEFINED"]
        guard isRuleID(id), levels.contains(level) else { return nil }
        return (id, level)
    }

    /// `[a-z0-9]+(\.[a-z0-9-]+)+`.
    static func isRuleID(_ id: String) -> Bool {
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isIDCharacter) }) else { return false }
        return !parts[0].contains("-")
    }

    static func isIDCharacter(_ character: Character) -> Bool {
        ("a"..."z").contains(character) || ("0"..."9").contains(character) || character == "-"
    }

    /// The key words in capitals that `line` uses, in order.
    static func keywordsUsed(in line: String) -> [String] {
        line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init).filter(keywords.contains)
    }
}

extension SpecInventory {
    /// The line-by-line state of `parse(markdown:)`.
    struct Reader {
        private var requirements: [SpecRequirement] = []
        private var firstLine: [String: Int] = [:]
        private var section = ""
        private var rule: (id: String, line: Int, items: Int)?
        private var item: (line: Int, fields: ItemLine, continuation: [String])?
        private var codeBlockStart: Int?

        mutating func read(_ line: String, number: Int) throws {
            if line.hasPrefix("```") {
                try finishItem()
                codeBlockStart = codeBlockStart == nil ? number : nil
                return
            }
            if codeBlockStart != nil { return }
            if item != nil, line.hasPrefix("  "), !line.allSatisfy({ $0 == " " }) {
                item!.continuation.append(line.trimmingSpaces)
                return
            }
            try finishItem()
            if line.hasPrefix("#") {
                try readHeading(line, number: number)
            } else if ItemLine.looksLikeItem(line) {
                try startItem(line, number: number)
            } else if let keyword = SpecInventory.keywordsUsed(in: line).first, !keywordsAllowed(on: line) {
                throw SpecInventoryError.keywordOutsideItem(line: number, keyword: keyword)
            }
        }

        mutating func finish() throws -> [SpecRequirement] {
            if let start = codeBlockStart { throw SpecInventoryError.unclosedCodeBlock(line: start) }
            try finishItem()
            try finishRule()
            return requirements
        }

        private func keywordsAllowed(on line: String) -> Bool {
            SpecInventory.keywordSections.contains(where: section.hasPrefix)
                || (line.hasPrefix("|") && SpecInventory.keywordTableSections.contains(where: section.hasPrefix))
        }

        private mutating func readHeading(_ line: String, number: Int) throws {
            let hashes = line.prefix(while: { $0 == "#" }).count
            if hashes == 4 {
                guard let heading = SpecInventory.ruleHeading(line) else {
                    throw SpecInventoryError.badRuleHeading(line: number, found: line)
                }
                try finishRule()
                rule = (heading.id, number, 0)
                return
            }
            if let keyword = SpecInventory.keywordsUsed(in: line).first {
                throw SpecInventoryError.keywordOutsideItem(line: number, keyword: keyword)
            }
            if hashes == 2 || hashes == 3 {
                try finishRule()
                section = String(line.dropFirst(hashes)).trimmingSpaces
            }
        }

        private mutating func startItem(_ line: String, number: Int) throws {
            guard let fields = ItemLine(line) else { throw SpecInventoryError.badItemSyntax(line: number, found: line) }
            guard let current = rule else { throw SpecInventoryError.itemOutsideRule(line: number, id: fields.id) }
            let segment = fields.id.dropFirst(current.id.count + 1)
            guard fields.id.hasPrefix(current.id + "."), !segment.isEmpty, segment.allSatisfy(SpecInventory.isIDCharacter) else {
                throw SpecInventoryError.idNotUnderRule(line: number, id: fields.id, rule: current.id)
            }
            if let first = firstLine[fields.id] {
                throw SpecInventoryError.duplicateID(line: number, id: fields.id, firstLine: first)
            }
            firstLine[fields.id] = number
            item = (number, fields, [])
        }

        private mutating func finishItem() throws {
            guard let open = item, let current = rule else { return }
            item = nil
            let text = ([open.fields.text] + open.continuation).joined(separator: " ")
            let level = open.fields.level
            let said =
                level == .mustNot || level == .shouldNot
                ? text.contains(level.rawValue)
                : SpecInventory.keywordsUsed(in: text).contains(level.rawValue)
            guard said else { throw SpecInventoryError.keywordMissing(line: open.line, id: open.fields.id, level: level.rawValue) }
            requirements.append(
                SpecRequirement(
                    id: open.fields.id, rule: current.id, level: level, party: open.fields.party,
                    whyNotObservable: open.fields.whyNotObservable, text: text, section: section))
            rule!.items += 1
        }

        private mutating func finishRule() throws {
            if let current = rule, current.items == 0 {
                throw SpecInventoryError.ruleWithoutItems(line: current.line, rule: current.id)
            }
            rule = nil
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        let start = firstIndex(where: { $0 != " " }) ?? endIndex
        let end = lastIndex(where: { $0 != " " }).map(index(after:)) ?? start
        return String(self[start..<Swift.max(start, end)])
    }
}
