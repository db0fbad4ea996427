import LPJWire
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("the legacy style reproduces CPython 2.7's json.dumps to the octet")
    func legacyPython() {
        // Each expected text was produced by CPython 2.7.18's json.dumps with default arguments.
        let ping = Request(method: "ping", params: "ireader 0")
        #expect(
            String(decoding: ping.body(style: .legacyPython, order: .cpython27), as: UTF8.self)
                == #"{"params": "ireader 0", "in": "ping"}"#)
        let unicode = Request(method: "ping", params: "h\u{e9}llo \u{1F600}")
        #expect(
            String(decoding: unicode.body(style: .legacyPython, order: .cpython27), as: UTF8.self)
                == #"{"params": "h\u00e9llo \ud83d\ude00", "in": "ping"}"#)
        let pong = Response(
            out: "pong",
            result: [
                .number(JSONNumber(1.0)!), .number(JSONNumber(1e-05)!),
                .number(JSONNumber("12345678901234567890")!), .number(JSONNumber(0.1)!),
                .number(JSONNumber(1e300)!), ["a": 1],
            ])
        #expect(
            String(decoding: pong.body(style: .legacyPython, order: .cpython27), as: UTF8.self)
                == #"{"result": [1.0, 1e-05, 12345678901234567890, 0.1, 1e+300, {"a": 1}], "out": "pong"}"#)
    }

    @Test("the compact style writes raw UTF-8 and escapes only what JSON requires")
    func compact() {
        let value: JSONValue = ["s": .string("é😀\"\\\n\u{1}\u{7f}/")]
        #expect(JSONWriter.string(value) == "{\"s\":\"é😀\\\"\\\\\\n\\u0001\u{7f}/\"}")
    }

    @Test("NaN and the infinities cannot become JSON numbers (body.no-nonfinite)")
    func nonFinite() {
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(-Double.infinity) == nil)
        #expect(JSONNumber("NaN") == nil)
        #expect(JSONNumber("01") == nil)
        #expect(JSONNumber("-0.5e+7") != nil)
    }

    @Test("what any style writes parses back to the same value", arguments: [JSONWriter.Style.compact, .legacyPython, .pretty])
    func roundTrip(style: JSONWriter.Style) throws {
        let value: JSONValue = [
            "in": "ping",
            "params": [
                nil, true, false, 0, -1, .number(JSONNumber("1e400")!), "\u{0}\u{1f}é😀\u{2028}", [], [:],
                .object(JSONObject([.init("a", 1), .init("a", 2)])),
            ],
        ]
        #expect(try JSONParser.parse(JSONWriter.bytes(value, style: style)) == value)
    }
}
