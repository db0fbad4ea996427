import LPJWire

/// Every fixture, in manifest order. The one place fixture bytes are defined.
public enum FixtureCatalog {
    public static let all: [FixtureDefinition] = requests + byteOrders + framing + bodies + messages + streams + responses

    typealias F = FixtureDefinition

    // MARK: - Requests a server must answer

    static let legacyPing = #"{"params": "ireader 0", "in": "ping"}"#

    static let requests: [F] = [
        F(
            "request.ping.legacy-python",
            "The tutorial's ping exactly as its CPython 2.7 client sends it on x86-64: params before in, \", \" and \": \" spacing.",
            direction: .clientToServer, .mustAccept,
            rules: [.framePrefixSize, .frameBodyFollows, .orderLittleDefault, .msgRequest, .msgMemberOrder, .msgPing],
            wire: Wire.frame(legacyPing), responses: [.pong("ireader 0")]),
        F(
            "request.ping.compact", "A ping with no insignificant whitespace, as the reference client sends it.",
            direction: .clientToServer, .mustAccept, rules: [.msgRequest, .msgPing],
            wire: Wire.frame(Wire.request("ping", "ireader 0")), responses: [.pong("ireader 0")]),
        F(
            "request.ping.pretty", "A ping pretty-printed over several lines with tabs and CRLF.",
            direction: .clientToServer, .mustAccept, rules: [.bodyJSONText, .msgPing],
            wire: Wire.frame("{\r\n\t\"in\" : \"ping\",\r\n\t\"params\" : [ 1 , { \"a\" : null } ]\r\n}\r\n"),
            responses: [.pong(Wire.json(#"[1,{"a":null}]"#))]),
        F(
            "request.ping.null-params", "params may be null.",
            direction: .clientToServer, .mustAccept, rules: [.msgRequest, .msgPing],
            wire: Wire.frame(#"{"in":"ping","params":null}"#), responses: [.pong(nil)]),
        F(
            "request.ping.empty-params", "Empty object params.",
            direction: .clientToServer, .mustAccept, rules: [.msgPing],
            wire: Wire.frame(#"{"in":"ping","params":{}}"#), responses: [.pong([:])]),
        F(
            "request.ping.scalars", "Params of every JSON type.",
            direction: .clientToServer, .mustAccept, rules: [.msgPing, .msgValueEquality],
            wire: Wire.frame(#"{"in":"ping","params":[null,true,false,0,-1,"",[],{}]}"#),
            responses: [.pong(Wire.json(#"[null,true,false,0,-1,"",[],{}]"#))]),
        F(
            "request.ping.unknown-members", "Unknown members beside in and params are ignored.",
            direction: .clientToServer, .mustAccept, rules: [.msgUnknownMembers],
            wire: Wire.frame(#"{"id":7,"in":"ping","params":"x","trace":{"span":1}}"#), responses: [.pong("x")]),
        F(
            "request.ping.non-ascii-raw",
            "Raw UTF-8 \"héllo wörld ✓\": 15 characters, 19 octets in the string; the prefix counts octets.",
            direction: .clientToServer, .mustAccept, rules: [.frameLengthCountsOctets, .bodyUTF8, .msgPing],
            wire: Wire.frame(Wire.request("ping", "héllo wörld ✓")), responses: [.pong("héllo wörld ✓")]),
        F(
            "request.ping.non-ascii-escaped", "The same string as \\u escapes, as CPython 2.7 sends it; equal to the raw form.",
            direction: .clientToServer, .mustAccept, rules: [.bodyEscapesEqual, .msgValueEquality, .msgPing],
            wire: Wire.frame(#"{"params": "h\u00e9llo w\u00f6rld \u2713", "in": "ping"}"#), responses: [.pong("héllo wörld ✓")]),
        F(
            "request.ping.astral-raw", "An astral character (U+1F600) raw: 1 character, 2 UTF-16 code units, 4 octets.",
            direction: .clientToServer, .mustAccept, rules: [.frameLengthCountsOctets, .bodyUTF8, .msgPing],
            wire: Wire.frame(Wire.request("ping", "😀")), responses: [.pong("😀")]),
        F(
            "request.ping.astral-escaped", "The same character as a surrogate-pair escape \\ud83d\\ude00.",
            direction: .clientToServer, .mustAccept, rules: [.bodyEscapesEqual, .bodyNoLoneSurrogates, .msgPing],
            wire: Wire.frame(#"{"in":"ping","params":"\ud83d\ude00"}"#), responses: [.pong("😀")]),
        F(
            "request.ping.escapes", "Every escape JSON has, \\u0000 included, which must survive the echo.",
            direction: .clientToServer, .mustAccept, rules: [.bodyEscapesEqual, .msgPing],
            wire: Wire.frame(#"{"in":"ping","params":"\"\\\/\b\f\n\r\t\u0000\u001f\u007f"}"#),
            responses: [.pong(.string("\"\\/\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}"))]),
        F(
            "request.ping.nfc-nfd", "NFC é and NFD e+U+0301 are different strings (no normalization).",
            direction: .clientToServer, .mustAccept, rules: [.msgValueEquality, .msgPing],
            wire: Wire.frame(Wire.request("ping", ["\u{e9}", "e\u{301}"])), responses: [.pong(["\u{e9}", "e\u{301}"])]),
        F(
            "request.ping.interoperable-numbers",
            "Numbers every server must echo exactly: ±(2^53-1), 15 significant digits, the binary64 normal range edges.",
            direction: .clientToServer, .mustAccept, rules: [.msgPingEchoInteroperable, .msgValueEquality],
            wire: Wire.frame(
                #"{"in":"ping","params":[0,-0,1,-1,9007199254740991,-9007199254740991,0.5,-2.25,123456789012345,1.23456789012345e300,1e-307,9.99999999999999e307,1E2,1.5e-10]}"#
            ),
            responses: [
                .pong(
                    Wire.json(
                        "[0,-0,1,-1,9007199254740991,-9007199254740991,0.5,-2.25,123456789012345,1.23456789012345e300,1e-307,9.99999999999999e307,1E2,1.5e-10]")
                )
            ]),
        F(
            "request.ping.int64-edges",
            "Integers at and past the int64 and uint64 edges; exact echo is SHOULD (a binary64 server rounds them).",
            direction: .clientToServer, .mustAccept, rules: [.bodyNumbers, .msgPingEchoExact],
            wire: Wire.frame(
                #"{"in":"ping","params":[9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,18446744073709551615,18446744073709551616,9007199254740993]}"#
            ),
            responses: [
                .pong(
                    Wire.json(
                        "[9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,18446744073709551615,18446744073709551616,9007199254740993]"
                    ))
            ]),
        F(
            "request.ping.double-edges",
            "Doubles at the edges: largest finite, smallest subnormal, smallest normal, 0.1's exact expansion, beyond binary64.",
            direction: .clientToServer, .mustAccept, rules: [.bodyNumbers, .msgPingEchoExact],
            wire: Wire.frame(
                #"{"in":"ping","params":[1.7976931348623157e308,5e-324,2.2250738585072014e-308,0.1000000000000000055511151231257827,1e400,-1e-400,1.000000000000000005]}"#
            ),
            responses: [
                .pong(
                    Wire.json("[1.7976931348623157e308,5e-324,2.2250738585072014e-308,0.1000000000000000055511151231257827,1e400,-1e-400,1.000000000000000005]")
                )
            ]),
        F(
            "request.ping.depth-64", "Nesting depth 64 counting the message object: every receiver accepts it.",
            direction: .clientToServer, .mustAccept, rules: [.bodyNestingMinimum],
            wire: Wire.frame(#"{"in":"ping","params":"# + Wire.nestedArrays(63) + "}"),
            responses: [.pong(Wire.json(Wire.nestedArrays(63)))]),
        F(
            "request.ping.size-65536", "A ping body of exactly 65,536 octets, the least every receiver must accept.",
            direction: .clientToServer, .mustAccept, rules: [.frameMaxSizeMinimum, .frameBodyFollows],
            wire: Wire.frame(Wire.pingBody(ofSize: 65_536)),
            responses: [.pong(.string(String(repeating: "x", count: 65_536 - Wire.request("ping", "").utf8.count)))]),
    ]

    // MARK: - Byte order

    static let byteOrders: [F] = [
        F(
            "request.ping.legacy-python-s390x",
            "The legacy ping as the same client writes it on s390x: struct.pack(\"I\") is big-endian there. Big-endian mode accepts it.",
            direction: .clientToServer, byteOrder: .big, .mustAccept,
            rules: [.orderBigMode, .orderNativeIsLegacy, .orderSameBothDirections],
            wire: Wire.frame(legacyPing, .big), responses: [.pong("ireader 0")]),
        F(
            "request.ping.legacy-python-s390x-to-little",
            "The s390x legacy ping read by a little-endian receiver: 00 00 00 25 reads 620,756,992, over the limit; the swapped reading (37) is the hint.",
            direction: .clientToServer, byteOrder: .big, .mustReject,
            rules: [.orderLittleDefault, .frameOversizeClose, .frameOversizeErrorReply, .orderMismatchDiagnosis],
            wire: Wire.frame(legacyPing, .big), receiverByteOrder: .little, rejection: .frameTooLarge,
            responses: [.error(.frameTooLarge, level: .should)], connection: .closed),
        F(
            "request.byte-order.ambiguous-256",
            "A big-endian prefix 00 00 01 00 (256): read little-endian it is 65,536, also within the limit. auto-detection calls it ambiguous and picks little, so the 256-octet body is taken as the start of a 65,536-octet one that never ends.",
            direction: .clientToServer, byteOrder: .big, .mustReject, rules: [.orderAutoDetect, .orderAutoAlgorithm, .connEOFInsideFrame],
            wire: Wire.frame(Wire.pingBody(ofSize: 256), .big), receiverByteOrder: .auto, rejection: .truncatedFrame,
            connection: .closed),
    ]

    // MARK: - Framing

    static let framing: [F] = [
        F(
            "request.frame.zero-length", "A zero-length frame: well-formed framing, but no JSON text; answered invalid-json.",
            direction: .clientToServer, byteOrder: .either, .mustReject, rules: [.frameZeroLength, .msgErrorKeepsConnection],
            wire: Wire.prefix(0), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.frame.limit-plus-one", "A prefix announcing 1,048,577 octets (limit + 1) and no body: refused before any body is read.",
            direction: .clientToServer, .mustReject,
            rules: [.frameLimitBeforeAllocation, .frameOversizeClose, .frameOversizeErrorReply, .frameMaxSizeConfigurable],
            wire: Wire.prefix(1_048_577), rejection: .frameTooLarge,
            responses: [.error(.frameTooLarge, level: .should)], connection: .closed),
        F(
            "request.frame.max-uint32", "A prefix announcing 4,294,967,295 octets: never allocate what a prefix claims.",
            direction: .clientToServer, byteOrder: .either, .mustReject, rules: [.frameLimitBeforeAllocation, .frameOversizeClose],
            wire: [0xff, 0xff, 0xff, 0xff], rejection: .frameTooLarge,
            responses: [.error(.frameTooLarge, level: .should)], connection: .closed),
        F(
            "request.frame.limit-exact-small-receiver",
            "A ping of exactly 65,536 octets sent to a receiver whose limit is 65,536: accepted (the limit is inclusive).",
            direction: .clientToServer, .mustAccept, rules: [.frameMaxSizeConfigurable, .frameMaxSizeMinimum],
            wire: Wire.frame(Wire.pingBody(ofSize: 65_536)), receiverLimit: 65_536,
            responses: [.pong(.string(String(repeating: "x", count: 65_536 - Wire.request("ping", "").utf8.count)))]),
        F(
            "request.frame.limit-plus-one-small-receiver",
            "A ping of 65,537 octets sent to a receiver whose limit is 65,536: refused at the prefix.",
            direction: .clientToServer, .mustReject, rules: [.frameMaxSizeConfigurable, .frameOversizeClose],
            wire: Wire.frame(Wire.pingBody(ofSize: 65_537)), receiverLimit: 65_536, rejection: .frameTooLarge,
            responses: [.error(.frameTooLarge, level: .should)], connection: .closed),
        F(
            "request.frame.size-1mib",
            "A ping of exactly 1,048,576 octets to a receiver whose limit is the recommended 1,048,576: accepted (the limit is inclusive).",
            direction: .clientToServer, .mustAccept, rules: [.frameMaxSizeConfigurable],
            wire: Wire.frame(Wire.pingBody(ofSize: 1_048_576)),
            responses: [.pong(.string(String(repeating: "x", count: 1_048_576 - Wire.request("ping", "").utf8.count)))]),
        F(
            "request.frame.truncated-prefix", "Two octets of a prefix, then EOF: no response, the connection closes.",
            direction: .clientToServer, .mustReject, rules: [.connEOFInsideFrame, .frameReadsArePartial],
            wire: [0x25, 0x00], rejection: .truncatedFrame, connection: .closed),
        F(
            "request.frame.truncated-body", "The legacy ping cut 10 octets short of its announced 37, then EOF.",
            direction: .clientToServer, .mustReject, rules: [.connEOFInsideFrame, .frameBodyFollows],
            wire: Array(Wire.frame(legacyPing).dropLast(10)), rejection: .truncatedFrame, connection: .closed),
        F(
            "request.frame.text-without-prefix",
            "JSON written into the stream with no prefix: 7b 22 69 6e ('{\"in') reads as 1,852,383,867.",
            direction: .clientToServer, .mustReject, rules: [.frameOversizeClose, .orderMismatchDiagnosis],
            wire: Array(#"{"in":"ping","params":1}"#.utf8), rejection: .frameTooLarge,
            responses: [.error(.frameTooLarge, level: .should)], connection: .closed),
        F(
            "request.frame.counted-characters",
            "A sender that counted characters: \"héllo\" is 5 characters but 6 octets, so the prefix is one short. The body is cut before its '}', and that '}' is left as a partial prefix when the stream ends.",
            direction: .clientToServer, .mustReject, rules: [.frameLengthCountsOctets, .connEOFInsideFrame],
            wire: Wire.frame(#"{"in":"ping","params":"héllo"}"#, claimingLength: #"{"in":"ping","params":"héllo"}"#.count),
            rejection: .invalidJSON, responses: [.error(.invalidJSON)], connection: .closed),
        F(
            "request.frame.counted-utf16-units",
            "A sender that counted UTF-16 code units (JavaScript .length): \"😀\" is 2 units but 4 octets, so the prefix is two short.",
            direction: .clientToServer, .mustReject, rules: [.frameLengthCountsOctets, .connEOFInsideFrame],
            wire: Wire.frame(#"{"in":"ping","params":"😀"}"#, claimingLength: #"{"in":"ping","params":"😀"}"#.utf16.count),
            rejection: .invalidJSON, responses: [.error(.invalidJSON)], connection: .closed),
    ]

    // MARK: - Bodies

    static let bodies: [F] = [
        F(
            "request.body.bom", "A body starting with a UTF-8 byte order mark.",
            direction: .clientToServer, .mustReject, rules: [.bodyNoBOM, .msgErrorKeepsConnection],
            wire: Wire.frame("\u{feff}" + #"{"in":"ping","params":1}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.invalid-utf8", "An ISO-8859-1 é (octet e9) inside a string.",
            direction: .clientToServer, .mustReject, rules: [.bodyUTF8],
            wire: Wire.frame(bytes: Array(#"{"in":"ping","params":"caf"#.utf8) + [0xe9] + Array(#""}"#.utf8)),
            rejection: .invalidUTF8, responses: [.error(.invalidUTF8)]),
        F(
            "request.body.overlong-utf8", "An overlong two-octet encoding of '/' (c0 af).",
            direction: .clientToServer, .mustReject, rules: [.bodyUTF8],
            wire: Wire.frame(bytes: Array(#"{"in":"ping","params":""#.utf8) + [0xc0, 0xaf] + Array(#""}"#.utf8)),
            rejection: .invalidUTF8, responses: [.error(.invalidUTF8)]),
        F(
            "request.body.encoded-surrogate", "A surrogate encoded directly in UTF-8 (ed a0 80, CESU-8 style).",
            direction: .clientToServer, .mustReject, rules: [.bodyUTF8],
            wire: Wire.frame(bytes: Array(#"{"in":"ping","params":""#.utf8) + [0xed, 0xa0, 0x80] + Array(#""}"#.utf8)),
            rejection: .invalidUTF8, responses: [.error(.invalidUTF8)]),
        F(
            "request.body.lone-surrogate", "A lone high surrogate escape \\ud83d.",
            direction: .clientToServer, .mustReject, rules: [.bodyNoLoneSurrogates],
            wire: Wire.frame(#"{"in":"ping","params":"\ud83d"}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.reversed-surrogates", "A low surrogate before a high one: \\ude00\\ud83d.",
            direction: .clientToServer, .mustReject, rules: [.bodyNoLoneSurrogates],
            wire: Wire.frame(#"{"in":"ping","params":"\ude00\ud83d"}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.nan", "What CPython's json.dumps writes for float('nan'): NaN is not JSON.",
            direction: .clientToServer, .mustReject, rules: [.bodyNoNonfinite],
            wire: Wire.frame(#"{"params": NaN, "in": "ping"}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.infinity", "-Infinity, likewise.",
            direction: .clientToServer, .mustReject, rules: [.bodyNoNonfinite],
            wire: Wire.frame(#"{"params": -Infinity, "in": "ping"}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.malformed", "A trailing comma in params.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText, .msgErrorKeepsConnection],
            wire: Wire.frame(#"{"in":"ping","params":[1,]}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.trailing-text", "A second value after the object.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText],
            wire: Wire.frame(#"{"in":"ping","params":1} {}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.whitespace-only",
            "A body of whitespace only (space, tab, CR, LF): a valid beginning that ends too early, so invalid-json at offset 4, the length.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText, .msgErrorKeepsConnection],
            wire: Wire.frame(" \t\r\n"), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.leading-zero",
            "A number with a leading zero: the 0 is a complete number, so the 1 is the only accepted offset.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText],
            wire: Wire.frame(#"{"in":"ping","params":01}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.misspelled-literal",
            "The literal nul where null belongs: the literal's first octet and the '}' that cuts it short are both accepted offsets.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText],
            wire: Wire.frame(#"{"in":"ping","params":nul}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.control-character",
            "A raw tab inside a string: the string's opening quote and the tab are both accepted offsets.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText],
            wire: Wire.frame("{\"in\":\"ping\",\"params\":\"a\tb\"}"), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.single-quotes", "Python repr() instead of JSON: single quotes.",
            direction: .clientToServer, .mustReject, rules: [.bodyJSONText],
            wire: Wire.frame(#"{'in': 'ping', 'params': 1}"#), rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.not-an-object", "A JSON array where the request object belongs.",
            direction: .clientToServer, .mustReject, rules: [.bodyObject],
            wire: Wire.frame(#"["ping",1]"#), rejection: .invalidRequest, responses: [.error(.invalidRequest)]),
        F(
            "request.body.depth-600", "600 nested arrays in params: over the reference depth limit of 512, so the reference refuses it.",
            direction: .clientToServer, .implementationDefined, rules: [.bodyNestingLimit],
            wire: Wire.frame(#"{"in":"ping","params":"# + Wire.nestedArrays(600) + "}"),
            rejection: .invalidJSON, responses: [.error(.invalidJSON)]),
        F(
            "request.body.nested-duplicates", "Duplicate member names inside params: the reference keeps both, in order.",
            direction: .clientToServer, .implementationDefined, rules: [.bodyNestedDuplicates],
            wire: Wire.frame(#"{"in":"ping","params":{"a":1,"a":2}}"#),
            responses: [.pong(.object(JSONObject([.init("a", 1), .init("a", 2)])))]),
    ]

    // MARK: - Messages

    static let messages: [F] = [
        F(
            "request.message.unknown-method", "A method the server does not have: legacy servers die with KeyError.",
            direction: .clientToServer, .mustReject, rules: [.msgUnknownMethod, .msgErrorResponse, .msgErrorKeepsConnection],
            wire: Wire.frame(Wire.request("frob", 1)), rejection: .unknownMethod, responses: [.error(.unknownMethod)]),
        F(
            "request.message.method-case", "Method names are case-sensitive: \"Ping\" is not \"ping\".",
            direction: .clientToServer, .mustReject, rules: [.msgMethodNames],
            wire: Wire.frame(Wire.request("Ping", 1)), rejection: .unknownMethod, responses: [.error(.unknownMethod)]),
        F(
            "request.message.missing-in", "No in member.",
            direction: .clientToServer, .mustReject, rules: [.msgRequest],
            wire: Wire.frame(#"{"params":1}"#), rejection: .invalidRequest, responses: [.error(.invalidRequest)]),
        F(
            "request.message.missing-params", "No params member.",
            direction: .clientToServer, .mustReject, rules: [.msgRequest],
            wire: Wire.frame(#"{"in":"ping"}"#), rejection: .invalidRequest, responses: [.error(.invalidRequest)]),
        F(
            "request.message.in-not-string", "in is a number.",
            direction: .clientToServer, .mustReject, rules: [.msgRequest],
            wire: Wire.frame(#"{"in":1,"params":1}"#), rejection: .invalidRequest, responses: [.error(.invalidRequest)]),
        F(
            "request.message.duplicate-in", "in appears twice.",
            direction: .clientToServer, .mustReject, rules: [.msgDuplicateMembers],
            wire: Wire.frame(#"{"in":"ping","in":"frob","params":1}"#), rejection: .invalidRequest, responses: [.error(.invalidRequest)]),
    ]

    // MARK: - Streams of several frames

    static let streams: [F] = [
        F(
            "stream.pipelined-three", "Three pings in one write; three pongs in request order.",
            direction: .clientToServer, .mustAccept, rules: [.connPipelining, .connInOrder, .connOneResponse],
            wire: Wire.frame(Wire.request("ping", 1)) + Wire.frame(Wire.request("ping", 2)) + Wire.frame(Wire.request("ping", 3)),
            responses: [.pong(1), .pong(2), .pong(3)]),
        F(
            "stream.pipelined-hundred",
            "A hundred pings in one write: a server answers every one, in order, and never overloaded for one connection's queue.",
            direction: .clientToServer, .mustAccept, rules: [.connPipelining, .connInOrder, .secConnectionLimit],
            wire: (1...100).flatMap { Wire.frame(Wire.request("ping", .number(JSONNumber($0)))) },
            responses: (1...100).map { .pong(.number(JSONNumber($0))) }),
        F(
            "stream.error-then-ping", "Malformed JSON, then a ping: the error does not end the connection.",
            direction: .clientToServer, .mustReject, rules: [.msgErrorKeepsConnection, .connOneResponse, .connInOrder],
            wire: Wire.frame("{") + Wire.frame(Wire.request("ping", "after")), rejection: .invalidJSON,
            responses: [.error(.invalidJSON), .pong("after")]),
        F(
            "stream.unknown-method-then-ping", "An unknown method, then a ping: both answered, in order.",
            direction: .clientToServer, .mustReject, rules: [.msgUnknownMethod, .msgErrorKeepsConnection, .connInOrder],
            wire: Wire.frame(Wire.request("frob", nil)) + Wire.frame(Wire.request("ping", "after")), rejection: .unknownMethod,
            responses: [.error(.unknownMethod), .pong("after")]),
        F(
            "stream.ping-then-oversize", "A ping, then an oversized prefix, then a ping that must not be read.",
            direction: .clientToServer, .mustReject, rules: [.frameOversizeClose, .connInOrder, .connOneResponse],
            wire: Wire.frame(Wire.request("ping", "before")) + Wire.prefix(1_048_577) + Wire.frame(Wire.request("ping", "never")),
            rejection: .frameTooLarge, responses: [.pong("before"), .error(.frameTooLarge, level: .should)], connection: .closed),
        F(
            "stream.ping-then-truncated", "A complete ping, then half a prefix and EOF: the ping is still answered.",
            direction: .clientToServer, .mustReject, rules: [.connEOFInsideFrame, .connHalfClose],
            wire: Wire.frame(Wire.request("ping", "before")) + [0x10, 0x00], rejection: .truncatedFrame,
            responses: [.pong("before")], connection: .closed),
        F(
            "stream.zero-length-then-ping", "A zero-length frame between two pings.",
            direction: .clientToServer, .mustReject, rules: [.frameZeroLength, .msgErrorKeepsConnection],
            wire: Wire.frame(Wire.request("ping", 1)) + Wire.prefix(0) + Wire.frame(Wire.request("ping", 2)), rejection: .invalidJSON,
            responses: [.pong(1), .error(.invalidJSON), .pong(2)]),
    ]

    // MARK: - Responses a client reads

    static let responses: [F] =
        [
            F(
                "response.pong.compact", "The reference server's pong.",
                direction: .serverToClient, .mustAccept, rules: [.msgResponse, .msgPing],
                wire: Wire.frame(#"{"out":"pong","result":"ireader 0"}"#)),
            F(
                "response.pong.legacy-python", "The tutorial server's pong from CPython 2.7: result before out.",
                direction: .serverToClient, .mustAccept, rules: [.msgResponse, .msgMemberOrder],
                wire: Wire.frame(#"{"result": "ireader 0", "out": "pong"}"#)),
            F(
                "response.pong.legacy-python-s390x", "The same pong from a legacy server on s390x.",
                direction: .serverToClient, byteOrder: .big, .mustAccept, rules: [.orderBigMode, .orderSameBothDirections],
                wire: Wire.frame(#"{"result": "ireader 0", "out": "pong"}"#, .big)),
            F(
                "response.pong.non-ascii", "A pong with raw UTF-8 and an astral character.",
                direction: .serverToClient, .mustAccept, rules: [.frameLengthCountsOctets, .bodyUTF8],
                wire: Wire.frame(#"{"out":"pong","result":"héllo 😀"}"#)),
            F(
                "response.pong.unknown-members", "A pong with an extra member, which clients ignore.",
                direction: .serverToClient, .mustAccept, rules: [.msgUnknownMembers],
                wire: Wire.frame(#"{"out":"pong","result":1,"server":"x"}"#)),
            F(
                "response.pong.counted-characters", "A pong whose prefix counted characters, one short of the octets.",
                direction: .serverToClient, .mustReject, rules: [.frameLengthCountsOctets, .connClientLimit],
                wire: Wire.frame(#"{"out":"pong","result":"é"}"#, claimingLength: #"{"out":"pong","result":"é"}"#.count),
                rejection: .invalidJSON, connection: .closed),
            F(
                "response.pong.nan", "What a CPython server writes when it echoes float('nan').",
                direction: .serverToClient, .mustReject, rules: [.bodyNoNonfinite, .connClientLimit],
                wire: Wire.frame(#"{"result": NaN, "out": "pong"}"#), rejection: .invalidJSON),
            F(
                "response.missing-result", "A response without result.",
                direction: .serverToClient, .mustReject, rules: [.msgResponse],
                wire: Wire.frame(#"{"out":"pong"}"#), rejection: .invalidResponse),
            F(
                "response.error.without-code", "An error response whose result has no code.",
                direction: .serverToClient, .mustReject, rules: [.msgErrorResponse],
                wire: Wire.frame(#"{"out":"error","result":{"message":"no"}}"#), rejection: .invalidResponse),
            F(
                "response.error.unregistered-code", "An error code outside the registry: clients treat it as internal-error.",
                direction: .serverToClient, .mustAccept, rules: [.msgErrorCodes],
                wire: Wire.frame(#"{"out":"error","result":{"code":"teapot","message":"short and stout"}}"#)),
            F(
                "response.frame.over-client-limit", "A response prefix announcing 16 MiB to a client whose limit is 1 MiB.",
                direction: .serverToClient, .mustReject, rules: [.connClientLimit, .frameLimitBeforeAllocation],
                wire: Wire.prefix(16_777_216), rejection: .frameTooLarge, connection: .closed),
        ] + errorResponses

    /// One fixture per registered error code, as the reference server writes it.
    static let errorResponses: [F] = WireError.Code.registry.map { code in
        let example = errorExamples[code.rawValue] ?? (rule: RuleID.msgErrorResponse, message: "example", offset: nil)
        let body = Response(error: WireError(code, rule: example.rule, example.message, offset: example.offset)).body()
        return F(
            "response.error.\(code.rawValue)", "An error response with code \(code.rawValue), as the reference server writes it.",
            direction: .serverToClient, .mustAccept, rules: [.msgErrorResponse, .msgErrorCodes],
            wire: Wire.frame(bytes: body))
    }

    /// What the reference server says for each code: the rule, the message, and the body offset where the
    /// spec requires one (`msg.error-response`: invalid-utf8 and invalid-json).
    static let errorExamples: [String: (rule: RuleID, message: String, offset: Int?)] = [
        "frame-too-large": (.frameOversizeClose, "length prefix 01 00 10 00 read little-endian is 1048577, over the limit of 1048576", nil),
        "invalid-utf8": (.bodyUTF8, "invalid UTF-8 sequence starting with octets e9 22 7d", 26),
        "invalid-json": (.bodyJSONText, "expected a value, found ']'", 25),
        "invalid-request": (.msgRequest, "a request needs a \"params\" member (null is allowed)", nil),
        "unknown-method": (.msgUnknownMethod, "no method named \"frob\"", nil),
        "invalid-params": (.extSleep, "params must be {\"ms\": an integer from 0 to 60000}", nil),
        "internal-error": (.msgErrorResponse, "the handler failed", nil),
        "timeout": (.extRelay, "upstream 127.0.0.1:9000 did not answer within 5000 ms", nil),
        "upstream-error": (.extRelay, "upstream 127.0.0.1:9000: closed: the server closed the connection", nil),
        "overloaded": (.secConnectionLimit, "too many connections", nil),
    ]
}
