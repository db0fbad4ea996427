import LPJWire
import Testing

@Suite("msg.value-equality")
struct ValueEqualityTests {
    static func number(_ text: String) -> JSONNumber { JSONNumber(text)! }

    @Test(
        "numbers equal by mathematical value",
        arguments: [
            ("1", "1.0"), ("1", "10e-1"), ("1", "1E0"), ("0", "-0"), ("0", "0e10"), ("-0.0", "0"), ("120", "1.2e2"),
            ("0.001", "1e-3"), ("12345678901234567890", "1.2345678901234567890e19"), ("1e400", "10e399"),
        ])
    func equalNumbers(_ pair: (String, String)) {
        #expect(Self.number(pair.0).isSameValue(as: Self.number(pair.1)))
        #expect(Self.number(pair.1).isSameValue(as: Self.number(pair.0)))
    }

    @Test(
        "numbers that differ, however slightly",
        arguments: [
            ("1", "1.0000000000000000001"), ("9007199254740993", "9007199254740992"), ("1e400", "1e401"), ("-1", "1"),
            ("0.1", "0.1000000000000000055511151231257827"), ("2", "20"),
        ])
    func differentNumbers(_ pair: (String, String)) {
        #expect(!Self.number(pair.0).isSameValue(as: Self.number(pair.1)))
    }

    @Test("interoperable numbers (msg.ping-echo-interoperable)")
    func interoperable() {
        for text in ["0", "-0", "9007199254740991", "-9007199254740991", "123456789012345", "1.23456789012345e300", "1e-307", "9.99999999999999e307", "0.5"] {
            #expect(Self.number(text).isInteroperable, "\(text)")
        }
        for text in ["9007199254740992", "12345678901234567", "0.1234567890123456", "1e-308", "1e308", "1e400", "0.1000000000000000055511151231257827"] {
            #expect(!Self.number(text).isInteroperable, "\(text)")
        }
    }

    @Test("strings compare by scalars, with no normalization; objects ignore member order")
    func stringsAndObjects() throws {
        #expect(!JSONValue.string("\u{e9}").isSameValue(as: .string("e\u{301}")))
        #expect(JSONValue.string("\u{e9}").isSameValue(as: try JSONParser.parse(#""\u00e9""#)))
        let a = try JSONParser.parse(#"{"x":1,"y":[1,2]}"#)
        let b = try JSONParser.parse(#"{"y":[1.0,2e0],"x":1}"#)
        #expect(a.isSameValue(as: b))
        #expect(!a.isSameValue(as: try JSONParser.parse(#"{"x":1,"y":[2,1]}"#)))
        #expect(a.firstDifference(from: try JSONParser.parse(#"{"x":1,"y":[1,3]}"#)) == "/y/1: expected 2, found 3")
        #expect(!JSONValue.null.isSameValue(as: .bool(false)))
    }
}
