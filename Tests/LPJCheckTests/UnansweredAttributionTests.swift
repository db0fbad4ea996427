import LPJWire
import Testing

@testable import LPJCheck

/// Why requests went unanswered, read from the responses that did come: a connection closed after an
/// error, or an answer written ahead of an earlier one.
@Suite("Attribution of unanswered requests")
struct UnansweredAttributionTests {
    /// A reply of these response bodies, as read from the wire.
    static func reply(_ bodies: [String], closed: Bool) -> ProbeConnection.Reply {
        var reply = ProbeConnection.Reply()
        reply.frames = bodies.map { text in
            let body = Array(text.utf8)
            return .init(body: body, response: try? Response(body: body), error: nil)
        }
        reply.closed = closed
        return reply
    }

    static func frame(_ text: String) -> [UInt8] { FrameEncoder(byteOrder: .little).frame(Array(text.utf8)) }

    static let invalidJSON = #"{"out":"error","result":{"code":"invalid-json","message":"no JSON","offset":0,"rule":"body.json-text"}}"#

    @Test("a connection closed right after an error response leaves the requests behind it to the error rule")
    func closedAfterError() throws {
        let expected: [LPJCheck.Expectation] = [.error(.invalidJSON, .jsonTextReject), .pong("after")]
        let delivery = Delivery.oneWrite(Self.frame("{") + Self.frame(#"{"in":"ping","params":"after"}"#))
        let closing = try #require(
            CheckContext.closedAfterError(Self.reply([Self.invalidJSON], closed: true), expected: expected, delivery: delivery, order: .little))
        #expect(closing.requirement == .errorKeepsConnection)
        // A zero-length frame answered, then the close: the zero-length frame was taken for a framing error.
        let zeroLength = Delivery.oneWrite([0, 0, 0, 0] + Self.frame(#"{"in":"ping","params":"after"}"#))
        let framing = try #require(
            CheckContext.closedAfterError(Self.reply([Self.invalidJSON], closed: true), expected: expected, delivery: zeroLength, order: .little))
        #expect(framing.requirement == .zeroLengthFraming)
        // Still open, or closed after frame-too-large (closing is its rule): not this.
        #expect(CheckContext.closedAfterError(Self.reply([Self.invalidJSON], closed: false), expected: expected, delivery: delivery, order: .little) == nil)
        let tooLarge = #"{"out":"error","result":{"code":"frame-too-large","message":"too large","rule":"frame.oversize-close"}}"#
        #expect(CheckContext.closedAfterError(Self.reply([tooLarge], closed: true), expected: expected, delivery: delivery, order: .little) == nil)
    }

    @Test("a later request's exact answer in an earlier one's place is an answer out of order, even when the earlier never comes")
    func answeredAhead() throws {
        let expected = [LPJCheck.Expectation(.response(out: "slept", result: ["ms": 200]), .halfCloseAnswers), .pong("last", .halfCloseAnswers)]
        let ahead = try #require(CheckContext.reordering(Self.reply([#"{"out":"pong","result":"last"}"#], closed: true), expected: expected))
        #expect(ahead.requirement == .inOrder)
        // A wrong answer that is no later request's answer says nothing about the order.
        #expect(CheckContext.reordering(Self.reply([#"{"out":"pong","result":"other"}"#], closed: true), expected: expected) == nil)
        // The first answer in its place: the second is missing, not reordered.
        #expect(CheckContext.reordering(Self.reply([#"{"out":"slept","result":{"ms":200}}"#], closed: true), expected: expected) == nil)
    }
}
