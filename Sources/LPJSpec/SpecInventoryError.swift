/// Why `spec/lpj.md` is not a valid requirement inventory. Every case names the spec line (1-based).
public enum SpecInventoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A line that starts like an item (`` - `id` KEYWORD ``) but does not match the item syntax.
    case badItemSyntax(line: Int, found: String)
    /// A `####` heading that is not a rule heading.
    case badRuleHeading(line: Int, found: String)
    /// An item outside any rule.
    case itemOutsideRule(line: Int, id: String)
    /// An item whose ID is not its rule's ID plus one segment.
    case idNotUnderRule(line: Int, id: String, rule: String)
    /// An ID used twice.
    case duplicateID(line: Int, id: String, firstLine: Int)
    /// An item whose sentence does not use the keyword of its level.
    case keywordMissing(line: Int, id: String, level: String)
    /// A key word in capitals outside items, rule headings, Section 1.3, the level table and code blocks.
    case keywordOutsideItem(line: Int, keyword: String)
    /// A rule heading with no item under it.
    case ruleWithoutItems(line: Int, rule: String)
    /// A code block that is never closed.
    case unclosedCodeBlock(line: Int)

    public var line: Int {
        switch self {
        case .badItemSyntax(let line, _), .badRuleHeading(let line, _), .itemOutsideRule(let line, _),
            .idNotUnderRule(let line, _, _), .duplicateID(let line, _, _), .keywordMissing(let line, _, _),
            .keywordOutsideItem(let line, _), .ruleWithoutItems(let line, _), .unclosedCodeBlock(let line):
            return line
        }
    }

    public var description: String {
        let problem: String
        switch self {
        case .badItemSyntax(_, let found):
            problem =
                "a requirement item must read \"- `rule.id.name` LEVEL · server|client|both · wire|not observable (why) — text\", found: \(Self.shortened(found))"
        case .badRuleHeading(_, let found):
            problem = "a level-4 heading must be a rule heading \"#### `rule.id` — LEVEL\", found: \(Self.shortened(found))"
        case .itemOutsideRule(_, let id):
            problem = "requirement item \(id) stands outside any rule"
        case .idNotUnderRule(_, let id, let rule):
            problem = "requirement ID \(id) is not under its rule: it must be \(rule).<one-segment>"
        case .duplicateID(_, let id, let firstLine):
            problem = "requirement ID \(id) is used again (first on line \(firstLine))"
        case .keywordMissing(_, let id, let level):
            problem = "requirement item \(id) is \(level), but its sentence does not say \(level)"
        case .keywordOutsideItem(_, let keyword):
            problem = "key word \(keyword) in capitals outside any requirement item: make the sentence an item or write it as informative text"
        case .ruleWithoutItems(_, let rule):
            problem = "rule \(rule) has no requirement item"
        case .unclosedCodeBlock:
            problem = "a code block starts here and is never closed"
        }
        return "spec line \(line): \(problem)"
    }

    private static func shortened(_ text: String) -> String {
        text.count <= 100 ? text : String(text.prefix(100)) + "…"
    }
}
