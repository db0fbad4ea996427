import Foundation
import LPJBench
import LPJProcess
import LPJSockets
import LPJWire
import Testing

/// `lpj bench` reaches a server however users name it, as `lpj check` and `lpj call` do: an IPv4 or IPv6
/// literal, or a host name with every address it resolves to.
@Suite("Bench addresses", .serialized)
struct BenchAddressTests {
    /// Whether this machine has IPv6 loopback (some containers have none): the IPv6 tests say skipped
    /// without it rather than fail.
    static let hasIPv6Loopback = (try? Socket.listen(host: "::1", port: 0, backlog: 1)) != nil

    /// How a server on ::1 is named: the literal, and `localhost` where it resolves to ::1 too (where
    /// /etc/hosts gives it 127.0.0.1 alone, the name is tested against an IPv4 server below).
    static let namesOfIPv6Loopback =
        ["::1"]
        + ((try? NetworkAddress.resolve(host: "localhost", port: 1))?.contains { $0.family == AF_INET6 } == true ? ["localhost"] : [])

    /// A server listening on ::1 only, loaded through each of its names.
    @Test(.enabled(if: hasIPv6Loopback, "no IPv6 loopback on this machine"), arguments: namesOfIPv6Loopback)
    func loadOverIPv6(host: String) throws {
        let result = try LoadGeneratorTests.run(against: ["--model", "event-loop", "--host", "::1"]) { $0.host = host }
        #expect(result.isClean, "\(result.summary)")
        #expect(result.summary.hasPrefix("lpj bench \(HostPort(host: host, port: result.configuration.port)):"), "\(result.summary)")
    }

    /// A server listening on 127.0.0.1 only, loaded through `localhost`: whatever the name resolves to
    /// first, the address that answers is the one used.
    @Test func loadByName() throws {
        let result = try LoadGeneratorTests.run(against: ["--model", "event-loop", "--host", "127.0.0.1"]) { $0.host = "localhost" }
        #expect(result.isClean, "\(result.summary)")
    }

    /// The command itself: `lpj bench [::1]:PORT`.
    @Test(.enabled(if: hasIPv6Loopback, "no IPv6 loopback on this machine"))
    func benchCommandOverIPv6() throws {
        try Self.benchCommand(serverHost: "::1", address: { "[::1]:\($0)" })
    }

    /// The command itself: `lpj bench localhost:PORT`.
    @Test func benchCommandByName() throws {
        try Self.benchCommand(serverHost: "127.0.0.1", address: { "localhost:\($0)" })
    }

    /// Runs `lpj bench ADDRESS --format json` against `lpj serve --host SERVERHOST`: exit 0 and one line of
    /// JSON with responses, every one checked.
    static func benchCommand(serverHost: String, address: (Int) -> String) throws {
        let server = try SpawnedServer(executable: LoadGeneratorTests.lpj, arguments: ["--model", "event-loop", "--host", serverHost])
        defer { server.stop() }
        let bench = Process()
        bench.executableURL = LoadGeneratorTests.lpj
        bench.arguments = ["bench", address(server.port), "--connections", "2", "--depth", "4", "--duration", "0.3", "--warmup", "0.1", "--format", "json"]
        let output = Pipe()
        bench.standardOutput = output
        try bench.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bench.waitUntilExit()
        #expect(bench.terminationStatus == 0, "lpj bench \(address(server.port)): \(text)")
        let report = try JSONParser.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)).objectValue
        #expect(report?["errors"]?.numberValue?.doubleValue == 0, "\(text)")
        #expect((report?["responses"]?.numberValue?.doubleValue ?? 0) > 0, "\(text)")
    }

    /// A refusal names the address as it is typed, an IPv6 literal in brackets.
    @Test func refusalNamesTheAddress() {
        var configuration = BenchConfiguration()
        configuration.host = "::1"
        configuration.port = 1
        #expect { try LoadGenerator.run(configuration) } throws: { error in
            "\(error)".hasPrefix("cannot connect to [::1]:1 ")
        }
    }
}
