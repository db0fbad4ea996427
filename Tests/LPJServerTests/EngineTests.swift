import LPJWire
import NIOCore
import Testing

@testable import LPJServer

/// The server engine in process: `ServerChannelHandler` on an `EmbeddedChannel`, no sockets, no
/// processes, and time moved by hand (`advance`), never waited for.
@Suite("engine: the channel handler in process")
struct EngineTests {
    static func ping(_ index: Int) -> [UInt8] {
        FrameEncoder().frame(Request(method: "ping", params: .number(JSONNumber(index))).body())
    }

    static func frame(_ body: String) -> [UInt8] { FrameEncoder().frame(Array(body.utf8)) }

    // MARK: - Methods

    @Test(
        "ping echoes its params, whatever JSON they are (msg.ping)",
        arguments: [#""text""#, "null", "[1,2.5,{\"a\":[]}]", #"{"k":"é😀"}"#, "-0", "1e400"])
    func pingEcho(params: String) throws {
        let server = try EmbeddedServer()
        try server.send(Self.frame(#"{"in":"ping","params":\#(params)}"#))
        let responses = try server.responses()
        let expected = try JSONParser.parse(ByteBuffer(string: params))
        #expect(responses.count == 1)
        #expect(responses.first?.out == "pong")
        #expect(responses.first?.result.isSameValue(as: expected) == true, "\(params)")
        #expect(!server.isClosed)
    }

    @Test("lpj.describe states the configured bounds (msg.describe)")
    func describe() throws {
        var configuration = ServerConfiguration()
        configuration.framing = FrameConfiguration(byteOrder: .big, maxBodyLength: 70_000)
        configuration.idleTimeoutMilliseconds = 1_234
        configuration.slowReaderMilliseconds = nil
        let server = try EmbeddedServer(configuration)
        try server.send(Request(method: "lpj.describe", params: .null), order: .big)
        let description = try #require(try server.responses().first)
        #expect(description.out == "lpj.description")
        let result = description.result.objectValue
        #expect(result?["protocol"]?.stringValue == "lpj/1")
        #expect(result?["byteOrder"]?.stringValue == "big")
        #expect(result?["maxBody"]?.numberValue?.int64Value == 70_000)
        #expect(result?["idleTimeoutMs"]?.numberValue?.int64Value == 1_234)
        #expect(result?["slowReaderMs"] == .null)
        #expect(result?["methods"] == .array(MethodTable.names.map { .string($0) }))
    }

    @Test("an unknown method is an unknown-method error and the connection stays open (msg.unknown-method)")
    func unknownMethod() throws {
        let server = try EmbeddedServer()
        try server.send(Request(method: "Ping", params: 1))
        try server.send(Self.ping(2))
        let responses = try server.responses()
        #expect(responses.map(\.out) == ["error", "pong"])
        #expect(responses.first?.errorResult?.code == "unknown-method")
        #expect(responses.first?.errorResult?.rule == "msg.unknown-method")
    }

    // MARK: - Request errors

    /// A body the server must refuse, with the code and rule its error response carries.
    struct BadBody: CustomTestStringConvertible, Sendable {
        let name: String
        let body: [UInt8]
        let code: String
        let rule: String
        var testDescription: String { name }
    }

    static let badBodies: [BadBody] = [
        BadBody(
            name: "bad UTF-8", body: Array(#"{"in":"ping","params":""#.utf8) + [0xff] + Array(#""}"#.utf8),
            code: "invalid-utf8", rule: "body.utf8"),
        BadBody(name: "bad JSON", body: Array(#"{"in":"ping","params":}"#.utf8), code: "invalid-json", rule: "body.json-text"),
        BadBody(name: "not an object", body: Array(#"["ping",1]"#.utf8), code: "invalid-request", rule: "body.object"),
        BadBody(
            name: "too deep",
            body: Array(
                (#"{"in":"ping","params":"# + String(repeating: "[", count: JSONParser.Options.defaultMaxDepth)
                    + String(repeating: "]", count: JSONParser.Options.defaultMaxDepth) + "}").utf8),
            code: "invalid-json", rule: "body.nesting-limit"),
        BadBody(
            name: "duplicate in", body: Array(#"{"in":"ping","in":"ping","params":1}"#.utf8),
            code: "invalid-request", rule: "msg.duplicate-members"),
        BadBody(name: "missing in", body: Array(#"{"params":1}"#.utf8), code: "invalid-request", rule: "msg.request"),
        BadBody(name: "in not a string", body: Array(#"{"in":7,"params":1}"#.utf8), code: "invalid-request", rule: "msg.request"),
        BadBody(name: "missing params", body: Array(#"{"in":"ping"}"#.utf8), code: "invalid-request", rule: "msg.request"),
        BadBody(name: "zero-length body", body: [], code: "invalid-json", rule: "frame.zero-length"),
        BadBody(
            name: "sleep with bad ms", body: Array(#"{"in":"sleep","params":{"ms":-1}}"#.utf8),
            code: "invalid-params", rule: "ext.sleep"),
    ]

    @Test(
        "each bad request gets its error code and rule, and the next request is still served (msg.error-keeps-connection)",
        arguments: badBodies)
    func requestErrors(bad: BadBody) throws {
        let server = try EmbeddedServer()
        try server.send(FrameEncoder().frame(bad.body) + Self.ping(1))
        let responses = try server.responses()
        #expect(responses.count == 2)
        #expect(responses.first?.errorResult?.code == bad.code, "\(bad.name): \(responses.first?.result as Any)")
        #expect(responses.first?.errorResult?.rule == bad.rule, "\(bad.name)")
        #expect(responses.last?.out == "pong")
        #expect(!server.isClosed)
    }

    @Test(
        "a prefix over the limit gets frame-too-large, then the connection closes (frame.oversize-close)",
        arguments: [[0x65, 0x00, 0x00, 0x00], Array(#"{"in"#.utf8), [0xff, 0xff, 0xff, 0xff]] as [[UInt8]])
    func oversize(prefix: [UInt8]) throws {
        var configuration = ServerConfiguration()
        configuration.framing.maxBodyLength = 100
        let server = try EmbeddedServer(configuration)
        try server.send(Self.ping(1) + prefix + Array(repeating: 0x20, count: 10))
        let responses = try server.responses()
        #expect(responses.map(\.out) == ["pong", "error"])
        #expect(responses.last?.errorResult?.code == "frame-too-large")
        #expect(responses.last?.errorResult?.rule == "frame.oversize-close")
        #expect(server.isClosed)
    }

    @Test("a body of exactly the limit is answered")
    func exactlyTheLimit() throws {
        var configuration = ServerConfiguration()
        configuration.framing.maxBodyLength = 100
        let server = try EmbeddedServer(configuration)
        let overhead = Request(method: "ping", params: "").body().count
        let body = Request(method: "ping", params: .string(String(repeating: "x", count: 100 - overhead))).body()
        #expect(body.count == 100)
        try server.send(FrameEncoder().frame(body))
        #expect(try server.responses().map(\.out) == ["pong"])
        #expect(!server.isClosed)
    }

    // MARK: - Streams

    @Test("100 pipelined requests in one read are answered once each, in order (conn.pipelining, conn.in-order)")
    func pipelining() throws {
        let server = try EmbeddedServer()
        try server.send((0..<100).flatMap(Self.ping))
        #expect(try server.responses().map { $0.result.numberValue?.int64Value } == (0..<100).map { Int64($0) })
    }

    @Test("the responses to one read leave in one write")
    func oneWritePerRead() throws {
        let server = try EmbeddedServer()
        try server.send((0..<5).flatMap(Self.ping))
        var writes = 0
        while try server.channel.readOutbound(as: ByteBuffer.self) != nil { writes += 1 }
        #expect(writes == 1)
    }

    @Test("the responses to the reads of one wake-up leave in one write, in both models", arguments: [EmbeddedServer.Timers.loopTasks, .wheel])
    func oneWritePerWakeUp(timers: EmbeddedServer.Timers) throws {
        let server = try EmbeddedServer(timers: timers)
        let octets = (0..<8).flatMap(Self.ping)
        // NIO reads a segment larger than its receive buffer in several reads, then completes the read once.
        for chunk in [octets[..<100], octets[100...]] {
            server.channel.pipeline.syncOperations.fireChannelRead(NIOAny(ByteBuffer(bytes: chunk)))
        }
        server.channel.pipeline.syncOperations.fireChannelReadComplete()
        var written = ByteBuffer()
        var writes = 0
        while var chunk = try server.channel.readOutbound(as: ByteBuffer.self) {
            writes += 1
            written.writeBuffer(&chunk)
        }
        #expect(writes == 1)
        var decoder = FrameDecoder()
        var pongs = 0
        while try decoder.decode(buffer: &written) != nil { pongs += 1 }
        #expect(pongs == 8)
    }

    @Test("a request after a sleep waits for it: responses leave in request order (conn.in-order, ext.sleep)")
    func sleepKeepsOrder() throws {
        let server = try EmbeddedServer()
        try server.send(FrameEncoder().frame(Request(method: "sleep", params: ["ms": 100]).body()) + Self.ping(1))
        #expect(try server.responses().isEmpty)
        server.advance(milliseconds: 99)
        #expect(try server.responses().isEmpty, "the sleep ended early")
        server.advance(milliseconds: 1)
        #expect(try server.responses().map(\.out) == ["slept", "pong"])
    }

    @Test("a three-frame stream cut at every offset into two reads gives the same responses (frame.reads-are-partial)")
    func splitAtEveryOffset() throws {
        let stream = (0..<3).flatMap(Self.ping)
        for cut in 0...stream.count {
            let server = try EmbeddedServer()
            try server.send(Array(stream[..<cut]))
            try server.send(Array(stream[cut...]))
            let answered = try server.responses().map { $0.result.numberValue?.int64Value }
            #expect(answered == [0, 1, 2], "cut at \(cut)")
        }
    }

    @Test("a stream fed one octet per read gives the same responses")
    func oneOctetPerRead() throws {
        let server = try EmbeddedServer()
        for octet in (0..<3).flatMap(Self.ping) { try server.send([octet]) }
        #expect(try server.responses().map { $0.result.numberValue?.int64Value } == [0, 1, 2])
    }

    @Test("a half-close is answered: every response, then the close (conn.half-close)")
    func halfClose() throws {
        let server = try EmbeddedServer()
        try server.send((0..<3).flatMap(Self.ping) + FrameEncoder().frame(Request(method: "sleep", params: ["ms": 50]).body()))
        server.halfClose()
        #expect(!server.isClosed, "closed before the sleep was answered")
        server.advance(milliseconds: 50)
        #expect(try server.responses().map(\.out) == ["pong", "pong", "pong", "slept"])
        #expect(server.isClosed)
    }

    @Test(
        "EOF inside a frame: the complete frames are answered, then the close, no error (conn.eof-inside-frame)",
        arguments: [2, 4, 10])
    func eofInsideFrame(partial: Int) throws {
        let server = try EmbeddedServer()
        try server.send(Self.ping(1) + Array(Self.ping(2).prefix(partial)))
        server.halfClose()
        #expect(try server.responses().map(\.out) == ["pong"])
        #expect(server.isClosed)
    }

    @Test("a zero-length frame between two pings is an invalid-json error in its place (frame.zero-length)")
    func zeroLength() throws {
        let server = try EmbeddedServer()
        try server.send(Self.ping(1) + [0, 0, 0, 0] + Self.ping(2))
        let responses = try server.responses()
        #expect(responses.map(\.out) == ["pong", "error", "pong"])
        #expect(responses[1].errorResult?.rule == "frame.zero-length")
    }

    @Test("a stop answers what was read, then closes")
    func stop() throws {
        let server = try EmbeddedServer()
        try server.send(FrameEncoder().frame(Request(method: "sleep", params: ["ms": 30]).body()))
        server.channel.pipeline.fireUserInboundEventTriggered(ServerStopEvent())
        #expect(!server.isClosed)
        server.advance(milliseconds: 30)
        #expect(try server.responses().map(\.out) == ["slept"])
        #expect(server.isClosed)
    }

    // MARK: - Byte order

    @Test("big mode reads and answers big-endian (order.big-mode)")
    func bigMode() throws {
        var configuration = ServerConfiguration()
        configuration.framing.byteOrder = .big
        let server = try EmbeddedServer(configuration)
        try server.send(Request(method: "ping", params: "big"), order: .big)
        #expect(try server.responses().first?.result == "big")
    }

    @Test("big mode refuses a little-endian prefix as too large, naming the order (order.mismatch-diagnosis)")
    func bigModeGivenLittle() throws {
        var configuration = ServerConfiguration()
        configuration.framing.byteOrder = .big
        let server = try EmbeddedServer(configuration)
        try server.send(Request(method: "ping", params: "little"), order: .little)
        let response = try #require(try server.responses().first)
        #expect(response.errorResult?.code == "frame-too-large")
        #expect(response.errorResult?.message.contains("little-endian") == true, "\(response.errorResult?.message ?? "")")
        #expect(server.isClosed)
    }

    @Test(
        "auto mode answers in the order the first prefix showed (order.auto-detect, order.same-both-directions)",
        arguments: [ByteOrder.little, .big])
    func autoMode(order: ByteOrder) throws {
        var configuration = ServerConfiguration()
        configuration.framing.byteOrder = .auto
        let server = try EmbeddedServer(configuration, answerOrder: order == .big ? .big : .little)
        try server.send(Request(method: "ping", params: 1), order: order)
        try server.send(Request(method: "ping", params: 2), order: order)
        #expect(try server.responses().map { $0.result.numberValue?.int64Value } == [1, 2])
    }

    // MARK: - Timers, on the loop's clock

    @Test("an idle connection closes after the idle time-out and not before (conn.idle-timeout)")
    func idleTimeout() throws {
        var configuration = ServerConfiguration()
        configuration.idleTimeoutMilliseconds = 1_000
        let server = try EmbeddedServer(configuration)
        server.advance(milliseconds: 600)
        try server.send(Self.ping(1))
        server.advance(milliseconds: 999)
        #expect(!server.isClosed, "the idle time counts from the last read")
        server.advance(milliseconds: 1)
        #expect(server.isClosed)
    }

    @Test("an idle time-out waits while a request is outstanding, and counts from its response")
    func idleWaitsForOutstanding() throws {
        var configuration = ServerConfiguration()
        configuration.idleTimeoutMilliseconds = 1_000
        let server = try EmbeddedServer(configuration)
        try server.send(Request(method: "sleep", params: ["ms": 1_500]))
        server.advance(milliseconds: 1_500)
        #expect(!server.isClosed, "closed with a sleep outstanding")
        #expect(try server.responses().map(\.out) == ["slept"])
        server.advance(milliseconds: 999)
        #expect(!server.isClosed, "the idle time counts from the response")
        server.advance(milliseconds: 1)
        #expect(server.isClosed)
    }

    @Test(
        "a partial frame stalled past the slow-sender bound closes the connection; earlier requests are answered first (sec.slow-sender)",
        arguments: [2, 4, 9])
    func slowSender(partial: Int) throws {
        var configuration = ServerConfiguration()
        configuration.partialFrameTimeoutMilliseconds = 500
        let server = try EmbeddedServer(configuration)
        try server.send(Self.ping(1) + Array(Self.ping(2).prefix(partial)))
        server.advance(milliseconds: 499)
        #expect(!server.isClosed)
        server.advance(milliseconds: 1)
        #expect(server.isClosed)
        #expect(try server.responses().map { $0.result.numberValue?.int64Value } == [1])
    }

    @Test("octets that keep a partial frame growing re-arm the slow-sender bound")
    func slowSenderRearmed() throws {
        var configuration = ServerConfiguration()
        configuration.partialFrameTimeoutMilliseconds = 500
        let server = try EmbeddedServer(configuration)
        for octet in Self.ping(7) {
            server.advance(milliseconds: 400)
            try server.send([octet])
        }
        #expect(!server.isClosed)
        #expect(try server.responses().first?.result.numberValue?.int64Value == 7)
    }

    // MARK: - Backpressure

    @Test("with 64 requests outstanding the handler holds NIO's read, and issues it once fewer wait (sec.buffer-bound.unprocessed)")
    func outstandingLimit() throws {
        let server = try EmbeddedServer()
        let limit = ServerChannelHandler.maxOutstanding
        let sleep = FrameEncoder().frame(Request(method: "sleep", params: ["ms": 10]).body())
        try server.send(Array((0...limit).map { _ in sleep }.joined()))
        let before = server.reads.count
        server.channel.read()
        #expect(server.reads.count == before, "a read passed with \(limit + 1) requests outstanding")
        server.advance(milliseconds: 10)
        #expect(try server.responses().count == 1)
        #expect(server.reads.count == before, "a read passed with \(limit) requests outstanding")
        server.advance(milliseconds: 10)
        #expect(try server.responses().count == 1)
        #expect(server.reads.count == before + 1, "the held read was not issued with \(limit - 1) outstanding")
        server.advance(milliseconds: 10 * Int64(limit))
        #expect(try server.responses().count == limit - 1)
    }

    @Test("one request under the limit, reads pass")
    func underTheLimit() throws {
        let server = try EmbeddedServer()
        let sleep = FrameEncoder().frame(Request(method: "sleep", params: ["ms": 10]).body())
        try server.send(Array((0..<(ServerChannelHandler.maxOutstanding - 1)).map { _ in sleep }.joined()))
        let before = server.reads.count
        server.channel.read()
        #expect(server.reads.count == before + 1)
    }

    @Test("while the channel is not writable the read is held; writable again, it is issued (sec.buffer-bound.unwritten)")
    func writability() throws {
        let server = try EmbeddedServer()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        let before = server.reads.count
        server.channel.read()
        #expect(server.reads.count == before)
        server.channel.isWritable = true
        server.channel.pipeline.fireChannelWritabilityChanged()
        #expect(server.reads.count == before + 1)
    }
}
