import LPJServer
import LPJSockets
import LPJWire
import Testing

/// Addresses as users type them, and servers and clients on IPv6 and on names.
@Suite struct AddressTests {
    @Test func hostPortParsing() {
        #expect(HostPort("127.0.0.1:7000") == HostPort(host: "127.0.0.1", port: 7000))
        #expect(HostPort("localhost:1") == HostPort(host: "localhost", port: 1))
        #expect(HostPort("[::1]:65535") == HostPort(host: "::1", port: 65_535))
        #expect(HostPort("[::1]:65535")?.description == "[::1]:65535")
        #expect(HostPort("::1:7000") == nil, "an IPv6 literal needs brackets, or its last group reads as the port")
        #expect(HostPort("127.0.0.1") == nil)
        #expect(HostPort("127.0.0.1:0") == nil)
        #expect(HostPort("127.0.0.1:0", allowZero: true)?.port == 0)
        #expect(HostPort(":7000") == nil)
        #expect(HostPort("[::1]7000") == nil)
        #expect(HostPort("host:70000") == nil)
    }

    @Test func unknownNameIsOneClearError() {
        #expect(throws: SocketError.self) { try Socket.connect(host: "no-such-host.invalid", port: 1, timeoutMilliseconds: 1_000) }
        do {
            _ = try Socket.connect(host: "no-such-host.invalid", port: 1, timeoutMilliseconds: 1_000)
        } catch {
            #expect("\(error)".contains("cannot resolve no-such-host.invalid"))
        }
    }

    /// Whether this machine has IPv6 loopback (some containers have none): the IPv6 tests say skipped
    /// without it rather than fail.
    static let hasIPv6Loopback = (try? Socket.listen(host: "::1", port: 0, backlog: 1)) != nil

    /// A blocking model and an event-loop model, each listening on ::1 and reached by name and literal.
    @Test(.enabled(if: hasIPv6Loopback, "no IPv6 loopback on this machine"), arguments: [ServerModel.blocking, .eventLoop])
    func serveOnIPv6(model: ServerModel) throws {
        let server = try ServerProcess(model: model, ["--host", "::1"])
        defer { server.stop() }
        let connection = try TestConnection(host: "::1", port: server.port)
        try connection.send(Request(method: "ping", params: "v6"))
        let reply = try connection.read(count: 1)
        #expect(reply.responses.first?.out == "pong" && reply.responses.first?.result.stringValue == "v6", "\(reply)")
        #expect(throws: SocketError.self, "an IPv6 listener takes IPv6 only") {
            try Socket.connect(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 2_000)
        }
    }

    @Test func listenOnLocalhostByName() throws {
        let listener = try Socket.listen(host: "localhost", port: 0, backlog: 1)
        let client = try Socket.connect(host: "localhost", port: listener.localPort, timeoutMilliseconds: 2_000)
        #expect(try listener.accept() != nil)
        client.close()
    }
}
