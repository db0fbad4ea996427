import Foundation
import LPJClient
import LPJFixtures
import LPJServer
import LPJWire
import Testing

/// The same integration tests for every model, over real loopback sockets.
@Suite("Server models", .serialized)
struct ServerModelTests {
    static let fixtures = Result { try FixtureSet.generate().fixtures.filter { $0.definition.direction == .clientToServer } }

    /// Checks `reply` against a fixture's expected responses (msg.value-equality; error codes).
    static func check(_ reply: TestConnection.Reply, against fixture: Fixture, model: ServerModel) {
        let id = fixture.definition.id
        let expected = fixture.definition.responses
        #expect(reply.fault == nil, "\(model) \(id): \(reply.fault ?? "")")
        #expect(reply.responses.count == expected.count, "\(model) \(id): \(reply.responses.count) responses, expected \(expected.count)")
        for (response, expectation) in zip(reply.responses, expected) {
            switch expectation {
            case .response(let wanted):
                #expect(
                    response.out == wanted.out && response.result.isSameValue(as: wanted.result),
                    "\(model) \(id): \(wanted.result.firstDifference(from: response.result) ?? "out \(response.out)")")
            case .error(let code, _):
                #expect(response.errorResult?.code == code.rawValue, "\(model) \(id): expected error \(code), got \(response.out)")
            }
        }
        if fixture.definition.connection == .closed { #expect(reply.closed, "\(model) \(id): connection should close") }
    }

    /// The models whose connection code `EngineTests` does not drive in process: `event-loop`'s
    /// `ServerChannelHandler` is tested there for splits, limits and half-close without a process.
    static let modelsOutsideTheEngineTests = ServerModel.allCases.filter { $0 != .eventLoop }

    @Test("every request fixture gets its expected responses", arguments: ServerModel.allCases)
    func fixtures(model: ServerModel) throws {
        let groups = Dictionary(grouping: try Self.fixtures.get()) { "\($0.definition.receiverByteOrder.rawValue) \($0.definition.receiverLimit)" }
        for (_, fixtures) in groups {
            let definition = fixtures[0].definition
            let server = try ServerProcess(
                model: model,
                [
                    "--byte-order", definition.receiverByteOrder.rawValue,
                    "--max-frame", "\(definition.receiverLimit)",
                ])
            for fixture in fixtures {
                // The server answers in the order of the requests (order.same-both-directions).
                let answerOrder = fixture.definition.receiverByteOrder.fixedOrder ?? fixture.definition.byteOrder.decodingOrder
                let connection = try TestConnection(port: server.port, byteOrder: answerOrder == .big ? .big : .little)
                try connection.send(fixture.definition.wire)
                connection.halfClose()
                Self.check(try connection.read(), against: fixture, model: model)
                connection.close()
            }
            #expect(server.stop() == 0)
        }
    }

    @Test(
        "500 pipelined requests in one write are answered once each, in order (conn.pipelining, conn.in-order)",
        arguments: ServerModel.allCases)
    func pipelining(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        let connection = try server.connect()
        try connection.send((0..<500).flatMap { FrameEncoder().frame(Request(method: "ping", params: .number(JSONNumber($0))).body()) })
        let reply = try connection.read(count: 500)
        #expect(reply.responses.map { $0.result.numberValue?.int64Value } == (0..<500).map { Int64($0) })
        #expect(server.stop() == 0)
    }

    @Test(
        "a request split at every offset of its prefix and at the prefix/body boundary (frame.reads-are-partial)",
        arguments: Self.modelsOutsideTheEngineTests)
    func splits(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        let frame = FrameEncoder().frame(Request(method: "ping", params: "split").body())
        let connection = try server.connect()
        for cut in [1, 2, 3, 4, 5, frame.count - 1] {
            try connection.send(Array(frame[..<cut]))
            #expect(ServerReadWatch.waitUntilRead(connection.socket, serverPort: server.port), "\(model): the first \(cut) octets were never read")
            try connection.send(Array(frame[cut...]))
            let reply = try connection.read(count: 1)
            #expect(reply.responses.first?.result == "split", "\(model) cut at \(cut)")
        }
        #expect(server.stop() == 0)
    }

