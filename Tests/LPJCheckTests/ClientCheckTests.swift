import Foundation
import LPJCheck
import LPJFixtures
import LPJWire
import Testing

/// `lpj check-client` proven both ways: the Swift client passes every case; clients that never connect,
/// or that read like the legacy tutorial client, fail the cases they should.
@Suite("Client conformance runner", .serialized)
struct ClientCheckTests {
    static let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj").path

    static func run(_ command: String, timeoutMilliseconds: Int = 5_000) throws -> [CaseResult] {
        try ClientCheck.run(command: command, cases: ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures),
                            byteOrder: .little, timeoutMilliseconds: timeoutMilliseconds)
    }

    @Test("lpj call passes every client case (conn.client-limit, frame.reads-are-partial)")
    func swiftClientPasses() throws {
        let results = try Self.run("\(Self.lpj) call --port {port} {method}")
        let failed = results.filter { $0.verdict == .failed }
        #expect(failed.isEmpty, "\(failed.map { "\($0.id): \($0.summary)" })")
        #expect(results.filter { $0.verdict == .passed }.count >= 30)
    }

    @Test("a client that never connects fails every case it is given")
    func absentClientFails() throws {
        let results = try Self.run("true {port} {method}", timeoutMilliseconds: 200).filter { $0.verdict != .skipped }
        #expect(!results.isEmpty)
        #expect(results.allSatisfy { $0.verdict == .failed && $0.summary == "the client never connected" })
    }

    @Test("the tutorial's client, one recv per read and no checks, fails the split and broken-reply cases",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")))
    func legacyClientFails() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-legacy-client-\(UUID().uuidString).py")
        try """
        import json, socket, struct, sys
        port, method = int(sys.argv[1]), sys.argv[2]
        s = socket.create_connection(("127.0.0.1", port))
        body = json.dumps({"in": method, "params": "ireader 0"}).encode()
        s.sendall(struct.pack("I", len(body))); s.sendall(body)
        length, = struct.unpack("I", s.recv(4))
        response = json.loads(s.recv(length))
        sys.exit(1 if response["out"] == "error" else 0)
        """.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let results = try Self.run("python3 \(script.path) {port} {method}")
        let failed = Set(results.filter { $0.verdict == .failed }.map(\.id))
        for id in ["split.at-1", "split.one-octet-at-a-time", "close.inside-body", "fixture.response.missing-result"] {
            #expect(failed.contains(id), "\(id) should catch the legacy client")
        }
        #expect(!failed.contains("fixture.response.pong.compact"))
    }
}
