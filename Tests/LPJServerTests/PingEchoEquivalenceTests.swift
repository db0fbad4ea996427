import LPJFixtures
import LPJRandom
import LPJWire
import NIOCore
import Testing

@testable import LPJServer

/// `PingEcho`, the event-loop models' `ping` answered from its octets, skips nothing: on a broad corpus
/// the engine's read path with it (`receive(_:answeringInto:)`) gives, body for body and stream for
/// stream, the same octets as the general path (`receive(_:)`, every body parsed into a `Request`, every
/// response a `Response` written by `JSONWriter`): the same pongs, and the same refusals with the same
/// code, rule, message and offset.
@Suite("engine: ping answered from its octets, held to the general path")
struct PingEchoEquivalenceTests {
    /// The configurations each body is read under: the default, a small depth limit, big-endian.
    static let configurations: [ServerConfiguration] = {
        var shallow = ServerConfiguration()
        shallow.parser = JSONParser.Options(maxDepth: 3)
        var big = ServerConfiguration()
        big.framing.byteOrder = .big
        return [ServerConfiguration(), shallow, big]
    }()

    /// Whether both paths write the same octets and leave the same steps for `body` under every
    /// configuration; records an issue naming the body otherwise.
    @discardableResult
    static func agree(onBody body: [UInt8], _ source: String) -> Bool {
        for configuration in configurations {
            let order: ByteOrder = configuration.framing.byteOrder == .big ? .big : .little
            let stream = FrameEncoder(byteOrder: order).frame(body)
            let general = EngineAnswerAtOnceTests.bySteps(stream, configuration: configuration)
            let atOnce = EngineAnswerAtOnceTests.atOnce(stream, configuration: configuration)
            guard atOnce.frames == general.frames, atOnce.rest == general.rest else {
                Issue.record(
                    """
                    \(source), max depth \(configuration.parser.maxDepth), \(order): \(String(decoding: body, as: UTF8.self).debugDescription)
                    at once: \(String(decoding: atOnce.frames.dropFirst(4), as: UTF8.self)) \(atOnce.rest)
                    general: \(String(decoding: general.frames.dropFirst(4), as: UTF8.self)) \(general.rest)
                    """)
                return false
            }
        }
        return true
    }

    /// Whether `PingEcho` answers `body` itself (under the default limit), for counting.
    static func isEchoed(_ body: [UInt8]) -> Bool {
        var output = ByteBuffer()
        return PingEcho.writeResponseFrame(
            for: ByteBuffer(bytes: body), maxDepth: JSONParser.Options.defaultMaxDepth, byteOrder: .little, to: &output)
    }

    @Test("every fixture: each frame body alone, and each whole stream, as the general path reads them")
    func fixtures() throws {
        let fixtures = try FixtureSet.generate().fixtures
        #expect(fixtures.count > 50)
        for fixture in fixtures {
            for (index, frame) in fixture.reading.frames.enumerated() {
                Self.agree(onBody: frame.body, "fixture \(fixture.definition.id) frame \(index)")
            }
            for mode in [ByteOrderMode.little, .auto] {
                var configuration = ServerConfiguration()
                configuration.framing.byteOrder = mode
                let general = EngineAnswerAtOnceTests.bySteps(fixture.definition.wire, configuration: configuration)
                let atOnce = EngineAnswerAtOnceTests.atOnce(fixture.definition.wire, configuration: configuration)
                #expect(atOnce.frames == general.frames, "fixture \(fixture.definition.id), \(mode)")
                #expect(atOnce.rest == general.rest, "fixture \(fixture.definition.id), \(mode)")
            }
        }
    }

