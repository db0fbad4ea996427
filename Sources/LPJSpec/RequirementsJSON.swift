/// `spec/requirements.json`: the inventory as JSON, two-space indentation, spec order, a final newline.
///
///     {
///       "generatedBy": "lpj spec generate",
///       "protocol": "lpj/1",
///       "requirements": [
///         {
///           "id": "frame.prefix-size.sender",
///           "rule": "frame.prefix-size",
///           "level": "MUST",
///           ...
enum RequirementsJSON {
    static func render(_ requirements: [SpecRequirement]) -> String {
        var lines = ["{", #"  "generatedBy": "lpj spec generate","#, #"  "protocol": "lpj/1","#, #"  "requirements": ["#]
        for (index, requirement) in requirements.enumerated() {
            var members = [
                ("id", string(requirement.id)), ("rule", string(requirement.rule)),
                ("level", string(requirement.level.rawValue)), ("party", string(requirement.party.rawValue)),
                ("observable", requirement.observable ? "true" : "false"),
            ]
            if let why = requirement.whyNotObservable { members.append(("whyNotObservable", string(why))) }
            members += [("text", string(requirement.text)), ("section", string(requirement.section))]
            lines.append("    {")
            for (position, member) in members.enumerated() {
                lines.append("      \"\(member.0)\": \(member.1)" + (position == members.count - 1 ? "" : ","))
            }
            lines.append(index == requirements.count - 1 ? "    }" : "    },")
        }
        lines += ["  ]", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The requirement ID a line of the rendering names (`"id": "..."`), if it is such a line.
    static func id(inLine line: Substring) -> String? {
        let prefix = #"      "id": ""#
        guard line.hasPrefix(prefix), line.hasSuffix("\",") else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(2))
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\u00XX`, everything else as UTF-8.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
