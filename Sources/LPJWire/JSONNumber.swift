/// A JSON number, kept as the exact text it was written with (`body.numbers`).
///
///     -12.50e+3     text "-12.50e+3", value -12500, not an int64 literal, double -12500.0
///
/// Keeping the text lets an echo be checked for fidelity (`msg.ping-echo-exact`) and lets numbers beyond
/// int64 and binary64 (2^64, 1e400) pass through a server unchanged.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number as written, always valid RFC 8259 number grammar.
    public let text: String

    /// A number from text in RFC 8259 grammar (`-? int frac? exp?`), or `nil` for anything else.
    public init?(_ text: String) {
        guard JSONNumber.isValidGrammar(Array(text.utf8)) else { return nil }
        self.text = text
    }

    /// A number whose text the parser has already checked.
    init(validatedText text: String) { self.text = text }

    public init(_ value: Int) { self.text = String(value) }
    public init(_ value: Int64) { self.text = String(value) }
    public init(_ value: UInt64) { self.text = String(value) }

    /// A number from a finite double, written in the shortest text that reads back as the same double;
    /// `nil` for NaN and the infinities, which JSON cannot carry (`body.no-nonfinite`).
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.text = "\(value)"
    }

    public var description: String { text }

    /// The value as an `Int64` when it is an integer that fits, in any notation: an integer is a number
    /// whose value is an integer (spec Section 1.3), so `100000`, `1E5`, `1.0e5` and `100000.0` are all
    /// 100,000, while `1.5` and `1E-1` are no integer.
    public var int64Value: Int64? {
        if let plain = Int64(text) { return plain }
        guard let decimal = CanonicalDecimal(self), decimal.isInteger else { return nil }
        guard !decimal.digits.isEmpty else { return 0 }
        guard decimal.exponent <= 19 else { return nil }
        let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: decimal.exponent - decimal.digits.count)
        return Int64((decimal.negative ? "-" : "") + String(decoding: decimal.digits + zeros, as: UTF8.self))
    }

    /// The nearest binary64 value (±infinity beyond its range).
    public var doubleValue: Double { Double(text) ?? .nan }

    /// Whether `msg.ping-echo-interoperable` requires this number to be echoed exactly: an integer with
    /// |n| <= 2^53 - 1, or at most 15 significant digits with magnitude 0 or within [1e-307, 1e308].
    public var isInteroperable: Bool {
        guard let decimal = CanonicalDecimal(self) else { return false }
        if decimal.digits.isEmpty { return true }
        if decimal.isInteger, decimal.magnitudeIsAtMost(digits: Array("9007199254740991".utf8)) { return true }
        guard decimal.digits.count <= 15 else { return false }
        // value = 0.d1d2... x 10^exponent, so 1e-307 <= value < 1e308 <=> -306 <= exponent <= 308
        return decimal.exponent >= -306 && decimal.exponent <= 308
    }

    /// Whether two numbers denote the same mathematical value (`msg.value-equality`): `1`, `1.0`, `10e-1`
    /// and `1E0` are equal, and so are `0` and `-0`.
    public func isSameValue(as other: JSONNumber) -> Bool {
        if text == other.text { return true }
        guard let lhs = CanonicalDecimal(self), let rhs = CanonicalDecimal(other) else { return false }
        return lhs == rhs
    }

    /// RFC 8259: `number = [ minus ] int [ frac ] [ exp ]`.
    static func isValidGrammar(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
        if index < bytes.count && bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit(index) else { return false }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { while digit(index) { index += 1 } }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digit(index) else { return false }
            while digit(index) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard digit(index) else { return false }
            while digit(index) { index += 1 }
        }
        return index == bytes.count
    }
}

/// A number reduced to sign, significant digits and exponent, so that equal values compare equal:
/// value = (negative ? -1 : 1) x 0.d1d2...dn x 10^exponent, no leading or trailing zero digits; zero has no digits.
struct CanonicalDecimal: Hashable {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    /// `nil` only when the exponent does not fit an `Int` (e.g. `1e99999999999999999999`).
    init?(_ number: JSONNumber) {
        let bytes = Array(number.text.utf8)
        var index = 0
        negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: [UInt8] = []
        var pointPosition: Int?
        while index < bytes.count, bytes[index] != UInt8(ascii: "e"), bytes[index] != UInt8(ascii: "E") {
            if bytes[index] == UInt8(ascii: ".") { pointPosition = mantissa.count } else { mantissa.append(bytes[index]) }
            index += 1
        }
        var written = 0
        if index < bytes.count {
            guard let value = Int(String(decoding: bytes[(index + 1)...], as: UTF8.self)),
                abs(value) < Int.max / 4
            else { return nil }
            written = value
        }
        // value = 0.mantissa x 10^(integerDigits + written)
        var adjust = pointPosition ?? mantissa.count
        let leadingZeros = mantissa.prefix(while: { $0 == UInt8(ascii: "0") }).count
        mantissa.removeFirst(leadingZeros)
        adjust -= leadingZeros
        while mantissa.last == UInt8(ascii: "0") { mantissa.removeLast() }
        digits = mantissa
        if digits.isEmpty {
            negative = false
            exponent = 0
        } else {
            exponent = adjust + written
        }
    }

    /// Whether the value has no fractional part.
    var isInteger: Bool { digits.count <= exponent || digits.isEmpty }

    /// Whether |value| <= the integer whose decimal digits are `limit`.
    func magnitudeIsAtMost(digits limit: [UInt8]) -> Bool {
        guard isInteger else { return false }
        if exponent != limit.count { return exponent < limit.count }
        let padded = digits + Array(repeating: UInt8(ascii: "0"), count: exponent - digits.count)
        return padded.lexicographicallyPrecedes(limit) || padded == limit
    }
}
