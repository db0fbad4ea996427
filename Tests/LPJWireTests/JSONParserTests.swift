import LPJWire
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    struct Rejection: Sendable, CustomTestStringConvertible {
        var body: [UInt8]
        var code: WireError.Code
        var rule: RuleID
        var offset: Int
        var testDescription: String { String(decoding: body, as: UTF8.self) }

        init(_ text: String, _ code: WireError.Code, _ rule: RuleID, at offset: Int) {
            self.init(Array(text.utf8), code, rule, at: offset)
        }
        init(_ body: [UInt8], _ code: WireError.Code, _ rule: RuleID, at offset: Int) {
            self.body = body
            self.code = code
            self.rule = rule
            self.offset = offset
        }
    }

    @Test(
        "each rejection names its code, rule and byte offset",
        arguments: [
            Rejection(#"{"in":"ping","params":[1,]}"#, .invalidJSON, "body.json-text", at: 25),
            Rejection(#"{"in":"ping","params":1} {}"#, .invalidJSON, "body.json-text", at: 25),
            Rejection(#"{'in':1}"#, .invalidJSON, "body.json-text", at: 1),
            Rejection(#"[01]"#, .invalidJSON, "body.json-text", at: 2),
            Rejection(#"[1.]"#, .invalidJSON, "body.json-text", at: 3),
            Rejection(#"[1e]"#, .invalidJSON, "body.json-text", at: 3),
            Rejection("[\"a\tb\"]", .invalidJSON, "body.json-text", at: 3),
            Rejection(#"["\x"]"#, .invalidJSON, "body.json-text", at: 2),
            Rejection(#"["\u12G4"]"#, .invalidJSON, "body.json-text", at: 6),
            Rejection(#"["abc"#, .invalidJSON, "body.json-text", at: 5),
            Rejection(#"["\"#, .invalidJSON, "body.json-text", at: 3),
            Rejection("", .invalidJSON, "body.json-text", at: 0),
            Rejection("   ", .invalidJSON, "body.json-text", at: 3),
            Rejection("\u{feff}{}", .invalidJSON, "body.no-bom", at: 0),
            Rejection(#"[NaN]"#, .invalidJSON, "body.no-nonfinite", at: 1),
            Rejection(#"[Infinity]"#, .invalidJSON, "body.no-nonfinite", at: 1),
            Rejection(#"[-Infinity]"#, .invalidJSON, "body.no-nonfinite", at: 1),
            Rejection(#"["\ud83d"]"#, .invalidJSON, "body.no-lone-surrogates", at: 2),
            Rejection(#"["\ude00"]"#, .invalidJSON, "body.no-lone-surrogates", at: 2),
            Rejection(#"["\ud83d\u0041"]"#, .invalidJSON, "body.no-lone-surrogates", at: 2),
            Rejection([0x5b, 0x22, 0xe9, 0x22, 0x5d], .invalidUTF8, "body.utf8", at: 2),  // ["é"] in ISO-8859-1
            Rejection([0x5b, 0x22, 0xc0, 0xaf, 0x22, 0x5d], .invalidUTF8, "body.utf8", at: 2),  // overlong '/'
            Rejection([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d], .invalidUTF8, "body.utf8", at: 2),  // encoded surrogate
            Rejection([0x5b, 0x22, 0xf4, 0x90, 0x80, 0x80, 0x22, 0x5d], .invalidUTF8, "body.utf8", at: 2),  // above U+10FFFF
            Rejection([0x5b, 0x22, 0xe2, 0x82, 0x22, 0x5d], .invalidUTF8, "body.utf8", at: 2),  // truncated sequence
            Rejection([0x5b, 0xff, 0x5d], .invalidUTF8, "body.utf8", at: 1),  // outside a string
        ])
    func rejection(_ expected: Rejection) {
        #expect {
            try JSONParser.parse(expected.body)
        } throws: { error in
            guard let error = error as? WireError else { return false }
            return error.code == expected.code && error.rule == expected.rule && error.offset == expected.offset
        }
    }

    @Test("strings: escapes and raw UTF-8 denote the same string; \\u0000 survives (body.escapes-equal)")
    func strings() throws {
        #expect(try JSONParser.parse(#""h\u00e9llo \ud83d\ude00""#) == .string("héllo 😀"))
        #expect(try JSONParser.parse("\"héllo 😀\"") == .string("héllo 😀"))
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u0000""#) == .string("\"\\/\u{8}\u{c}\n\r\t\u{0}"))
        #expect(try JSONParser.parse(#""\u0000""#).stringValue?.unicodeScalars.first?.value == 0)
    }

    @Test("numbers keep their exact text, whatever their size (body.numbers)")
    func numbers() throws {
        let text = "[-0,1E400,123456789012345678901234567890,0.1000000000000000055511151231257827,-1.5e-10]"
        guard case .array(let items) = try JSONParser.parse(text) else { Issue.record("not an array"); return }
        #expect(
            items.map { $0.numberValue?.text } == [
                "-0", "1E400", "123456789012345678901234567890",
                "0.1000000000000000055511151231257827", "-1.5e-10",
            ])
    }

    @Test("objects keep every member in order, duplicates included (body.nested-duplicates)")
    func duplicates() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.members.map(\.name) == ["a", "b", "a"])
        #expect(value.objectValue?["a"] == 1)
        #expect(value.objectValue?.count(of: "a") == 2)
    }

    @Test("depth 64 is accepted (body.nesting-minimum); beyond the limit is refused at the opening bracket (body.nesting-limit)")
    func depth() throws {
        let deep64 = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONParser.parse(deep64, options: .init(maxDepth: 64)).depth == 64)
        #expect {
            try JSONParser.parse(deep64, options: .init(maxDepth: 63))
        } throws: { error in
            (error as? WireError)?.rule == "body.nesting-limit" && (error as? WireError)?.offset == 63
        }
        #expect(JSONParser.Options().maxDepth >= JSONParser.Options.minimumMaxDepth)
    }

    @Test("100,000 open brackets are refused without recursion; the largest allowed limit parses and frees safely")
    func noStackOverflow() throws {
        let opening = String(repeating: "[", count: 100_000)
        #expect(throws: WireError.self) { try JSONParser.parse(opening) }
        let limit = JSONParser.Options.largestMaxDepth
        let nested = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try JSONParser.parse(nested, options: .init(maxDepth: limit)).depth == limit)
    }

    @Test("whitespace is allowed wherever RFC 8259 allows it, and only the four JSON whitespace characters")
    func whitespace() throws {
        #expect(try JSONParser.parse(" \t\r\n{ \"a\" : [ 1 , 2 ] } \n") == ["a": [1, 2]])
        #expect(throws: WireError.self) { try JSONParser.parse("\u{0c}{}") }
        #expect(throws: WireError.self) { try JSONParser.parse("{}\u{a0}") }
    }
}
