/// One requirement item of `spec/lpj.md`: one separately breakable obligation (or permission) under a rule.
///
///     - `body.utf8.offset` MUST · both · wire — A receiver MUST report an ...
///        └ id               └ level └ party └ observable  └ text
///
/// The ID is the rule's ID plus one kebab-case segment, stable for good: a changed requirement gets a new
/// ID and a retired ID is never reused.
public struct SpecRequirement: Hashable, Sendable {
    /// The keyword the item's sentence uses; what the conformance runner reports when it is broken.
    public enum Level: String, Hashable, Sendable, CaseIterable {
        case mustNot = "MUST NOT"
        case must = "MUST"
        case shouldNot = "SHOULD NOT"
        case should = "SHOULD"
        case may = "MAY"

        /// MUST and MUST NOT: a violation is a failure.
        public var isAbsolute: Bool { self == .must || self == .mustNot }
    }

    /// Who the item binds; an item about a "receiver" or a "sender" binds both.
    public enum Party: String, Hashable, Sendable, CaseIterable {
        case server
        case client
        case both
    }

    /// The requirement ID, e.g. `body.utf8.offset`.
    public let id: String
    /// The rule it belongs to, e.g. `body.utf8`.
    public let rule: String
    public let level: Level
    public let party: Party
    /// Whether a conformance runner can observe a violation over a connection.
    public let observable: Bool
    /// Why it cannot, for items that are not observable.
    public let whyNotObservable: String?
    /// The item's sentence, its continuation lines joined with single spaces.
    public let text: String
    /// The title of the section the rule stands in, e.g. `2.1 Frame structure`.
    public let section: String

    public init(id: String, rule: String, level: Level, party: Party, whyNotObservable: String?, text: String, section: String) {
        self.id = id
        self.rule = rule
        self.level = level
        self.party = party
        self.observable = whyNotObservable == nil
        self.whyNotObservable = whyNotObservable
        self.text = text
        self.section = section
    }

    /// `wire`, or `not observable (reason)`, as the item writes it.
    public var observability: String {
        whyNotObservable.map { "not observable (\($0))" } ?? "wire"
    }
}
