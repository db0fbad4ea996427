import LPJWire
import NIOCore
import Testing

@testable import LPJServer

/// Faults live in a layer around the engine (`FaultyConnection`): `ServerConnection` given a faulty
/// configuration still conforms, and the layer alone misbehaves.
@Suite("fault layer around the engine")
struct FaultLayerTests {
    static func ping(_ index: Int) -> [UInt8] {
        FrameEncoder().frame(Request(method: "ping", params: .number(JSONNumber(index))).body())
    }

    static func configuration(_ fault: ServerFault) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.fault = fault
        return configuration
    }

    /// The `result` of each response step, `close` for a close, `finish` for a finish.
    static func outline(_ steps: [ServerConnection.Step]) -> [String] {
        steps.map { step in
            switch step {
            case .dispatch(.respond(let response)): return response.errorResult?.code ?? JSONWriter.string(response.result)
            case .dispatch(.close): return "close"
            case .finish: return "finish"
            default: return "wait"
            }
        }
    }

    @Test("the engine ignores every fault: pipelined answers in order, unknown methods answered, the limit inclusive")
    func engineConforms() {
        var reordering = ServerConnection(configuration: Self.configuration(.reorderPipelined))
        var buffer = ByteBuffer(bytes: Self.ping(1) + Self.ping(2) + Self.ping(3))
        #expect(Self.outline(reordering.receive(&buffer)) == ["1", "2", "3"])

        var silent = ServerConnection(configuration: Self.configuration(.noErrorReply))
        buffer = ByteBuffer(bytes: FrameEncoder().frame(Request(method: "nope", params: .null).body()))
        #expect(Self.outline(silent.receive(&buffer)) == ["unknown-method"])

        let response = Response(out: "pong", result: .string("é"))
        let swapped = ServerConnection(configuration: Self.configuration(.bigEndianLength))
        let body = response.body()
        #expect(Array(swapped.frame(response).readableBytesView) == FrameEncoder(byteOrder: .little).frame(body))
    }

    @Test("the layer misbehaves: reversed answers, a close for an unknown method, swapped and character-counted prefixes")
    func layerMisbehaves() {
        var reordering = FaultyConnection(fault: .reorderPipelined, configuration: Self.configuration(.reorderPipelined))
        var buffer = ByteBuffer(bytes: Self.ping(1) + Self.ping(2) + Self.ping(3))
        #expect(Self.outline(reordering.receive(&buffer)) == ["3", "2", "1"])

        var silent = FaultyConnection(fault: .noErrorReply, configuration: Self.configuration(.noErrorReply))
        buffer = ByteBuffer(bytes: FrameEncoder().frame(Request(method: "nope", params: .null).body()) + Self.ping(4))
        #expect(Self.outline(silent.receive(&buffer)) == ["close", "4"])

        let response = Response(out: "pong", result: .string("é"))
        let body = response.body()
        let swapped = FaultyConnection(fault: .bigEndianLength, configuration: Self.configuration(.bigEndianLength))
        #expect(Array(swapped.frame(response).readableBytesView) == FrameEncoder(byteOrder: .big).frame(body))
        let characters = FaultyConnection(fault: .lengthInCharacters, configuration: Self.configuration(.lengthInCharacters))
        #expect(
            Array(characters.frame(response).readableBytesView)
                == FrameEncoder(byteOrder: .little).prefix(forLength: body.count - 1) + body)
    }

    @Test("limit-off-by-one: the layer's engine refuses a body of exactly the limit, and lpj.describe states the limit")
    func limitOffByOne() throws {
        var configuration = Self.configuration(.limitOffByOne)
        configuration.framing.maxBodyLength = FrameConfiguration.minimumMaxBodyLength
        var faulty = FaultyConnection(fault: .limitOffByOne, configuration: configuration)
        let exact = FrameEncoder().prefix(forLength: configuration.framing.maxBodyLength)
        var buffer = ByteBuffer(bytes: exact)
        #expect(Self.outline(faulty.receive(&buffer)) == ["finish"])
        var engine = ServerConnection(configuration: configuration)
        buffer = ByteBuffer(bytes: exact)
        #expect(Self.outline(engine.receive(&buffer)) == [])
        #expect(
            MethodTable(configuration: configuration).description.objectValue?["maxBody"]?.numberValue?.doubleValue
                == Double(configuration.framing.maxBodyLength))
    }
}
