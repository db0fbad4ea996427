import Foundation
import LPJProcess
import LPJServer
import Testing

@testable import LPJCheck

/// The backpressure cases (`backpressure.*`, spec Section 7.2) proven both ways: the reference server
/// stops reading in an event-loop and a thread-per-connection model and passes, and Python mutants that
/// read on are warned about, citing the requirement they break.
@Suite("Backpressure cases", .serialized)
struct BackpressureCaseTests {
    static func check(port: Int) throws -> [CaseResult] {
        let probe = ServerProbe.run(host: "127.0.0.1", port: port, pinned: nil, timeoutMilliseconds: 1_000)
        let target = try #require(probe.target(host: "127.0.0.1", port: port, timeoutMilliseconds: 1_000), "\(probe.unusable ?? "")")
        return CheckRunner(target: target, probe: probe, cases: CaseCatalog.backpressureCases, options: CheckOptions()).run().results
    }

    @Test("the reference server passes both", arguments: [ServerModel.eventLoop, .threaded])
    func referencePasses(model: ServerModel) throws {
        let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")
        let server = try SpawnedServer(executable: lpj, arguments: ["--model", model.rawValue])
        defer { server.stop() }
        let results = try Self.check(port: server.port)
        #expect(results.count == 2 && results.allSatisfy { $0.verdict == .passed }, "\(results.map { "\($0.id): \($0.verdict) \($0.summary)" })")
    }

    @Test(
        "a server that reads on is warned about under the requirement it breaks", .enabled(if: ExtensionCaseTests.python != nil, "python3 is not on PATH"),
        arguments: [
            ("no-backpressure", "backpressure.unwritten", RequirementID.bufferBoundUnwritten),
            ("read-ahead-unbounded", "backpressure.unprocessed", RequirementID.bufferBoundUnprocessed),
        ])
    func readingOnIsSeen(mutant: String, caseID: String, requirement: RequirementID) throws {
        let server = try ExtensionCaseTests.python(["--mutant", mutant])
        defer { ExtensionCaseTests.kill(server) }
        let result = try #require(try Self.check(port: server.port).first { $0.id == caseID })
        #expect(result.verdict == .warning, "\(result.verdict): \(result.summary)")
        #expect(result.violations.first?.requirement == requirement, "cites \(result.violations.map(\.requirement.rawValue)): \(result.summary)")
    }
}
