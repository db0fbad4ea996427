import Foundation
import LPJProcess
import LPJServer
import Testing

@testable import LPJCheck

/// The extension cases (`extension.*`, spec Section 8) proven both ways: the reference server passes
/// them in an event-loop and a one-connection-at-a-time model, and mutants of the independent Python
/// server (`conformance/python`), each breaking one requirement, fail the case meant for them, citing
/// that requirement.
@Suite("Extension cases (sleep, relay)", .serialized)
struct ExtensionCaseTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `python3` on PATH, if any.
    static let python: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin")
        .split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// The extension cases: those of sleep and relay, whether they hold other connections up, and the
    /// relay's refused upstreams.
    static let cases = CaseCatalog.notBlockingCases + CaseCatalog.extensionCases + CaseCatalog.relayRefusalCases

    /// Runs the cases matching `only` against a server already listening on `port`.
    static func check(port: Int, only: [String]) throws -> [CaseResult] {
        let probe = ServerProbe.run(host: "127.0.0.1", port: port, pinned: nil, timeoutMilliseconds: 1_000)
        let target = try #require(probe.target(host: "127.0.0.1", port: port, timeoutMilliseconds: 1_000), "\(probe.unusable ?? "")")
        var options = CheckOptions()
        options.only = only
        let report = CheckRunner(target: target, probe: probe, cases: Self.cases, options: options).run()
        return report.results.filter { options.selects($0.id) }
    }

    /// The Python server with `arguments`, started on a free port.
    static func python(_ arguments: [String]) throws -> SpawnedServer {
        let script = repository.appendingPathComponent("conformance/python/lpj_server.py").path
        return try SpawnedServer(command: try #require(python), arguments: ["-u", script, "--port", "0"] + arguments)
    }

    /// Ends a Python server with SIGKILL: a child of the test process inherits the test thread's blocked
    /// signals, SIGTERM among them, so asyncio's SIGTERM handler would never run and `stop()` would wait.
    static func kill(_ server: SpawnedServer) {
        if server.process.isRunning { Foundation.kill(server.pid, SIGKILL) }
        server.process.waitUntilExit()
    }

    @Test("the reference server passes every extension case", arguments: [ServerModel.coroutine, .blocking])
    func referencePasses(model: ServerModel) throws {
        let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")
        let server = try SpawnedServer(executable: lpj, arguments: ["--model", model.rawValue])
        defer { server.stop() }
        let results = try Self.check(port: server.port, only: ["extension.*"])
        #expect(results.count == 19)
        let bad = results.filter { $0.verdict == .failed || $0.verdict == .warning || $0.verdict == .notRun }
        #expect(bad.isEmpty, "\(bad.map { "\($0.id): \($0.summary)" })")
        // Every case ran but the idle one (the reference states no idle time-out); a model serving one
        // connection at a time leaves the two not-blocking cases informational and skips the sleep of
        // 60,000 ms, which would hold it a minute.
        let ran = Set(results.filter { $0.verdict == .passed }.map(\.id))
        let oneAtATime = model == .blocking
        #expect(ran.count == (oneAtATime ? 14 : 17), "\(results.filter { $0.verdict != .passed }.map { "\($0.id): \($0.verdict) \($0.summary)" })")
        for id in ["extension.sleep.not-blocking", "extension.relay.not-blocking"] {
            #expect(results.first { $0.id == id }?.verdict == (oneAtATime ? .informational : .passed), "\(id)")
        }
        #expect(results.first { $0.id == "extension.sleep.idle-outstanding" }?.verdict == .skipped)
        #expect(results.first { $0.id == "extension.sleep.maximum" }?.verdict == (oneAtATime ? .skipped : .passed))
    }

    struct Catch: Sendable, CustomTestStringConvertible {
        var mutant: String
        var caseID: String
        var requirement: RequirementID
        var testDescription: String { "\(mutant) caught by \(caseID) as \(requirement)" }
    }

    /// Mutants of `lpj_server.py --list-mutants`, each with the case that must catch it and the requirement
    /// it breaks (the mutant's own).
    static let catches: [Catch] = [
        Catch(mutant: "sleep-no-wait", caseID: "extension.sleep.waits", requirement: .sleepWaits),
        Catch(mutant: "sleep-result-ms-only", caseID: "extension.sleep.waits", requirement: .sleepResult),
        Catch(mutant: "sleep-duplicate-ms-last", caseID: "extension.sleep.duplicate-ms", requirement: .nestedDuplicatesReadInvalid),
        Catch(mutant: "completion-order", caseID: "extension.sleep.in-order", requirement: .inOrder),
        Catch(mutant: "oversize-reply-before-slow", caseID: "extension.sleep.oversize-behind", requirement: .oversizeAfterEarlier),
        Catch(mutant: "sleep-maximum-exclusive", caseID: "extension.sleep.maximum", requirement: .sleepWaits),
        Catch(mutant: "pipelining-overloaded", caseID: "extension.sleep.pipelined", requirement: .pipeliningNoRefusal),
        Catch(mutant: "overloaded-at-10-outstanding", caseID: "extension.sleep.pipelined", requirement: .overloadedOnlyServerWide),
        Catch(mutant: "relay-big-endian-upstream", caseID: "extension.relay.pass-through", requirement: .relayOneUpstreamRequest),
        Catch(mutant: "relay-passes-unregistered-codes", caseID: "extension.relay.error-codes", requirement: .relayUnregisteredCode),
        Catch(mutant: "relay-timeout-as-upstream-error", caseID: "extension.relay.timeout", requirement: .relayTimeout),
        Catch(mutant: "relay-accepts-broken-response", caseID: "extension.relay.upstream-errors", requirement: .relayUpstreamError),
        Catch(mutant: "sleep-blocks-loop", caseID: "extension.sleep.not-blocking", requirement: .sleepNotBlocking),
        Catch(mutant: "relay-blocks-loop", caseID: "extension.relay.not-blocking", requirement: .relayNotBlocking),
        Catch(mutant: "relay-no-allow-list", caseID: "extension.relay.refused-upstream", requirement: .relayDocumentationRefused),
    ]

    @Test(
        "a Python mutant fails its case, citing the requirement it breaks", .enabled(if: python != nil, "python3 is not on PATH"),
        arguments: catches)
    func mutantIsCaught(_ expected: Catch) throws {
        let server = try Self.python(["--mutant", expected.mutant])
        defer { Self.kill(server) }
        let results = try Self.check(port: server.port, only: [expected.caseID])
        let result = try #require(results.first { $0.id == expected.caseID })
        #expect(result.verdict == .failed, "\(result.summary)")
        #expect(
            result.violations.first?.requirement == expected.requirement,
            "cites \(result.violations.map(\.requirement.rawValue)), not \(expected.requirement) first: \(result.summary)")
    }

    @Test(
        "the Python server with its defaults passes the relay cases, and one refusing loopback upstreams is skipped, not failed",
        .enabled(if: python != nil, "python3 is not on PATH"))
    func pythonRelay() throws {
        let plain = try Self.python([])
        defer { Self.kill(plain) }
        let results = try Self.check(port: plain.port, only: ["extension.relay.*"])
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.verdict == .passed }, "\(results.filter { $0.verdict != .passed }.map { "\($0.id): \($0.summary)" })")

        let refusing = try Self.python(["--relay-allow", "192.0.2.7:9001"])
        defer { Self.kill(refusing) }
        let refused = try Self.check(port: refusing.port, only: ["extension.relay.pass-through", "extension.relay.timeout"])
        #expect(refused.count == 2)
        for result in refused {
            #expect(result.verdict == .skipped, "\(result.id): \(result.summary)")
            #expect(result.summary.contains("refuses the loopback upstream"), "\(result.summary)")
        }
    }
}
