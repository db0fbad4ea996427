import LPJSpec
import Testing

@Suite("Requirement item parser")
struct SpecInventoryParserTests {
    /// A spec in miniature: the allowed places for key words, a rule, and its items.
    static let sample = """
        # A spec

        ### 1.3 Conventions

        The key words "MUST" and "MAY" are defined here.

        ### 1.5 Rule identifiers

        | Level | Meaning |
        |---|---|
        | MUST | Absolute requirement. |

        ### 2.1 Frame structure

        #### `frame.prefix-size` — MUST

        Informative text with no key word.

        - `frame.prefix-size.sender` MUST · both · wire — A sender MUST begin every
          frame with a 4-octet prefix;
          it MUST NOT use any other.
        - `frame.prefix-size.alloc` MUST NOT · server · not observable (memory cannot be seen) — A server MUST NOT allocate.

        ```
        A code block may say MUST.
        ```

        """

    /// The line number of a line appended to `sample`.
    static let nextLine = sample.split(separator: "\n", omittingEmptySubsequences: false).count

    static func parse(_ text: String) throws -> [SpecRequirement] { try SpecInventory.parse(markdown: text) }

    /// The error `text` throws, with the line it names.
    static func failure(_ text: String) -> SpecInventoryError? {
        do { _ = try parse(text); return nil } catch { return error as? SpecInventoryError }
    }

    @Test("items are read with their fields, continuation lines joined with single spaces")
    func readsItems() throws {
        let requirements = try Self.parse(Self.sample)
        #expect(requirements.map(\.id) == ["frame.prefix-size.sender", "frame.prefix-size.alloc"])
        let sender = requirements[0]
        #expect(sender.rule == "frame.prefix-size" && sender.level == .must && sender.party == .both)
        #expect(sender.observable && sender.whyNotObservable == nil)
        #expect(sender.text == "A sender MUST begin every frame with a 4-octet prefix; it MUST NOT use any other.")
        #expect(sender.section == "2.1 Frame structure")
        let alloc = requirements[1]
        #expect(alloc.level == .mustNot && alloc.party == .server && !alloc.observable)
        #expect(alloc.whyNotObservable == "memory cannot be seen")
        #expect(alloc.observability == "not observable (memory cannot be seen)")
    }

    @Test(
        "a malformed item is refused with its line",
        arguments: [
            "- `frame.prefix-size.x` MUST · everyone · wire — A sender MUST.",
            "- `frame.prefix-size.x` MUST · both · visible — A sender MUST.",
            "- `frame.prefix-size.x` MUST · both · not observable (a (nested) reason) — A sender MUST.",
            "- `frame.prefix-size.x` MUST · both · wire —",
            "- `frame.prefix-size.x` MUST both wire — A sender MUST.",
            "- `Frame.Prefix-size.x` MUST · both · wire — A sender MUST.",
        ])
    func badSyntax(line: String) {
        let text = Self.sample + line + "\n"
        #expect(Self.failure(text) == .badItemSyntax(line: Self.nextLine, found: line))
    }

    @Test("an ID that is not its rule's ID plus one segment is refused")
    func idNotUnderRule() {
        for id in ["frame.body-follows.sender", "frame.prefix-size.a.b", "frame.prefix-size"] {
            let text = Self.sample + "- `\(id)` MUST · both · wire — A sender MUST.\n"
            #expect(Self.failure(text) == .idNotUnderRule(line: Self.nextLine, id: id, rule: "frame.prefix-size"), "\(id)")
        }
    }

    @Test("a duplicate ID is refused, naming both lines")
    func duplicateID() {
        let text = Self.sample + "- `frame.prefix-size.sender` MUST · both · wire — Again MUST.\n"
        #expect(Self.failure(text) == .duplicateID(line: Self.nextLine, id: "frame.prefix-size.sender", firstLine: 19))
    }

    @Test("a key word in capitals outside items and the allowed places is refused with its line")
    func keywordOutsideItem() {
        let text = Self.sample + "A receiver SHOULD log it.\n"
        let error = Self.failure(text)
        #expect(error == .keywordOutsideItem(line: Self.nextLine, keyword: "SHOULD"))
        #expect(error?.description.hasPrefix("spec line \(Self.nextLine): key word SHOULD") == true)
        let lowercase = Self.sample + "A receiver should log it, and may say so.\n"
        #expect(Self.failure(lowercase) == nil)
        let inTable = Self.sample.replacingFirst("### 2.1 Frame structure", with: "| MAY | elsewhere |\n\n### 2.1 Frame structure")
        #expect(Self.failure(inTable) == nil, "the level table of 1.5 may use key words")
        let tableElsewhere = Self.sample + "| MAY | a table outside 1.5 |\n"
        #expect(Self.failure(tableElsewhere) == .keywordOutsideItem(line: Self.nextLine, keyword: "MAY"))
    }

    @Test("an item outside any rule, a rule without items, a bad rule heading, a missing keyword, an open code block")
    func otherMistakes() {
        #expect(Self.failure("### 2 Framing\n\n- `frame.x.y` MUST · both · wire — MUST.\n") == .itemOutsideRule(line: 3, id: "frame.x.y"))
        #expect(
            Self.failure(Self.sample + "#### `frame.body-follows` — MUST\n\nNo items.\n") == .ruleWithoutItems(line: Self.nextLine, rule: "frame.body-follows"))
        #expect(Self.failure(Self.sample + "#### frame.body-follows — MUST\n") == .badRuleHeading(line: Self.nextLine, found: "#### frame.body-follows — MUST"))
        #expect(
            Self.failure(Self.sample + "- `frame.prefix-size.quiet` SHOULD · both · wire — A sender MUST.\n")
                == .keywordMissing(line: Self.nextLine, id: "frame.prefix-size.quiet", level: "SHOULD"))
        #expect(Self.failure(Self.sample + "```\nnever closed\n") == .unclosedCodeBlock(line: Self.nextLine))
    }

    @Test("a plain bullet that merely starts with a code span is not an item")
    func plainBulletsAreText() throws {
        let text = Self.sample.replacingFirst("Informative text with no key word.", with: "- `code`: a string for humans.\n- `0x1f` is hexadecimal.")
        #expect(try Self.parse(text).count == 2)
    }
}
