import LPJWire
import Testing

@testable import LPJCheck

/// How the runner judges numbers in what a server writes: integers by value, a non-finite number named
/// as one, a number a representation cannot hold answered with an error.
@Suite("Number judgements")
struct NumberJudgementTests {
    static func response(_ text: String) throws -> Response { try Response(body: Array(text.utf8)) }

    @Test("an offset written 3E1 is an integer offset: no msg.error-response.form violation")
    func offsetByValue() throws {
        let error = try Self.response(#"{"out":"error","result":{"code":"invalid-json","message":"m","rule":"body.json-text","offset":3E1}}"#)
        #expect(ResponseInspection.errorObjectViolations(error, which: "response 1").isEmpty)
        let fraction = try Self.response(#"{"out":"error","result":{"code":"invalid-json","message":"m","rule":"body.json-text","offset":3.5}}"#)
        #expect(ResponseInspection.errorObjectViolations(fraction, which: "response 1").map(\.requirement) == [.errorForm])
    }

    @Test("a stated bound written 3E4 is 30,000 ms and 1.5E3 is 1,500; a fraction below binary64's precision is no integer")
    func statedBoundByValue() {
        #expect(StatedBound(.number(JSONNumber("3E4")!)) == .milliseconds(30_000))
        #expect(StatedBound(.number(JSONNumber("1.5E3")!)) == .milliseconds(1_500))
        #expect(StatedBound(.number(JSONNumber("1.0000000000000000001E3")!)) == .invalid("1.0000000000000000001E3"))
    }

    @Test("+Inf, Infinity, -inf and nan written as numbers break body.no-nonfinite.sender; other bad text body.json-text.sender")
    func nonfiniteSpellings() throws {
        for spelling in ["+Inf", "Inf", "-inf", "Infinity", "-Infinity", "NaN", "nan", "+Infinity"] {
            let body = Array(#"{"out":"pong","result":[1,"#.utf8) + Array(spelling.utf8) + Array("]}".utf8)
            let error = try #require(Self.decodingError(body), "\(spelling)")
            #expect(ResponseInspection.requirement(for: error, body: body) == .nonfiniteSender, "\(spelling)")
        }
        for text in ["+1", "Int", "nul", "True"] {
            let body = Array(#"{"out":"pong","result":[1,"#.utf8) + Array(text.utf8) + Array("]}".utf8)
            let error = try #require(Self.decodingError(body), "\(text)")
            #expect(ResponseInspection.requirement(for: error, body: body) == .jsonTextSender, "\(text)")
        }
    }

    static func decodingError(_ body: [UInt8]) -> WireError? {
        do {
            _ = try Response(body: body)
            return nil
        } catch {
            return error as? WireError
        }
    }

    @Test("an error answer to a ping holding 1e400: a warning under msg.ping-echo-exact unless the stated representation holds it")
    func unholdableNumberAnswered() throws {
        let internalError = try Self.response(#"{"out":"error","result":{"code":"internal-error","message":"1e400 overflows binary64"}}"#)
        #expect(UnholdableNumbers.violation(internalError, statedNumbers: "binary64")?.requirement == .echoExact)
        #expect(UnholdableNumbers.violation(internalError, statedNumbers: nil)?.requirement == .echoExact)
        #expect(UnholdableNumbers.violation(internalError, statedNumbers: "text")?.requirement == .describeStatedChoices)
        let invalidJSON = try Self.response(#"{"out":"error","result":{"code":"invalid-json","message":"out of range","offset":23}}"#)
        #expect(UnholdableNumbers.violation(invalidJSON, statedNumbers: "binary64")?.requirement == .numbersNotRejected)
        let invalidParams = try Self.response(#"{"out":"error","result":{"code":"invalid-params","message":"out of range"}}"#)
        #expect(UnholdableNumbers.violation(invalidParams, statedNumbers: "binary64")?.requirement == .pingNoInvalidParams)
        let rounded = try Self.response(#"{"out":"pong","result":[1.7976931348623157e308,-1.7976931348623157e308]}"#)
        #expect(UnholdableNumbers.violation(rounded, statedNumbers: "binary64") == nil)
        #expect(UnholdableNumbers.held(in: [1, ["a": [.number(JSONNumber("-1e400")!)]]]))
        #expect(!UnholdableNumbers.held(in: [.number(JSONNumber("1e-400")!), .number(JSONNumber("1.7976931348623157e308")!)]))
    }
}
