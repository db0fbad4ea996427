import Foundation
import LPJCheck
import LPJFixtures
import LPJWire
import Testing

/// `lpj check-client` proven both ways: the clients that follow lpj-client/1 (`lpj call`, the C client)
/// pass every case; a client that prints the wrong thing, crashes, hangs, calls the wrong method or is
/// not there at all fails, and fails fast; a legacy client that takes only a port is checked for what
/// can be seen without the convention.
@Suite("Client conformance runner", .serialized)
struct ClientCheckTests {
    static let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `lpj call` under lpj-client/1.
    static let call = "\(lpj) call --host {host} --port {port} {method} {params}"

    static func run(_ command: String, only: [String] = [], legacy: Bool = false, timeoutMilliseconds: Int = 5_000) throws -> [CaseResult] {
        var options = CheckOptions()
        options.only = only
        return try ClientCheck.run(
            command: command, cases: ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures),
            byteOrder: .little, timeoutMilliseconds: timeoutMilliseconds, only: options, legacy: legacy)
    }

    static func ran(_ results: [CaseResult]) -> [CaseResult] { results.filter { $0.verdict != .skipped } }

    static func failures(_ results: [CaseResult]) -> [String] {
        results.filter { $0.verdict == .failed }.map { "\($0.id): \($0.summary)" }
    }

    /// The client under test for the wrong-output cases: `lpj call`, with params from `{params}` (or
    /// `null` where a runner does not fill it in), its output thrown away, then `tail`.
    static func wrapped(_ tail: String) -> String {
        "p={params}; case \"$p\" in '{'params'}') p=null;; esac; \(lpj) call --port {port} {method} \"$p\" >/dev/null 2>&1; \(tail)"
    }

    static let valid = ["fixture.response.pong.compact", "split.at-1", "size.512-kib"]

    @Test("lpj call passes every client case")
    func swiftClientPasses() throws {
        let results = try Self.run(Self.call)
        #expect(Self.failures(results).isEmpty, "\(Self.failures(results))")
        #expect(!Self.ran(results).isEmpty)
        #expect(Self.ran(results).filter { $0.verdict != .passed }.map { "\($0.id): \($0.verdict)" } == [])
    }

    @Test("the C client (lpj-c call) passes every client case", .enabled(if: CClient.binary != nil))
    func cClientPasses() throws {
        let binary = try #require(CClient.binary)
        let results = try Self.run("\(binary) call --host {host} --port {port} {method} {params}")
        #expect(Self.failures(results).isEmpty, "\(Self.failures(results))")
        #expect(!Self.ran(results).isEmpty)
        #expect(Self.ran(results).filter { $0.verdict != .passed }.map { "\($0.id): \($0.verdict)" } == [])
    }

    @Test("a client that prints \"Fail to unmarshal\" and exits 0 fails")
    func printsWrongThingExitZero() throws {
        let results = Self.ran(try Self.run(Self.wrapped("echo 'Fail to unmarshal'; exit 0"), only: Self.valid))
        #expect(results.map(\.id).sorted() == Self.valid.sorted())
        for result in results {
            #expect(result.verdict == .failed, "\(result.id): \(result.summary)")
            #expect(result.summary.contains("not the response"), "\(result.id): \(result.summary)")
        }
    }

    @Test("a client that prints another response than the one served fails, naming where it differs")
    func printsOtherResponse() throws {
        let results = Self.ran(try Self.run(Self.wrapped(#"echo '{"out":"pong","result":"made up"}'; exit 0"#), only: ["fixture.response.pong.compact"]))
        let result = try #require(results.first)
        #expect(result.verdict == .failed)
        #expect(result.summary.hasPrefix("accepted but printed something else: differs at /result"), "\(result.summary)")
    }

    @Test("a client that exits 0 after a reply that breaks a rule fails as accepting it")
    func acceptsBrokenReply() throws {
        let results = Self.ran(try Self.run(Self.wrapped(#"echo '{"out":"pong","result":1}'; exit 0"#), only: ["close.inside-body"]))
        let result = try #require(results.first)
        #expect(result.verdict == .failed)
        #expect(result.summary.hasPrefix("accepted a reply that breaks conn.eof-inside-frame"), "\(result.summary)")
    }

    @Test("exit 1 without the response line is a crash, with its last stderr lines")
    func exitOneWithoutLine() throws {
        let results = Self.ran(try Self.run(Self.wrapped("echo 'Traceback: KeyError' >&2; exit 1"), only: ["fixture.response.pong.compact"]))
        let result = try #require(results.first)
        #expect(result.verdict == .failed)
        #expect(result.summary == "crashed: exit 1 without the response line on stdout", "\(result.summary)")
        #expect(result.details.contains { $0.contains("Traceback: KeyError") }, "\(result.details)")
    }

    @Test("another exit status, or a signal, is a crash; a client still running is hung")
    func crashesAndHangs() throws {
        let crashed = Self.ran(try Self.run(Self.wrapped("exit 3"), only: ["split.at-1"]))
        #expect(crashed.first?.summary.hasPrefix("crashed: exit 3") == true, "\(crashed.map(\.summary))")
        let killed = Self.ran(try Self.run(Self.wrapped("kill -SEGV $$"), only: ["split.at-1"]))
        #expect(killed.first?.summary.hasPrefix("crashed: killed by signal 11") == true, "\(killed.map(\.summary))")
        let start = Date()
        let hung = Self.ran(try Self.run(Self.wrapped("exec sleep 20"), only: ["split.at-1"], timeoutMilliseconds: 500))
        #expect(hung.first?.summary.hasPrefix("hung: still running 500 ms after the reply") == true, "\(hung.map(\.summary))")
        #expect(Date().timeIntervalSince(start) < 5, "a hung client is killed at the time-out")
    }

    @Test("a client that calls another method, or sends other params, fails on its request")
    func wrongRequest() throws {
        let method = Self.ran(try Self.run("\(Self.lpj) call --port {port} frob {params}", only: ["fixture.response.pong.compact"]))
        #expect(method.first?.verdict == .failed)
        #expect(method.first?.summary.contains(#"the request calls "frob", not "fixture.response.pong.compact""#) == true, "\(method.map(\.summary))")
        let params = Self.ran(try Self.run("\(Self.lpj) call --port {port} {method} '[1]'", only: ["fixture.response.pong.compact"]))
        #expect(params.first?.summary.contains("the request's params differ") == true, "\(params.map(\.summary))")
    }

    @Test("a missing binary fails within 2 s, once: the other cases are not run")
    func missingBinary() throws {
        let start = Date()
        let results = try Self.run("/nonexistent/lpj-client --port {port} {method} {params}")
        #expect(Date().timeIntervalSince(start) < 2)
        let first = try #require(Self.ran(results).first)
        #expect(first.verdict == .failed)
        #expect(first.summary.hasPrefix("the client command was not found before connecting"), "\(first.summary)")
        // Every case after the failed one is not run, and none of those is a pass or a failure.
        let rest = Self.ran(results).dropFirst()
        #expect(!rest.isEmpty)
        #expect(rest.filter { !$0.summary.hasPrefix("not run: the client never connected") }.map(\.summary) == [])
        #expect(rest.allSatisfy { $0.verdict != .failed && $0.verdict != .passed })
        #expect(results.filter { $0.verdict == .failed }.count == 1, "reported once")
    }

    @Test("a client that stays up but never connects fails once, after the time-out")
    func neverConnects() throws {
        let start = Date()
        let results = try Self.run("exec sleep 10 # {port} {method} {params}", timeoutMilliseconds: 300)
        #expect(Date().timeIntervalSince(start) < 2)
        let first = Self.ran(results).first
        #expect(first?.summary.hasPrefix("the client never connected within 300 ms") == true, "\(first?.summary ?? "")")
        // Every case after the one that waited out the time-out is not run.
        let rest = Self.ran(results).dropFirst()
        #expect(!rest.isEmpty)
        #expect(rest.filter { !$0.summary.hasPrefix("not run: ") }.map(\.summary) == [])
    }

    @Test("legacy mode checks a client that takes only a port: its request, and whether it crashed")
    func legacyClient() throws {
        // `lpj call` asked for ping by hand: it knows nothing of the case, and exits 1 or 2 on purpose,
        // which legacy mode cannot tell from a crash.
        let results = Self.ran(try Self.run("\(Self.lpj) call --port {port} ping '\"legacy\"'", legacy: true))
        let byID = Dictionary(uniqueKeysWithValues: results.map { ($0.id, $0) })
        #expect(byID["fixture.response.pong.compact"]?.verdict == .passed, "\(byID["fixture.response.pong.compact"]?.summary ?? "")")
        #expect(byID["split.one-octet-at-a-time"]?.verdict == .passed)
        #expect(byID["close.inside-body"]?.verdict == .failed)
        #expect(byID["close.inside-body"]?.summary.hasPrefix("crashed: exit 2") == true)
        #expect(!results.contains { $0.summary.contains("the request") }, "its request is right")
    }

    @Test(
        "legacy mode: the tutorial's client, one recv per read and no checks, crashes on split and broken replies",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3"))
    )
    func legacyTutorialClient() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-legacy-client-\(UUID().uuidString).py")
        try """
        import json, socket, struct, sys
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        body = json.dumps({"in": "ping", "params": "ireader 0"}).encode()
        s.sendall(struct.pack("I", len(body))); s.sendall(body)
        length, = struct.unpack("I", s.recv(4))
        response = json.loads(s.recv(length))
        print(response["result"])
        """.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let results = Self.ran(try Self.run("python3 \(script.path) {port}", legacy: true))
        let failed = Set(results.filter { $0.verdict == .failed }.map(\.id))
        for id in ["split.at-1", "split.one-octet-at-a-time", "close.inside-body", "fixture.response.missing-result"] {
            #expect(failed.contains(id), "\(id) should catch the legacy client")
        }
        #expect(!failed.contains("fixture.response.pong.compact"))
    }

    @Test("placeholders become single-quoted shell words")
    func shellQuoting() {
        #expect(ClientConvention.shellWord("it's") == #"'it'\''s'"#)
        let command = ClientConvention.command(
            "c {host} {port} {method} {params}", host: "127.0.0.1", port: 4, method: "m",
            params: .string("a'b $x"))
        #expect(command == #"c '127.0.0.1' '4' 'm' '"a'\''b $x"'"#)
    }
}

/// The C client, built by its Makefile when jansson is there.
enum CClient {
    static let binary: String? = {
        let directory = ClientCheckTests.repository.appendingPathComponent("conformance/c")
        let path = directory.appendingPathComponent("build/lpj-c").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["make", "-C", directory.path, "--no-print-directory", "-s"]
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        guard (try? make.run()) != nil else { return nil }
        make.waitUntilExit()
        return make.terminationStatus == 0 && FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()
}
