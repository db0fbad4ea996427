import NIOCore

/// A strict RFC 8259 parser for message bodies, strict enough for a conformance tool.
///
/// Every rejection is a `WireError` naming the spec rule and the byte offset into the body:
///
///     {"in":"ping","params":[1,]}
///                              ^ offset 25: invalid-json [body.json-text] expected a value, found ']'
///
/// Decisions the RFC leaves open are taken on purpose, as the spec says: a BOM is rejected (`body.no-bom`),
/// invalid UTF-8 is rejected (`body.utf8`), escapes that leave a lone surrogate are rejected
/// (`body.no-lone-surrogates`), numbers keep their exact text whatever their size (`body.numbers`), duplicate
/// member names are kept in order (`body.nested-duplicates`), and nesting beyond `maxDepth` is rejected
/// without recursion, so no input can overflow the stack (`body.nesting-limit`).
public struct JSONParser {
    /// The parser's limits.
    public struct Options: Hashable, Sendable {
        /// The least depth every receiver must accept (`body.nesting-minimum`).
        public static let minimumMaxDepth = 64
        /// The reference limit.
        public static let defaultMaxDepth = 512
        /// The highest limit that may be configured. Parsing never recurses, but Swift frees a nested
        /// `JSONValue` recursively, and a value must be freeable on a thread with a small stack.
        public static let largestMaxDepth = 4_096

        /// The deepest nesting of arrays and objects accepted; the message object itself is depth 1.
        public var maxDepth: Int

        public init(maxDepth: Int = Options.defaultMaxDepth) {
            precondition((1...Options.largestMaxDepth).contains(maxDepth), "maxDepth must be 1...\(Options.largestMaxDepth)")
            self.maxDepth = maxDepth
        }
    }

