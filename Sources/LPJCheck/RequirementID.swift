import LPJWire

/// A requirement of the spec's inventory: one separately breakable obligation under a rule, such as
/// `msg.error-response.offset`. A failure names the requirement the server broke; its level (MUST or
/// SHOULD) comes from the inventory, whatever case observed it.
public struct RequirementID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: RequirementID, rhs: RequirementID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The rule the requirement belongs to: its ID up to the last dot.
    public var rule: RuleID { RuleID(String(rawValue[..<(rawValue.lastIndex(of: ".") ?? rawValue.endIndex)])) }

    /// The requirement's level in the inventory; `.must` for an ID the inventory does not hold (a test
    /// keeps every ID the runner cites inside the inventory).
    public var level: RequirementLevel { RequirementCatalog.level(of: self) ?? .must }
}

/// How strongly the spec asks for one requirement.
public enum RequirementLevel: String, Sendable, Codable, CaseIterable {
    case must = "MUST"
    case should = "SHOULD"
    case may = "MAY"

    /// The verdict a broken requirement of this level gives: MUST fails, SHOULD warns.
    var verdictWhenBroken: Verdict { self == .must ? .failed : .warning }
}