    /// Bodies with one defect each, of every kind the spec names for a body (Section 4.1 and the
    /// envelope), most of them pings that `PingEcho` would answer but for the defect.
    static let defects: [[UInt8]] = {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        let nested = { (depth: Int) in
            bytes(#"{"in":"ping","params":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}")
        }
        return [
            [], [0xc3, 0x28], bytes("{") + [0xff], bytes("{,") + [0xff], [0xef, 0xbb, 0xbf] + bytes(#"{"in":"ping","params":1}"#),
            bytes(#"{"in":"ping","params":"caf"#) + [0xe9] + bytes(#""}"#),
            bytes(#"{"in":"ping","params":""#) + [0xc0, 0xaf] + bytes(#""}"#),
            bytes(#"{"in":"ping","params":""#) + [0xed, 0xa0, 0x80] + bytes(#""}"#),
            bytes(#"{"in":"ping","params":"é"}"#), bytes(#"{"in":"ping","params":"\u00e9"}"#),
            bytes(#"{"in":"ping","params":"\ud83d"}"#), bytes(#"{"in":"ping","params":"\ude00\ud83d"}"#),
            bytes(#"{"in":"ping","params":"\ud83d\ude00"}"#), bytes(#"{"in":"p\u0069ng","params":1}"#),
            [0x20, 0x09, 0x0d, 0x0a], bytes("[1,]"), bytes(#"{"in":"ping","params":[1,]}"#),
            bytes(#"{"in":"ping","params":01}"#), bytes(#"{"in":"ping","params":1.}"#), bytes(#"{"in":"ping","params":1e}"#),
            bytes(#"{"in":"ping","params":-}"#), bytes(#"{"in":"ping","params":.5}"#), bytes(#"{"in":"ping","params":+1}"#),
            bytes(#"{"in":"ping""#), bytes(#"{"in":"pi"#), bytes(#"{"in":"ping","params":nul}"#),
            bytes(#"{"in":"ping","params":True}"#), bytes(#"{"params": NaN, "in": "ping"}"#),
            bytes(#"{"params": -Infinity, "in": "ping"}"#), bytes(#"{"params": Infinity, "in": "ping"}"#),
            bytes("{\"in\":\"ping\",\"params\":\"a\u{1}\"}"), bytes("{\"in\":\"ping\",\"params\":\"a\tb\"}"),
            bytes(#"{"in":"ping","params":"\x"}"#), nested(511), nested(512), nested(600), nested(63), nested(64),
            bytes(#"{"in":"ping","params":1,"params":2}"#), bytes(#"{"in":"ping","in":"ping","params":1}"#),
            bytes(#"{"in":"ping","params":{"a":1,"a":2}}"#), bytes(#"{"in":"ping"}"#), bytes(#"{"params":1}"#),
            bytes(#"{"in":1,"params":1}"#), bytes(#"{"in":"Ping","params":1}"#), bytes(#"{"in":"ping ","params":1}"#),
            bytes(#"["ping",1]"#), bytes(#""ping""#), bytes("{}"), bytes(#"{"in":"ping","params":1} x"#),
            bytes(#"{"in":"ping","params":1}{}"#), bytes(#" {"in" : "ping" , "params" : [ 1 , { "a" : [ ] } ] } "#),
            bytes(#"{"in":"ping","params":1,}"#), bytes(#"{"in":"ping",,"params":1}"#), bytes(#"{"in":"ping" "params":1}"#),
            bytes(#"{"in":"ping","params":{"a" 1}}"#), bytes(#"{"in":"ping","params":{1:2}}"#),
            bytes(#"{"in":"ping","params":[1 2]}"#), bytes(#"{"in":"ping","params":"unterminated}"#),
            bytes("{\"in\":\"ping\",\"params\":\"a\u{7f}b\"}"), bytes(#"{"in":"sleep","params":{"ms":0}}"#),
            bytes(#"{"in":"lpj.describe","params":null}"#), bytes(#"{"x":"\u0000","in":"ping","params":-0.0E+00}"#),
        ]
    }()

    @Test("bodies with one defect each are refused as the general path refuses them")
    func bodyDefects() {
        for (index, body) in Self.defects.enumerated() { Self.agree(onBody: body, "defect \(index)") }
        #expect(Self.defects.contains(where: Self.isEchoed), "some of them are pings it answers")
    }

    @Test("seeded random mutations of pings, valid and not, are answered as the general path answers them")
    func mutations() {
        var random = SplitMix64(seed: 0x91_9E_C4_0E)
        let seeds = [
            #"{"in":"ping","params":[1,-2.5e10,"h\u00e9\ud83d\ude00",true,false,null,{"a":{}}]}"#,
            #" { "params" : [ 1 , -2.5E+10 , "hi there" , true , false , null , { "a" : { } , "a" : [ ] } ] , "in" : "ping" } "#,
            #"{"in":"ping","params":{"x":[0.5,-0,1E+2,{"y":[[["deep"]]]}],"in":"pong"},"extra":[1,2,3]}"#,
            "{\"in\":\"ping\",\"params\":\"é😀\"}", #"{"in":"ping","params":"ireader 0"}"#,
            #"{"in":"ping","params":[1],"paramx":{"in":2},"im":"ping"}"#,
        ].map { Array($0.utf8) }
        let alphabet =
            Array("{}[]\",:\\/u0123456789abcdefABCDEFnulltruefalse-+.eE \t\r\nNI'xpingms".utf8)
            + [0x00, 0x01, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xa9, 0xe0, 0xed, 0xa0, 0xf0, 0x9f, 0xf4, 0x90, 0xff, 0xef, 0xbb]
        // Members put in where a member may start, so that duplicates, deep values and escapes come up.
        let members = [
            #""params":0,"#, #""in":"ping","#, #""params":[],"#, #""in":"pong","#, #""x":"\u0041","#, "\"x\":\"é\",",
            #""deep":[[[[[]]]]],"#, #""params":{"params":1,"params":2},"#,
        ].map { Array($0.utf8) }
        var echoed = 0
        var refused = 0
        var disagreements = 0
        for round in 0..<20_000 {
            var body = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0...(random.next() % 3) {
                let at = Int(random.next() % UInt64(body.count))
                switch random.next() % 4 {
                case 0: body[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 1: body.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                case 2:
                    let starts = body.indices.filter { $0 > 0 && (body[$0 - 1] == UInt8(ascii: "{") || body[$0 - 1] == UInt8(ascii: ",")) }
                    guard !starts.isEmpty else { continue }
                    body.insert(contentsOf: members[Int(random.next() % UInt64(members.count))], at: starts[Int(random.next() % UInt64(starts.count))])
                default: if body.count > 1 { body.remove(at: at) }
                }
            }
            if random.next() % 4 == 0 { body = Array(body.prefix(Int(random.next() % UInt64(body.count + 1)))) }
            if Self.isEchoed(body) { echoed += 1 }
            if (try? Request(body: body)) == nil { refused += 1 }
            if !Self.agree(onBody: body, "mutation \(round)") { disagreements += 1 }
            if disagreements >= 10 { break }
        }
        // The corpus exercises both sides: many mutants are answered from their octets, many are refused.
        #expect(echoed > 500, "\(echoed) answered from their octets")
        #expect(refused > 5_000, "\(refused) refused")
    }
}
