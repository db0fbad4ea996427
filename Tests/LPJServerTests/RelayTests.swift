import Foundation
import LPJServer
import LPJSockets
import LPJWire
import Testing

/// `relay` params forwarding `method` with `params` to the server on `port`.
func relayParams(port: Int, _ method: String, _ params: JSONValue, timeoutMilliseconds: Int? = nil) -> JSONValue {
    var object: JSONObject = ["host": "127.0.0.1", "port": .number(JSONNumber(port)), "in": .string(method), "params": params]
    if let timeoutMilliseconds { object.members.append(.init("timeout_ms", .number(JSONNumber(timeoutMilliseconds)))) }
    return .object(object)
}

/// A listening socket that never accepts: the kernel completes the handshake and nothing ever answers.
final class HungUpstream {
    let listener: Socket
    init() throws { listener = try Socket.listen(host: "127.0.0.1", port: 0) }
    var port: Int { listener.localPort }
    deinit { listener.close() }
}

@Suite("ext.relay in every model", .serialized)
struct RelayTests {
    @Test("relay passes an upstream's reply through unchanged, error responses included (ext.relay)", arguments: ServerModel.allCases)
    func passesThrough(model: ServerModel) throws {
        let upstream = try ServerProcess(model: .eventLoop)
        let server = try ServerProcess(model: model)
        let connection = try server.connect()
        try connection.send(Request(method: "relay", params: relayParams(port: upstream.port, "ping", ["deep": [1, .number(JSONNumber("2.50")!), "é"]])))
        try connection.send(Request(method: "relay", params: relayParams(port: upstream.port, "no-such-method", .null)))
        let reply = try connection.read(count: 2)
        #expect(reply.responses.first == Response(out: "pong", result: ["deep": [1, .number(JSONNumber("2.50")!), "é"]]), "\(model)")
        #expect(reply.responses.last?.errorResult?.code == "unknown-method", "\(model)")
        #expect(server.stop() == 0)
        #expect(upstream.stop() == 0)
    }

    @Test(
        "an upstream that never answers gets `timeout` after timeout_ms; a refused one `upstream-error` (ext.relay)",
        arguments: ServerModel.allCases)
    func hungAndRefusedUpstreams(model: ServerModel) throws {
        let hung = try HungUpstream()
        let refusedPort = try {
            let socket = try Socket.listen(host: "127.0.0.1", port: 0); defer { socket.close() }; return socket.localPort
        }()
        let server = try ServerProcess(model: model)
        let connection = try server.connect()
        let start = Date()
        try connection.send(Request(method: "relay", params: relayParams(port: hung.port, "ping", .null, timeoutMilliseconds: 300)))
        let timedOut = try connection.read(count: 1).responses.first?.errorResult
        let elapsed = Date().timeIntervalSince(start)
        #expect(timedOut?.code == "timeout" && timedOut?.rule == "ext.relay", "\(model): \(String(describing: timedOut))")
        #expect(elapsed >= 0.3, "\(model): answered `timeout` after \(elapsed) s, before the 300 ms limit")
        try connection.send(Request(method: "relay", params: relayParams(port: refusedPort, "ping", .null)))
        #expect(try connection.read(count: 1).responses.first?.errorResult?.code == "upstream-error", "\(model)")
        #expect(server.stop() == 0)
    }

    @Test(
        "a chain: the client asks A, A asks B, B asks C; the reply comes back through both hops",
        arguments: ServerModel.allCases)
    func chains(model: ServerModel) throws {
        let c = try ServerProcess(model: .eventLoop)
        let b = try ServerProcess(model: .coroutine)
        let a = try ServerProcess(model: model)
        let connection = try a.connect()
        let inner = relayParams(port: c.port, "ping", ["hops": 2])
        try connection.send(Request(method: "relay", params: relayParams(port: b.port, "relay", inner)))
        #expect(try connection.read(count: 1).responses.first == Response(out: "pong", result: ["hops": 2]), "\(model)")
        for server in [a, b, c] { #expect(server.stop() == 0) }
    }
}
