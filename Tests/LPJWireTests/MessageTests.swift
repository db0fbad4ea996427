import LPJWire
import Testing

@Suite("Request and Response")
struct MessageTests {
    @Test("a request in any member order, with unknown members (msg.member-order, msg.unknown-members)")
    func requestDecodes() throws {
        let request = try Request(body: Array(#"{"id":1,"params":[1],"in":"ping"}"#.utf8))
        #expect(request == Request(method: "ping", params: [1]))
    }

    @Test(
        "malformed requests are invalid-request with the rule they break",
        arguments: [
            (#"[1]"#, "body.object"), (#""ping""#, "body.object"), (#"{"params":1}"#, "msg.request"),
            (#"{"in":"ping"}"#, "msg.request"), (#"{"in":null,"params":1}"#, "msg.request"),
            (#"{"in":"ping","params":1,"params":2}"#, "msg.duplicate-members"),
        ] as [(String, RuleID)])
    func badRequest(_ body: String, _ rule: RuleID) {
        #expect {
            try Request(body: Array(body.utf8))
        } throws: { error in
            (error as? WireError)?.code == .invalidRequest && (error as? WireError)?.rule == rule
        }
    }

    @Test("an empty body is invalid-json under frame.zero-length")
    func emptyBody() {
        #expect {
            try Request(body: [])
        } throws: { error in
            (error as? WireError)?.code == .invalidJSON && (error as? WireError)?.rule == "frame.zero-length"
        }
    }

    @Test("an error response carries code, message, rule and offset, and reads back (msg.error-response)")
    func errorResponse() throws {
        let error = WireError(.invalidJSON, rule: .bodyJSONText, "expected a value, found ']'", offset: 25)
        let body = Response(error: error).body()
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"out":"error","result":{"code":"invalid-json","message":"expected a value, found ']'","rule":"body.json-text","offset":25}}"#)
        let read = try Response(body: body)
        #expect(read.errorResult == ErrorResult(code: "invalid-json", message: "expected a value, found ']'", rule: "body.json-text", offset: 25))
    }

    @Test("an unregistered error code reads as internal-error (msg.error-codes)")
    func unregisteredCode() throws {
        let response = try Response(body: Array(#"{"out":"error","result":{"code":"teapot","message":"no"}}"#.utf8))
        #expect(response.errorResult?.registeredCode == .internalError)
        #expect(WireError.Code.registry.count == 10)
        #expect(WireError.Code(registered: "truncated-frame") == nil)
    }

    @Test(
        "malformed responses are invalid-response",
        arguments: [
            #"{"out":"pong"}"#, #"{"result":1}"#, #"{"out":1,"result":1}"#, #"{"out":"error","result":"x"}"#,
            #"{"out":"error","result":{"code":"invalid-json"}}"#, #"{"out":"a","out":"b","result":1}"#,
        ])
    func badResponse(_ body: String) {
        #expect {
            try Response(body: Array(body.utf8))
        } throws: { error in
            (error as? WireError)?.code == .invalidResponse
        }
    }

    @Test("frames carry their body octet for octet, prefix counting octets (frame.length-counts-octets)")
    func encoderCountsOctets() {
        let body = Request(method: "ping", params: "héllo 😀").body()
        let frame = FrameEncoder().frame(body)
        #expect(frame.count == 4 + body.count)
        #expect(ByteOrder.little.value(frame[0], frame[1], frame[2], frame[3]) == UInt32(body.count))
        #expect(body.count == #"{"in":"ping","params":"héllo 😀"}"#.utf8.count)
        #expect(body.count != #"{"in":"ping","params":"héllo 😀"}"#.count)
        #expect(FrameEncoder(byteOrder: .big).prefix(forLength: 37) == [0, 0, 0, 0x25])
    }
}
