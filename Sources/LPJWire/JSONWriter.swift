/// Writes `JSONValue`s as UTF-8 JSON text in one of a few fixed styles.
///
///     compact        {"out":"pong","result":"h\u00e9llo"}  ->  {"out":"pong","result":"héllo"}
///     legacyPython   {"out": "pong", "result": "h\u00e9llo"}   (CPython 2.7 json.dumps defaults)
///
/// Numbers are written as their kept text, so an echo is exact (`msg.ping-echo-exact`); no style can write
/// NaN or Infinity, because `JSONNumber` cannot hold them (`body.no-nonfinite`).
public enum JSONWriter {
    /// Spacing and escaping.
    public struct Style: Hashable, Sendable {
        /// Between array items and object members: `","` or `", "`.
        public var itemSeparator: String
        /// Between a member name and its value: `":"` or `": "`.
        public var nameSeparator: String
        /// Escape every non-ASCII character as `\uXXXX` (astral ones as a surrogate pair), as Python's
        /// `ensure_ascii=True` does; otherwise write UTF-8 as it is.
        public var asciiOnly: Bool
        /// Spaces per nesting level, with one item per line; `nil` writes one line.
        public var indent: Int?

        public init(itemSeparator: String, nameSeparator: String, asciiOnly: Bool, indent: Int? = nil) {
            self.itemSeparator = itemSeparator
            self.nameSeparator = nameSeparator
            self.asciiOnly = asciiOnly
            self.indent = indent
        }

        /// No insignificant whitespace, raw UTF-8: the reference server's output.
        public static let compact = Style(itemSeparator: ",", nameSeparator: ":", asciiOnly: false)
        /// `json.dumps` of CPython 2.7 with default arguments: `", "`, `": "`, ASCII only.
        public static let legacyPython = Style(itemSeparator: ", ", nameSeparator: ": ", asciiOnly: true)
        /// Two-space indentation, one item per line.
        public static let pretty = Style(itemSeparator: ",", nameSeparator: ": ", asciiOnly: false, indent: 2)
    }

    /// The UTF-8 text of `value`.
    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(value, style: style, to: &output)
        return output
    }

    /// The text of `value` as a `String`.
    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: bytes(value, style: style), as: UTF8.self)
    }

    /// Appends the UTF-8 text of `value` to `output`.
    public static func write(_ value: JSONValue, style: Style = .compact, to output: inout [UInt8]) {
        write(value, style: style, level: 0, to: &output)
    }

    private static func write(_ value: JSONValue, style: Style, level: Int, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: number.text.utf8)
        case .string(let string): writeString(string, asciiOnly: style.asciiOnly, to: &output)
        case .array(let items):
            writeContainer(open: "[", close: "]", count: items.count, style: style, level: level, to: &output) { index, output in
                write(items[index], style: style, level: level + 1, to: &output)
            }
        case .object(let object):
            writeContainer(open: "{", close: "}", count: object.members.count, style: style, level: level, to: &output) { index, output in
                let member = object.members[index]
                writeString(member.name, asciiOnly: style.asciiOnly, to: &output)
                output.append(contentsOf: style.nameSeparator.utf8)
                write(member.value, style: style, level: level + 1, to: &output)
            }
        }
    }

    private static func writeContainer(
        open: Unicode.Scalar, close: Unicode.Scalar, count: Int, style: Style, level: Int, to output: inout [UInt8],
        item: (Int, inout [UInt8]) -> Void
    ) {
        output.append(UInt8(ascii: open))
        for index in 0..<count {
            if index > 0 {
                output.append(contentsOf: (style.indent == nil ? style.itemSeparator : ",").utf8)
            }
            if let indent = style.indent { newline(indent * (level + 1), to: &output) }
            item(index, &output)
        }
        if count > 0, let indent = style.indent { newline(indent * level, to: &output) }
        output.append(UInt8(ascii: close))
    }

    private static func newline(_ spaces: Int, to output: inout [UInt8]) {
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: spaces))
    }

    /// A quoted string: `"` and `\` escaped, control characters as `\n`-style or `\u00XX` escapes, and with
    /// `asciiOnly` everything from DEL up as lowercase `\uXXXX` (what Python writes).
    static func writeString(_ string: String, asciiOnly: Bool, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let utf8 = string.utf8
        let needsEscaping =
            utf8.withContiguousStorageIfAvailable { buffer in
                buffer.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || (asciiOnly && $0 >= 0x7F) }
            } ?? true
        if !needsEscaping {
            output.append(contentsOf: utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar.value {
            case 0x22: output.append(contentsOf: #"\""#.utf8)
            case 0x5C: output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20: writeUnicodeEscape(scalar.value, to: &output)
            case 0x20..<0x7F: output.append(UInt8(scalar.value))
            default:
                if !asciiOnly {
                    UTF8.encode(scalar) { output.append($0) }
                } else if scalar.value > 0xFFFF {
                    let offset = scalar.value - 0x10000
                    writeUnicodeEscape(0xD800 + (offset >> 10), to: &output)
                    writeUnicodeEscape(0xDC00 + (offset & 0x3FF), to: &output)
                } else {
                    writeUnicodeEscape(scalar.value, to: &output)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeUnicodeEscape(_ unit: UInt32, to output: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        output.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(digits[Int((unit >> UInt32(shift)) & 0xF)])
        }
    }
}
