import LPJWire
import NIOCore
import Testing

@testable import LPJServer

/// `ServerConnection` and `MethodTable` called directly: the protocol side of every model, with no
/// channel at all.
@Suite("engine: ServerConnection and MethodTable")
struct EngineConnectionTests {
    /// The response of each `.dispatch(.respond)` step, and what the other steps were.
    static func describe(_ steps: [ServerConnection.Step]) -> [String] {
        steps.map { step in
            switch step {
            case .dispatch(.respond(let response)):
                return response.errorResult.map { "error \($0.code)" } ?? "\(response.out) \(JSONWriter.string(response.result))"
            case .dispatch(.sleep(let milliseconds, _)): return "sleep \(milliseconds)"
            case .dispatch(.relay(let call)): return "relay \(call.host):\(call.port)"
            case .dispatch(.close): return "close"
            case .finish(let response): return "finish \(response?.errorResult?.code ?? "-")"
            }
        }
    }

    static func ping(_ index: Int) -> [UInt8] {
        FrameEncoder().frame(Request(method: "ping", params: .number(JSONNumber(index))).body())
    }

    @Test("complete frames give one step each, in order; a partial frame waits (frame.reads-are-partial)")
    func steps() throws {
        var connection = ServerConnection(configuration: ServerConfiguration())
        var buffer = ByteBuffer(bytes: Self.ping(1) + Self.ping(2) + Self.ping(3).prefix(5))
        #expect(Self.describe(connection.receive(&buffer)) == ["pong 1", "pong 2"])
        #expect(connection.isInsideFrame)
        buffer.writeBytes(Self.ping(3).dropFirst(5))
        #expect(Self.describe(connection.receive(&buffer)) == ["pong 3"])
        #expect(!connection.isInsideFrame)
        #expect(buffer.readableBytes == 0)
    }

    @Test("EOF: complete frames, then finish without a response (conn.eof-inside-frame)")
    func eof() throws {
        var connection = ServerConnection(configuration: ServerConfiguration())
        var buffer = ByteBuffer(bytes: Self.ping(1) + [0x10, 0x00])
        #expect(Self.describe(connection.receiveEOF(&buffer)) == ["pong 1", "finish -"])
        #expect(connection.isFinished)
        var more = ByteBuffer(bytes: Self.ping(2))
        #expect(connection.receive(&more).isEmpty, "a finished connection reads nothing more")
    }

    @Test("an oversize prefix finishes with frame-too-large, without an offset (msg.error-response)")
    func oversize() throws {
        var configuration = ServerConfiguration()
        configuration.framing.maxBodyLength = 10
        var connection = ServerConnection(configuration: configuration)
        var buffer = ByteBuffer(bytes: [11, 0, 0, 0])
        let steps = connection.receive(&buffer)
        #expect(Self.describe(steps) == ["finish frame-too-large"])
        if case .finish(let response?) = steps.first { #expect(response.errorResult?.offset == nil) }
    }

    @Test("frames come out in the connection's byte order: big, and auto after a big-endian prefix")
    func answerOrder() throws {
        for mode in [ByteOrderMode.big, .auto] {
            var configuration = ServerConfiguration()
            configuration.framing.byteOrder = mode
            var connection = ServerConnection(configuration: configuration)
            var buffer = ByteBuffer(bytes: FrameEncoder(byteOrder: .big).frame(Request(method: "ping", params: 1).body()))
            guard case .dispatch(.respond(let response)) = connection.receive(&buffer).first else {
                Issue.record("\(mode): no response")
                continue
            }
            let frame = Array(connection.frame(response).readableBytesView)
            #expect(frame.prefix(4) == [0, 0, 0, UInt8(frame.count - 4)], "\(mode)")
        }
    }

    @Test("the method table: sleep and relay give their outcomes; out-of-range params are invalid-params")
    func methodTable() throws {
        let methods = MethodTable(configuration: ServerConfiguration())
        #expect(Self.describe([.dispatch(methods.dispatch(Request(method: "sleep", params: ["ms": .number(JSONNumber(250.0)!)])))]) == ["sleep 250"])
        #expect(Self.describe([.dispatch(methods.dispatch(Request(method: "sleep", params: ["ms": 60_001])))]) == ["error invalid-params"])
        #expect(Self.describe([.dispatch(methods.dispatch(Request(method: "sleep", params: ["ms": .number(JSONNumber(1.5)!)])))]) == ["error invalid-params"])
        let relay = Request(method: "relay", params: ["host": "127.0.0.1", "port": 9, "in": "ping", "params": 1])
        #expect(Self.describe([.dispatch(methods.dispatch(relay))]) == ["relay 127.0.0.1:9"])
        let elsewhere = Request(method: "relay", params: ["host": "192.0.2.1", "port": 9, "in": "ping", "params": 1])
        #expect(Self.describe([.dispatch(methods.dispatch(elsewhere))]) == ["error invalid-params"], "only loopback by default")
        let noPort = Request(method: "relay", params: ["host": "127.0.0.1", "in": "ping", "params": 1])
        #expect(Self.describe([.dispatch(methods.dispatch(noPort))]) == ["error invalid-params"])
    }

    @Test("method names are compared exactly (msg.method-names)", arguments: ["Ping", "ping ", "PING", "lpj.Describe", ""])
    func exactNames(name: String) {
        let outcome = MethodTable(configuration: ServerConfiguration()).dispatch(Request(method: name, params: .null))
        #expect(Self.describe([.dispatch(outcome)]) == ["error unknown-method"])
    }
}
