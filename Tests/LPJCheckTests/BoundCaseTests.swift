import Foundation
import LPJProcess
import LPJServer
import LPJWire
import Testing

@testable import LPJCheck

/// The time-bound and default cases (`bounds.*`, `defaults.*`): statements judged as stated, defaults
/// judged only under `--defaults`, and a stated slow-sender bound held to the wire.
@Suite("Time bounds and defaults", .serialized)
struct BoundCaseTests {
    /// A target whose `lpj.describe` result is `description`, at an address nothing is asked on.
    static func target(_ description: JSONValue, runsDefaults: Bool = false) -> CheckTarget {
        var target = CheckTarget(host: "127.0.0.1", port: 9)
        target.description = description
        if let limit = description.objectValue?["maxBody"]?.numberValue?.int64Value {
            target.maxBody = Int(limit)
            target.maxBodyIsStated = true
        }
        target.runsDefaults = runsDefaults
        return target
    }

    static func run(_ id: String, _ target: CheckTarget) throws -> CaseOutcome {
        let checkCase = try #require((CaseCatalog.boundCases + CaseCatalog.defaultCases).first { $0.id == id })
        return try CaseDeadline.run(milliseconds: checkCase.budgetMilliseconds(target)) { try checkCase.run(CheckContext(target: target)) }
    }

    @Test("a stated bound that breaks a rule is that rule's violation, at its level")
    func statements() throws {
        let legal = try Self.run("bounds.statements", Self.target(["idleTimeoutMs": .null, "slowSenderMs": 10_000, "slowReaderMs": 10_000]))
        #expect(legal.verdict == .passed, "\(legal.summary)")

        let short = try Self.run("bounds.statements", Self.target(["idleTimeoutMs": 500, "slowSenderMs": 1_999, "slowReaderMs": 2_000]))
        #expect(Set(short.violations.map(\.requirement)) == [.idleMinimum, .slowSenderMinimum, .slowReaderMinimum])
        #expect(short.verdict == .failed)

        let none = try Self.run("bounds.statements", Self.target(["slowSenderMs": .null, "slowReaderMs": .null]))
        #expect(Set(none.violations.map(\.requirement)) == [.slowSenderBound, .slowReaderBound])
        #expect(none.verdict == .warning)

        let wrongType = try Self.run("bounds.statements", Self.target(["slowSenderMs": "30s"]))
        #expect(wrongType.violations.map(\.requirement) == [.describeStatedChoices])
    }

    @Test("a stated bound over --max-wait is not run, and says which --max-wait runs it")
    func overMaxWait() throws {
        let outcome = try Self.run("bounds.slow-sender", Self.target(["slowSenderMs": 30_000]))
        #expect(outcome.verdict == .notRun)
        #expect(outcome.summary.contains("--max-wait 30"))
    }

    @Test("recommended defaults are judged only under --defaults, from what the server states")
    func defaults() throws {
        let stated: JSONValue = ["byteOrder": "big", "maxBody": 524_288, "idleTimeoutMs": 5_000, "slowSenderMs": 5_000]
        let expected: [String: RequirementID] = [
            "defaults.byte-order": .littleDefault, "defaults.max-body": .maxSizeDefault,
            "defaults.idle-timeout": .idleDefault, "defaults.slow-sender": .slowSenderDefault,
        ]
        for (id, requirement) in expected {
            let configured = try Self.run(id, Self.target(stated))
            #expect(configured.verdict == .skipped && configured.summary.contains("--defaults"), "\(id): \(configured.summary)")
            let unconfigured = try Self.run(id, Self.target(stated, runsDefaults: true))
            #expect(unconfigured.violations.map(\.requirement) == [requirement], "\(id): \(unconfigured.summary)")
        }
        let recommended: JSONValue = ["byteOrder": "little", "maxBody": 1_048_576, "idleTimeoutMs": .null, "slowSenderMs": 10_000]
        for id in expected.keys {
            let outcome = try Self.run(id, Self.target(recommended, runsDefaults: true))
            #expect(outcome.verdict == .passed, "\(id): \(outcome.summary)")
        }
    }

