/// The spec's equality of JSON values (`msg.value-equality`), used to check a ping echo.
extension JSONValue {
    /// Whether two values are equal as the spec defines it: same type; strings with the same Unicode scalars
    /// (no normalization, so NFC and NFD differ); numbers with the same mathematical value; arrays equal
    /// item by item; objects with the same multiset of (name, value) members, in any order.
    public func isSameValue(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a.isSameValue(as: b)
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSameValue(as: $1) }
        case (.object(let a), .object(let b)):
            guard a.members.count == b.members.count else { return false }
            var unmatched = b.members
            for member in a.members {
                guard
                    let index = unmatched.firstIndex(where: {
                        $0.name.unicodeScalars.elementsEqual(member.name.unicodeScalars) && $0.value.isSameValue(as: member.value)
                    })
                else { return false }
                unmatched.remove(at: index)
            }
            return true
        default:
            return false
        }
    }

    /// The first place where `other` differs from this value under `isSameValue(as:)`, as a JSON pointer
    /// (RFC 6901) with a reason, or `nil` when they are equal. For failure reports.
    public func firstDifference(from other: JSONValue, at pointer: String = "") -> String? {
        switch (self, other) {
        case (.array(let a), .array(let b)):
            for (index, pair) in zip(a, b).enumerated() {
                if let difference = pair.0.firstDifference(from: pair.1, at: pointer + "/\(index)") { return difference }
            }
            return a.count == b.count ? nil : "\(pointer.isEmpty ? "/" : pointer): \(a.count) items expected, \(b.count) found"
        case (.object(let a), .object(let b)) where a.members.count == b.members.count:
            for member in a.members {
                let escaped = member.name.flatMap { $0 == "~" ? ["~", "0"] : $0 == "/" ? ["~", "1"] : [$0] }
                guard let found = b[member.name] else { return "\(pointer)/\(String(escaped)): member missing" }
                if let difference = member.value.firstDifference(from: found, at: pointer + "/" + String(escaped)) { return difference }
            }
            return isSameValue(as: other) ? nil : "\(pointer.isEmpty ? "/" : pointer): members differ"
        default:
            guard !isSameValue(as: other) else { return nil }
            return "\(pointer.isEmpty ? "/" : pointer): expected \(JSONWriter.string(self)), found \(JSONWriter.string(other))"
        }
    }
}
