import LPJWire
import NIOCore
import Testing

@testable import LPJServer

/// `ServerConnection.receive(_:answeringInto:)`, the event-loop models' read path: the responses that can
/// be sent at once leave as frame octets, the rest as steps. Held to `receive(_:)`, which returns every
/// response as a step: the same octets, then the same steps, in the same order.
@Suite("engine: responses answered at once as frames")
struct EngineAnswerAtOnceTests {
    /// What `receive(_:)` does with `stream`: the frames of the responses before the first step that
    /// waits, and every step from there on.
    static func bySteps(_ stream: [UInt8], configuration: ServerConfiguration) -> (frames: [UInt8], rest: [String]) {
        var connection = ServerConnection(configuration: configuration)
        var buffer = ByteBuffer(bytes: stream)
        var steps = connection.receive(&buffer)[...]
        var frames: [UInt8] = []
        while case .dispatch(.respond(let response)) = steps.first {
            frames += connection.frame(response).readableBytesView
            steps = steps.dropFirst()
        }
        return (frames, EngineConnectionTests.describe(Array(steps)))
    }

    /// What `receive(_:answeringInto:)` does with `stream`.
    static func atOnce(_ stream: [UInt8], configuration: ServerConfiguration) -> (frames: [UInt8], rest: [String]) {
        var connection = ServerConnection(configuration: configuration)
        var buffer = ByteBuffer(bytes: stream)
        var output = ByteBuffer()
        let steps = connection.receive(&buffer, answeringInto: &output)
        return (Array(output.readableBytesView), EngineConnectionTests.describe(steps))
    }

    static func frame(_ body: String, order: ByteOrder = .little) -> [UInt8] {
        FrameEncoder(byteOrder: order).frame(Array(body.utf8))
    }

    @Test("pings, errors and describe leave as frames; from the first sleep on, everything is a step")
    func upToTheFirstWait() throws {
        let stream =
            Self.frame(#"{"in":"ping","params":[1, {"a" : "\u00e9"}]}"#) + Self.frame(#"{"in":"ping""#)
            + Self.frame(#"{"in":"lpj.describe","params":null}"#) + Self.frame(#"{"in":"frob","params":1}"#)
            + Self.frame(#"{"in":"sleep","params":{"ms":100}}"#) + Self.frame(#"{"in":"ping","params":3}"#)
        let configuration = ServerConfiguration()
        let expected = Self.bySteps(stream, configuration: configuration)
        let got = Self.atOnce(stream, configuration: configuration)
        #expect(expected.rest == ["sleep 100", "pong 3"])
        #expect(!expected.frames.isEmpty)
        #expect(got.frames == expected.frames)
        #expect(got.rest == expected.rest)
    }

    @Test("big-endian and auto connections answer in their byte order; an oversize frame finishes as a step")
    func byteOrderAndOversize() throws {
        for mode in [ByteOrderMode.big, .auto, .little] {
            var configuration = ServerConfiguration()
            configuration.framing.byteOrder = mode
            configuration.framing.maxBodyLength = 100
            let order: ByteOrder = mode == .little ? .little : .big
            let stream =
                Self.frame(#"{"in":"ping","params":"x"}"#, order: order) + Self.frame("[]", order: order)
                + order.octets(of: 101)
            let expected = Self.bySteps(stream, configuration: configuration)
            let got = Self.atOnce(stream, configuration: configuration)
            #expect(expected.rest == ["finish frame-too-large"], "\(mode)")
            #expect(got.frames == expected.frames, "\(mode)")
            #expect(got.rest == expected.rest, "\(mode)")
        }
    }
}