    /// Parses one JSON text. Throws `WireError`.
    public static func parse(_ bytes: [UInt8], options: Options = Options()) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { try parse(buffer: $0, options: options) }
    }

    /// Parses the readable bytes of `buffer` as one JSON text. Throws `WireError`.
    public static func parse(_ buffer: ByteBuffer, options: Options = Options()) throws -> JSONValue {
        try buffer.withUnsafeReadableBytes { raw in
            try parse(buffer: raw.assumingMemoryBound(to: UInt8.self), options: options)
        }
    }

    /// Parses the UTF-8 of `text` as one JSON text. Throws `WireError`.
    public static func parse(_ text: String, options: Options = Options()) throws -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    public static func parse(buffer: UnsafeBufferPointer<UInt8>, options: Options = Options()) throws -> JSONValue {
        var parser = JSONParser(bytes: buffer, options: options)
        return try parser.parseText()
    }

    // MARK: - The machine

    /// An array or object that is still open, with what it has gathered so far.
    private enum OpenContainer {
        case array([JSONValue])
        case object([JSONObject.Member], pendingName: String)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let options: Options
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, options: Options) {
        self.bytes = bytes
        self.options = options
    }

    private mutating func parseText() throws -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw WireError(.invalidJSON, rule: .bodyNoBOM, "the body starts with a byte order mark (ef bb bf)", offset: 0)
        }
        var open: [OpenContainer] = []
        while true {
            skipWhitespace()
            var value: JSONValue
            switch peek() {
            case UInt8(ascii: "{"):
                try checkDepth(open.count + 1)
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    index += 1
                    value = .object(JSONObject())
                } else {
                    open.append(.object([], pendingName: try parseMemberName()))
                    continue
                }
            case UInt8(ascii: "["):
                try checkDepth(open.count + 1)
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    open.append(.array([]))
                    continue
                }
            default:
                value = try parseScalar()
            }

            // Hand the finished value to its container; close every container that ends here.
            while true {
                guard let container = open.popLast() else {
                    skipWhitespace()
                    guard index == bytes.count else {
                        throw error(.bodyJSONText, "expected the end of the body after one JSON value, found \(describeHere())")
                    }
                    return value
                }
                skipWhitespace()
                switch container {
                case .array(var items):
                    items.append(value)
                    switch peek() {
                    case UInt8(ascii: ","):
                        index += 1
                        open.append(.array(items))
                    case UInt8(ascii: "]"):
                        index += 1
                        value = .array(items)
                        continue
                    default:
                        throw error(.bodyJSONText, "expected ',' or ']' in an array, found \(describeHere())")
                    }
                case .object(var members, let name):
                    members.append(JSONObject.Member(name, value))
                    switch peek() {
                    case UInt8(ascii: ","):
                        index += 1
                        skipWhitespace()
                        open.append(.object(members, pendingName: try parseMemberName()))
                    case UInt8(ascii: "}"):
                        index += 1
                        value = .object(JSONObject(members))
                        continue
                    default:
                        throw error(.bodyJSONText, "expected ',' or '}' in an object, found \(describeHere())")
                    }
                }
                break
            }
        }
    }

    private func checkDepth(_ depth: Int) throws {
        guard depth <= options.maxDepth else {
            throw error(.bodyNestingLimit, "nesting deeper than the limit of \(options.maxDepth)")
        }
    }

    /// `"name" :` with the cursor on the opening quote; leaves the cursor after the colon.
    private mutating func parseMemberName() throws -> String {
        guard peek() == UInt8(ascii: "\"") else {
            throw error(.bodyJSONText, "expected a member name in double quotes, found \(describeHere())")
        }
        let name = try parseString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else {
            throw error(.bodyJSONText, "expected ':' after a member name, found \(describeHere())")
        }
        index += 1
        return name
    }

    private mutating func parseScalar() throws -> JSONValue {
        guard let byte = peek() else { throw error(.bodyJSONText, "expected a value, found the end of the body") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            if hasLiteral("NaN") || hasLiteral("Infinity") {
                throw error(.bodyNoNonfinite, "NaN and Infinity are not JSON numbers")
            }
            throw error(.bodyJSONText, "expected a value, found \(describeHere())")
        default:
            throw error(.bodyJSONText, "expected a value, found \(describeHere())")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        guard hasLiteral(literal) else {
            throw error(.bodyJSONText, "expected '\(literal)', found \(describeHere())")
        }
        index += literal.utf8CodeUnitCount
    }

    private func hasLiteral(_ literal: StaticString, at start: Int? = nil) -> Bool {
        let start = start ?? index
        let count = literal.utf8CodeUnitCount
        guard start + count <= bytes.count else { return false }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[start + offset] != expected[offset] { return false }
        return true
    }

    // MARK: Numbers

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    private mutating func parseNumber() throws -> JSONNumber {
        let start = index
        if peek() == UInt8(ascii: "-") {
            index += 1
            if hasLiteral("Infinity") { throw error(.bodyNoNonfinite, "-Infinity is not a JSON number", at: start) }
        }
        guard let first = peek(), isDigit(first) else {
            throw error(.bodyJSONText, "expected a digit in a number, found \(describeHere())")
        }
        index += 1
        if first == UInt8(ascii: "0") {
            if let next = peek(), isDigit(next) {
                throw error(.bodyJSONText, "a number must not have a leading zero")
            }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let next = peek(), isDigit(next) else {
                throw error(.bodyJSONText, "expected a digit after the decimal point, found \(describeHere())")
            }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let next = peek(), isDigit(next) else {
                throw error(.bodyJSONText, "expected a digit in an exponent, found \(describeHere())")
            }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(validatedText: text)
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    // MARK: Strings

    /// A string with the cursor on its opening quote. The fast path takes an unescaped run as it is.
    private mutating func parseString() throws -> String {
        let start = index + 1
        var cursor = start
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                index = cursor + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<cursor]), as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(start: start, firstEscape: cursor)
            } else if byte < 0x20 {
                throw error(.bodyJSONText, "unescaped control character \(describeByte(byte)) in a string", at: cursor)
            } else if byte < 0x80 {
                cursor += 1
            } else {
                cursor = try endOfUTF8Sequence(at: cursor)
            }
        }
        throw error(.bodyJSONText, "the body ended inside a string that began at offset \(start - 1)", at: bytes.count)
    }

    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws -> String {
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var cursor = firstEscape
        while cursor < bytes.count {
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "\""):
                index = cursor + 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard cursor + 1 < bytes.count else {
                    throw error(.bodyJSONText, "the body ended inside an escape", at: bytes.count)
                }
                let escape = bytes[cursor + 1]
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try unicodeEscape(at: cursor)
                    UTF8.encode(scalar.value) { utf8.append($0) }
                    cursor = scalar.end
                    continue
                default:
                    throw error(.bodyJSONText, "invalid escape '\\\(describeByte(escape, quoted: false))' in a string", at: cursor)
                }
                cursor += 2
            case 0..<0x20:
                throw error(.bodyJSONText, "unescaped control character \(describeByte(byte)) in a string", at: cursor)
            case 0x20..<0x80:
                utf8.append(byte)
                cursor += 1
            default:
                let end = try endOfUTF8Sequence(at: cursor)
                utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cursor..<end]))
                cursor = end
            }
        }
        throw error(.bodyJSONText, "the body ended inside a string that began at offset \(start - 1)", at: bytes.count)
    }

    /// `\uXXXX`, or a `\uD8xx\uDCxx` surrogate pair, at `at`; a lone or reversed surrogate is an error.
    private func unicodeEscape(at escapeStart: Int) throws -> (value: Unicode.Scalar, end: Int) {
        let high = try hex4(at: escapeStart + 2)
        switch high {
        case 0xD800...0xDBFF:
            guard hasLiteral("\\u", at: escapeStart + 6) else {
                throw error(.bodyNoLoneSurrogates, "high surrogate \\u\(hex4Text(high)) is not followed by a low surrogate", at: escapeStart)
            }
            let low = try hex4(at: escapeStart + 8)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(
                    .bodyNoLoneSurrogates, "high surrogate \\u\(hex4Text(high)) is followed by \\u\(hex4Text(low)), not a low surrogate", at: escapeStart)
            }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            return (Unicode.Scalar(value)!, escapeStart + 12)
        case 0xDC00...0xDFFF:
            throw error(.bodyNoLoneSurrogates, "low surrogate \\u\(hex4Text(high)) without a high surrogate before it", at: escapeStart)
        default:
            return (Unicode.Scalar(high)!, escapeStart + 6)
        }
    }

    private func hex4(at start: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let at = start + offset
            guard at < bytes.count else {
                throw error(.bodyJSONText, "the body ended inside a \\u escape", at: bytes.count)
            }
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.bodyJSONText, "expected a hex digit in a \\u escape, found \(describeByte(byte))", at: at)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: UTF-8

    /// The index after the well-formed UTF-8 sequence starting at `start` (RFC 3629, table 3-7 of Unicode):
    /// no overlong forms, no encoded surrogates, nothing above U+10FFFF.
    private func endOfUTF8Sequence(at start: Int) throws -> Int {
        guard let length = utf8SequenceLength(at: start) else {
            let shown = bytes[start..<min(start + 4, bytes.count)].map(hexByte).joined(separator: " ")
            throw error(.bodyUTF8, "invalid UTF-8 sequence starting with octets \(shown)", at: start, code: .invalidUTF8)
        }
        return start + length
    }

    /// The length of the well-formed sequence at `start`, or `nil` when it is not well-formed.
    private func utf8SequenceLength(at start: Int) -> Int? {
        let lead = bytes[start]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard start + length <= bytes.count, secondRange.contains(bytes[start + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[start + offset]) { return nil }
        return length
    }

    // MARK: Cursor

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// What stands at the cursor, for an error message: `'x'`, `U+00E9`, `octet 0xff` or "the end of the body".
    private func describeHere() -> String {
        guard index < bytes.count else { return "the end of the body" }
        let byte = bytes[index]
        if byte >= 0x80, let length = utf8SequenceLength(at: index) {
            let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]), as: UTF8.self)
                .unicodeScalars.first!
            return "U+" + hex4Text(scalar.value)
        }
        return describeByte(byte)
    }

    private func describeByte(_ byte: UInt8, quoted: Bool = true) -> String {
        if byte >= 0x21 && byte < 0x7F {
            let character = String(UnicodeScalar(byte))
            return quoted ? "'\(character)'" : character
        }
        return "octet 0x\(hexByte(byte))"
    }

    /// An error at the cursor (or `at`), whose code is `invalid-utf8` for a bad octet sequence outside a
    /// string and `invalid-json` otherwise.
    private func error(_ rule: RuleID, _ message: String, at offset: Int? = nil, code: WireError.Code? = nil) -> WireError {
        let offset = offset ?? index
        var code = code ?? .invalidJSON
        if code == .invalidJSON, rule == .bodyJSONText, offset < bytes.count, bytes[offset] >= 0x80,
            utf8SequenceLength(at: offset) == nil
        {
            return WireError(.invalidUTF8, rule: .bodyUTF8, "invalid UTF-8 sequence starting with octet 0x\(hexByte(bytes[offset]))", offset: offset)
        }
        if rule == .bodyUTF8 { code = .invalidUTF8 }
        return WireError(code, rule: rule, message, offset: offset)
    }
}

/// At least four uppercase hex digits: `00E9`, `1F600`.
func hex4Text(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
