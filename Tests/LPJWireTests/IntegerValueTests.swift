import LPJWire
import Testing

/// An integer is a number whose value is an integer, in any notation (spec Section 1.3): `1E5` is the
/// integer 100,000 wherever an integer member is read.
@Suite("Integers by value")
struct IntegerValueTests {
    @Test("plain, fractional-zero and exponent forms of one integer read as that integer")
    func integerForms() {
        let forms: [(String, Int64?)] = [
            ("100000", 100_000), ("1E5", 100_000), ("1e5", 100_000), ("1.0e5", 100_000), ("100000.000", 100_000), ("3E1", 30),
            ("2.5e2", 250), ("-0", 0), ("-0.0e7", 0), ("0E0", 0), ("-4.2E1", -42), ("9223372036854775807", .max),
            ("-9223372036854775808", .min), ("9.223372036854775807E18", .max),
        ]
        for (text, value) in forms { #expect(JSONNumber(text)?.int64Value == value, "\(text)") }
    }

    @Test("a fraction, or a value beyond Int64, is no Int64")
    func notIntegers() {
        for text in ["1.5", "1E-1", "2.55e1", "9223372036854775808", "1e19", "1e400", "-1e99999999999999999999"] {
            #expect(JSONNumber(text)?.int64Value == nil, "\(text)")
        }
    }

    @Test("an error response's offset written 3E1 is the offset 30")
    func offsetInExponentForm() throws {
        let response = try Response(body: Array(#"{"out":"error","result":{"code":"invalid-json","message":"m","offset":3E1}}"#.utf8))
        #expect(response.errorResult?.offset == 30)
    }
}
