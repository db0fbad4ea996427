/// One JSON value (RFC 8259) as LPJ needs it: numbers keep their text, objects keep every member in order.
///
/// `==` is structural (same number text, same member order). The spec's equality, under which `1.0`
/// equals `1` and member order does not matter, is `isSameValue(as:)` (`msg.value-equality`).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The kind of value, for error messages: "null", "boolean", "number", "string", "array", "object".
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The object, when this is one.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The number, when this is one.
    public var numberValue: JSONNumber? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// How deep arrays and objects nest here; a scalar has depth 0, `[]` has 1 (`body.nesting-limit`).
    public var depth: Int {
        switch self {
        case .array(let items): return 1 + (items.map(\.depth).max() ?? 0)
        case .object(let object): return 1 + (object.members.map(\.value.depth).max() ?? 0)
        default: return 0
        }
    }
}

/// A JSON object: its members in the order they were written, duplicates included (`body.nested-duplicates`).
public struct JSONObject: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One `"name": value` pair.
    public struct Member: Hashable, Sendable {
        public var name: String
        public var value: JSONValue
        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    public var members: [Member]

    public init(_ members: [Member] = []) { self.members = members }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { Member($0.0, $0.1) }
    }

    /// The value of the first member called `name`.
    public subscript(name: String) -> JSONValue? {
        members.first(where: { $0.name == name })?.value
    }

    /// How many members are called `name` (`msg.duplicate-members`).
    public func count(of name: String) -> Int {
        members.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONObject.Member($0.0, $0.1) }))
    }
    public init(nilLiteral: ()) { self = .null }
}