    @Test(
        "bodies up to the limit are answered; one octet over is refused and closed (frame.oversize-close)",
        arguments: Self.modelsOutsideTheEngineTests)
    func limits(model: ServerModel) throws {
        let server = try ServerProcess(model: model, ["--max-frame", "100000"])
        let overhead = Request(method: "ping", params: "").body().count
        for size in [overhead, 1_000, 65_536, 100_000] {
            let connection = try server.connect()
            let body = Request(method: "ping", params: .string(String(repeating: "x", count: size - overhead))).body()
            #expect(body.count == size)
            try connection.send(FrameEncoder().frame(body))
            let reply = try connection.read(count: 1)
            #expect(reply.responses.first?.out == "pong", "\(model) size \(size)")
        }
        let connection = try server.connect()
        try connection.send(FrameEncoder().prefix(forLength: 100_001))
        let reply = try connection.read()
        #expect(reply.responses.first?.errorResult?.code == "frame-too-large", "\(model)")
        #expect(reply.closed)
        #expect(server.stop() == 0)
    }

    @Test("a client that half-closes gets every response, then EOF (conn.half-close)", arguments: Self.modelsOutsideTheEngineTests)
    func halfClose(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        let connection = try server.connect()
        for index in 0..<3 { try connection.send(Request(method: "ping", params: .number(JSONNumber(index)))) }
        try connection.send(Request(method: "sleep", params: ["ms": 100]))
        connection.halfClose()
        let reply = try connection.read()
        #expect(reply.responses.map(\.out) == ["pong", "pong", "pong", "slept"])
        #expect(reply.closed)
        #expect(server.stop() == 0)
    }

    @Test(
        "a stalled connection and a hostile one do not change what another connection gets (conn.isolation)",
        arguments: ServerModel.allCases.filter(\.isConcurrent))
    func isolation(model: ServerModel) throws {
        let server = try ServerProcess(model: model, ["--workers", "3"])
        let stalled = try server.connect()
        try stalled.send([0x25, 0x00])  // half a prefix, then nothing
        let hostile = try server.connect()
        try hostile.send([0xff, 0xff, 0xff, 0xff] + Array("garbage".utf8))
        let good = try server.connect()
        try good.send((0..<20).flatMap { FrameEncoder().frame(Request(method: "ping", params: .number(JSONNumber($0))).body()) })
        let reply = try good.read(count: 20, timeoutMilliseconds: 3_000)
        #expect(reply.responses.map { $0.result.numberValue?.int64Value } == (0..<20).map { Int64($0) }, "\(model)")
        stalled.close()
        hostile.close()
        #expect(server.stop() == 0)
    }

    @Test("concurrent models serve one connection while a request sleeps on another", arguments: ServerModel.allCases.filter(\.isConcurrent))
    func concurrency(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        let sleeping = try server.connect()
        try sleeping.send(Request(method: "sleep", params: ["ms": 3_000]))
        #expect(ServerReadWatch.waitUntilRead(sleeping.socket, serverPort: server.port))
        let other = try server.connect()
        try other.send(Request(method: "ping", params: "meanwhile"))
        #expect(try other.read(count: 1).responses.first?.result == "meanwhile", "\(model)")
        // Ordered by events, not by a clock: the pong came while the sleep was still outstanding.
        #expect(try !sleeping.socket.waitUntilReadable(timeoutMilliseconds: 0), "\(model): the sleep ended before the other connection was served")
        #expect(try sleeping.read(count: 1).responses.first?.out == "slept")
        #expect(server.stop() == 0)
    }

    @Test("SIGTERM with a request in flight: the response still arrives and the exit status is 0", arguments: ServerModel.allCases)
    func sigtermInFlight(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        let connection = try server.connect()
        try connection.send(Request(method: "sleep", params: ["ms": 300]))
        try connection.send(Request(method: "ping", params: "after"))
        #expect(ServerReadWatch.waitUntilRead(connection.socket, serverPort: server.port), "\(model): the requests were never read")
        kill(server.pid, SIGTERM)
        let reply = try connection.read(count: 2)
        #expect(reply.responses.map(\.out) == ["slept", "pong"], "\(model)")
        #expect(server.stop() == 0)
    }
}
