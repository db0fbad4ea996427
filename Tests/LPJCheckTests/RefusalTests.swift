import LPJWire
import Testing

@testable import LPJCheck

/// What the liveness check takes for a server refusing a connection at its limit, to be tried again,
/// rather than for a dead server: from the reply to the first request on a fresh connection alone.
@Suite("Connection refusals")
struct RefusalTests {
    static func reply(_ responses: [Response], closed: Bool) -> ProbeConnection.Reply {
        var reply = ProbeConnection.Reply(closed: closed)
        reply.frames = responses.map { .init(body: [], response: $0, error: nil) }
        return reply
    }

    static let overloaded = Response(error: WireError(.overloaded, rule: "sec.connection-limit", "at the connection limit"))

    @Test("an overloaded answer is a refusal, whether or not the close was read with it")
    func overloadedIsRefusal() {
        #expect(CheckContext.isRefusal(Self.reply([Self.overloaded], closed: false), received: []))
        #expect(CheckContext.isRefusal(Self.reply([Self.overloaded], closed: true), received: []))
    }

    @Test("a close before any octet is a refusal; a close inside the first frame is not")
    func silentCloseIsRefusal() {
        #expect(CheckContext.isRefusal(Self.reply([], closed: true), received: []))
        #expect(!CheckContext.isRefusal(Self.reply([], closed: true), received: [0x00, 0x00, 0x10, 0x00, 0x7b]))
    }

    @Test("a pong, another answer, or silence is no refusal")
    func answersAreNot() {
        #expect(!CheckContext.isRefusal(Self.reply([Response(out: "pong", result: "alive?")], closed: false), received: []))
        #expect(
            !CheckContext.isRefusal(
                Self.reply([Response(error: WireError(.unknownMethod, rule: "msg.unknown-method", "no such method"))], closed: true), received: []))
        #expect(!CheckContext.isRefusal(Self.reply([], closed: false), received: []))
    }

    static func log(_ kinds: [WireEvent.Kind], received: Response? = nil, order: ByteOrder = .little) -> WireLog {
        let octets = received.map { FrameEncoder(byteOrder: order).frame(Array(JSONWriter.string($0.json()).utf8)) } ?? []
        return WireLog(
            connection: 1,
            events: kinds.enumerated().map { index, kind in
                WireEvent(kind: kind, milliseconds: Double(index), octets: kind == .received ? octets : kind == .sent ? [0, 0, 0, 0] : [])
            })
    }

    @Test("a case's connection closed unanswered after the checker wrote, or answered overloaded first, was refused")
    func refusedConnections() {
        #expect(RefusalEvidence.refused(Self.log([.connected, .sent, .peerClosed])))
        #expect(RefusalEvidence.refused(Self.log([.connected, .sent, .peerReset])))
        #expect(RefusalEvidence.refused(Self.log([.connected, .sent, .received, .peerClosed], received: Self.overloaded)))
        #expect(RefusalEvidence.refused(Self.log([.connected, .sent, .received], received: Self.overloaded, order: .big)))
    }

    @Test("a connection answered, closed before the checker wrote, or still open, was not refused")
    func servedConnections() {
        #expect(!RefusalEvidence.refused(Self.log([.connected, .sent, .received, .peerClosed], received: Response(out: "pong", result: "x"))))
        #expect(!RefusalEvidence.refused(Self.log([.connected, .peerClosed])))
        #expect(!RefusalEvidence.refused(Self.log([.connected, .sent, .closed])))
        #expect(!RefusalEvidence.metRefusal([]))
    }
}