    /// The reference server with `arguments`, probed, its statement of `slowSenderMs` replaced by `stated`.
    static func referenceTarget(_ arguments: [String], statingSlowSender stated: Int) throws -> (SpawnedServer, CheckTarget) {
        let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")
        let server = try SpawnedServer(executable: lpj, arguments: arguments)
        let probe = ServerProbe.run(host: "127.0.0.1", port: server.port, pinned: .little, timeoutMilliseconds: 1_000)
        var target = try #require(probe.target(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 1_000))
        var description = try #require(target.description?.objectValue)
        description.members.removeAll { $0.name == "slowSenderMs" }
        description.members.append(.init("slowSenderMs", .number(JSONNumber(stated))))
        target.description = .object(description)
        return (server, target)
    }

    /// The blocking model finishes the sleep before it reads the cut frame; the event-loop models read the
    /// cut frame during the sleep, and must finish the sleep before closing under the bound.
    @Test(
        "a slow-sender bound applied as stated passes; one stated but never applied is seen",
        arguments: [ServerModel.blocking, .eventLoop, .coroutine])
    func slowSender(model: ServerModel) throws {
        let (bounded, boundedTarget) = try Self.referenceTarget(["--model", model.rawValue, "--partial-frame-timeout", "2000"], statingSlowSender: 2_000)
        defer { bounded.stop() }
        let applied = try Self.run("bounds.slow-sender", boundedTarget)
        #expect(applied.verdict == .passed, "\(applied.summary)")

        let (unbounded, unboundedTarget) = try Self.referenceTarget(["--model", model.rawValue, "--partial-frame-timeout", "0"], statingSlowSender: 2_000)
        defer { unbounded.stop() }
        let ignored = try Self.run("bounds.slow-sender", unboundedTarget)
        #expect(Set(ignored.violations.map(\.requirement)) == [.slowSenderBound, .describeStatedChoices], "\(ignored.summary)")
    }

    /// The Python server with `arguments`, probed; `slowReaderMs` stated as `stated` when given.
    static func pythonTarget(_ arguments: [String], statingSlowReader stated: Int? = nil) throws -> (SpawnedServer, CheckTarget) {
        let server = try ExtensionCaseTests.python(arguments)
        let probe = ServerProbe.run(host: "127.0.0.1", port: server.port, pinned: .little, timeoutMilliseconds: 1_000)
        var target = try #require(probe.target(host: "127.0.0.1", port: server.port, timeoutMilliseconds: 1_000))
        if let stated, var description = target.description?.objectValue {
            description.members.removeAll { $0.name == "slowReaderMs" }
            description.members.append(.init("slowReaderMs", .number(JSONNumber(stated))))
            target.description = .object(description)
        }
        return (server, target)
    }

    @Test("a reader stalled under 10 s is cut off: seen without a statement; a stated bound never applied is seen")
    func slowReader() throws {
        guard ExtensionCaseTests.python != nil else { return }
        let (early, earlyTarget) = try Self.pythonTarget(["--mutant", "slow-reader-2s", "--no-describe"])
        defer { ExtensionCaseTests.kill(early) }
        let cut = try Self.run("bounds.slow-reader", earlyTarget)
        #expect(cut.violations.map(\.requirement) == [.slowReaderMinimum], "\(cut.summary)")

        let (unbounded, unboundedTarget) = try Self.pythonTarget(["--mutant", "no-slow-reader-bound"], statingSlowReader: 2_000)
        defer { ExtensionCaseTests.kill(unbounded) }
        let ignored = try Self.run("bounds.slow-reader", unboundedTarget)
        #expect(Set(ignored.violations.map(\.requirement)) == [.slowReaderBound, .describeStatedChoices], "\(ignored.summary)")
    }
}
