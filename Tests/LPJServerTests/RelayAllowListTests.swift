import Foundation
import LPJServer
import LPJWire
import Testing

/// `--relay-allow` (`ext.relay.upstreams`): loopback only by default, the listed upstreams otherwise, and
/// the documentation blocks never (`ext.relay.documentation-refused`), each refusal answered
/// `invalid-params` naming the address before any connection is tried.
@Suite("relay allow-list")
struct RelayAllowListTests {
    @Test("with no entry, loopback only; documentation addresses refused whatever the entries say")
    func defaults() throws {
        let loopbackOnly = RelayAllowList()
        #expect(loopbackOnly.refusal(host: "127.0.0.1", port: 9001) == nil)
        #expect(loopbackOnly.refusal(host: "127.8.9.10", port: 1) == nil)
        #expect(loopbackOnly.refusal(host: "::1", port: 9001) == nil)
        #expect(loopbackOnly.refusal(host: "LocalHost", port: 9001) == nil)
        #expect(loopbackOnly.refusal(host: "10.0.0.1", port: 9001)?.contains("10.0.0.1:9001") == true)
        #expect(loopbackOnly.refusal(host: "example.org", port: 80) != nil)

        let everything = RelayAllowList(entries: [try .init(parsing: "*:*")])
        #expect(everything.refusal(host: "10.0.0.1", port: 9001) == nil)
        for address in ["192.0.2.1", "198.51.100.255", "203.0.113.7", "2001:db8::1", "2001:DB8:1::5", "::ffff:192.0.2.9"] {
            let refusal = everything.refusal(host: address, port: 9001)
            #expect(refusal?.contains(address) == true && refusal?.contains("documentation") == true, "\(address): \(String(describing: refusal))")
        }
        #expect(everything.refusal(host: "192.0.3.1", port: 9001) == nil)
    }

    @Test("entries: HOST:PORT, HOST:*, *:PORT and [IPv6]:PORT; malformed ones are rejected")
    func entries() throws {
        let list = RelayAllowList(entries: try ["10.0.0.1:9001", "Upstream.example:*", "*:7000", "[fd00::1]:9001"].map(RelayAllowList.Entry.init(parsing:)))
        #expect(list.refusal(host: "10.0.0.1", port: 9001) == nil)
        #expect(list.refusal(host: "10.0.0.1", port: 9002) != nil)
        #expect(list.refusal(host: "upstream.example", port: 1) == nil)
        #expect(list.refusal(host: "10.9.9.9", port: 7000) == nil)
        #expect(list.refusal(host: "fd00::1", port: 9001) == nil)
        #expect(list.refusal(host: "127.0.0.1", port: 9001) != nil, "entries replace the loopback default")
        for bad in ["10.0.0.1", ":9001", "host:0", "host:70000", "host:x"] {
            #expect(throws: RelayAllowListError.self, "\(bad)") { try RelayAllowList.Entry(parsing: bad) }
        }
    }

    @Test("lpj serve refuses a documentation upstream at once, invalid-params naming it, and --relay-allow admits another")
    func onTheWire() throws {
        let server = try ServerProcess(model: .eventLoop, ["--relay-allow", "*:*"])
        defer { server.stop() }
        let connection = try server.connect()
        let refused: JSONValue = ["host": "192.0.2.1", "port": 9001, "in": "ping", "params": .null, "timeout_ms": 60_000]
        let start = Date()
        try connection.send(Request(method: "relay", params: refused))
        let error = try connection.read(count: 1).responses.first?.errorResult
        #expect(error?.code == "invalid-params" && error?.rule == "ext.relay" && error?.message.contains("192.0.2.1") == true, "\(String(describing: error))")
        // Refused before any connect: a connect to 192.0.2.1 would wait out timeout_ms (60 s).
        #expect(Date().timeIntervalSince(start) < 15)
    }
}
