import Foundation
import LPJWire

/// A JSON Schema (draft 2020-12) validator for the keywords `docs/report.schema.json` uses: `type`,
/// `properties`, `required`, `additionalProperties`, `items`, `enum`, `pattern`, `minimum`, `$ref` to a
/// JSON pointer inside the schema, `$defs` and `oneOf`, plus boolean schemas. Annotations (`$schema`,
/// `$id`, `title`, `description`) are ignored; any other keyword is reported as an error, so the schema
/// cannot lean on one this validator would silently skip.
struct JSONSchemaValidator {
    let root: JSONValue

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs"]
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "pattern",
        "minimum", "$ref", "oneOf",
    ]

    /// Every way `instance` breaks the schema, as `path: what`; empty when it is valid.
    func errors(_ instance: JSONValue) -> [String] {
        var errors: [String] = []
        validate(instance, against: root, at: "$", into: &errors)
        return errors
    }

    private func validate(_ instance: JSONValue, against schema: JSONValue, at path: String, into errors: inout [String]) {
        if case .bool(let allowed) = schema {
            if !allowed { errors.append("\(path): no value is allowed here") }
            return
        }
        guard let keywords = schema.objectValue else { errors.append("\(path): the schema is not an object or boolean"); return }
        for member in keywords.members where !Self.keywords.contains(member.name) && !Self.annotations.contains(member.name) {
            errors.append("\(path): the validator does not know the keyword \(member.name)")
        }
        if let reference = keywords["$ref"]?.stringValue {
            guard let target = resolve(reference) else { errors.append("\(path): cannot resolve \(reference)"); return }
            validate(instance, against: target, at: path, into: &errors)
        }
        if let type = keywords["type"]?.stringValue, !Self.has(instance, type: type) {
            errors.append("\(path): \(instance.kindName), not \(type)")
            return
        }
        if case .array(let allowed)? = keywords["enum"], !allowed.contains(instance) {
            errors.append("\(path): \(JSONWriter.string(instance).prefix(60)) is not one of \(JSONWriter.string(.array(allowed)))")
        }
        if let pattern = keywords["pattern"]?.stringValue, case .string(let text) = instance {
            let expression = try? NSRegularExpression(pattern: pattern)
            if expression?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                errors.append("\(path): \"\(text.prefix(60))\" does not match \(pattern)")
            }
        }
        if let minimum = keywords["minimum"]?.numberValue.flatMap({ Double($0.text) }), case .number(let number) = instance,
            let value = Double(number.text), value < minimum
        {
            errors.append("\(path): \(number.text) is below \(minimum)")
        }
        if case .object(let object) = instance {
            let properties = keywords["properties"]?.objectValue
            if case .array(let required)? = keywords["required"] {
                for name in required.compactMap(\.stringValue) where object[name] == nil {
                    errors.append("\(path): the member \(name) is missing")
                }
            }
            for member in object.members {
                if let property = properties?[member.name] {
                    validate(member.value, against: property, at: "\(path).\(member.name)", into: &errors)
                } else if let additional = keywords["additionalProperties"] {
                    if additional == .bool(false) {
                        errors.append("\(path): the member \(member.name) is not allowed")
                    } else {
                        validate(member.value, against: additional, at: "\(path).\(member.name)", into: &errors)
                    }
                }
            }
        }
        if case .array(let items) = instance, let itemSchema = keywords["items"] {
            for (index, item) in items.enumerated() { validate(item, against: itemSchema, at: "\(path)[\(index)]", into: &errors) }
        }
        if case .array(let alternatives)? = keywords["oneOf"] {
            var matching = 0
            var firstErrors: [[String]] = []
            for alternative in alternatives {
                var found: [String] = []
                validate(instance, against: alternative, at: path, into: &found)
                if found.isEmpty { matching += 1 } else { firstErrors.append(found) }
            }
            if matching != 1 {
                let closest = firstErrors.min { $0.count < $1.count } ?? []
                errors.append(
                    "\(path): matches \(matching) of the \(alternatives.count) alternatives of oneOf, not exactly one"
                        + (matching == 0 ? "; the closest fails with: " + closest.prefix(5).joined(separator: "; ") : ""))
            }
        }
    }

    /// Whether `instance` is of the JSON Schema `type`.
    private static func has(_ instance: JSONValue, type: String) -> Bool {
        switch (type, instance) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let number)): return Double(number.text).map { $0 == $0.rounded() } ?? false
        default: return false
        }
    }

    /// The schema at `reference`, a JSON pointer into this schema such as `#/$defs/case`.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/") {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node.objectValue?[name] else { return nil }
            node = next
        }
        return node
    }
}
