import Foundation
import LPJBench
import LPJProcess
import LPJWire
import Testing

/// `lpj bench` counts only what it checked: these runs are short and assert correctness, never speed.
@Suite("LoadGenerator", .serialized)
struct LoadGeneratorTests {
    /// The `lpj` executable beside the test bundle.
    static let lpj = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")

    static func run(against arguments: [String], _ adjust: (inout BenchConfiguration) -> Void = { _ in }) throws -> BenchResult {
        let server = try SpawnedServer(executable: lpj, arguments: arguments)
        defer { server.stop() }
        var configuration = BenchConfiguration()
        configuration.port = server.port
        configuration.connections = 4
        configuration.depth = 8
        configuration.durationSeconds = 0.5
        configuration.warmupSeconds = 0.2
        adjust(&configuration)
        return try LoadGenerator.run(configuration)
    }

    @Test("a conforming server: every response checked and counted, latency recorded, nothing lost")
    func clean() throws {
        let result = try Self.run(against: ["--model", "event-loop"]) { $0.params = ["deep": [1, "é", ["x": .null]]] }
        #expect(result.isClean, "\(result.summary)")
        #expect(result.responses > 100)
        #expect(result.p50 > 0 && result.p50 <= result.p99 && result.p99 <= result.max)
        #expect(result.json.hasPrefix("{\"tool\":\"lpj bench\""))
        #expect(try JSONParser.parse(result.json).objectValue?["errors"]?.numberValue?.doubleValue == 0)
    }

    @Test("another method's replies pass when they are not errors, whatever their result")
    func otherMethods() throws {
        let result = try Self.run(against: ["--model", "coroutine"]) {
            $0.method = "lpj.describe"
            $0.params = .null
        }
        #expect(result.isClean, "\(result.summary)")
        #expect(result.responses > 0 && result.errors == 0)
    }

    @Test(
        "wrong answers are errors, not throughput",
        arguments: [
            (["--model", "event-loop", "--fault", "nan-output"], "ping", JSONValue.object(["n": .number(JSONNumber("1.5")!)])),
            (["--model", "event-loop"], "no-such-method", JSONValue.null),
        ])
    func wrongAnswers(server: [String], method: String, params: JSONValue) throws {
        let result = try Self.run(against: server) {
            $0.method = method
            $0.params = params
        }
        #expect(!result.isClean)
        #expect(result.errors > 0 && result.errors == result.responses, "\(result.summary)")
        #expect(result.requestsPerSecond == 0)
        #expect(!result.problems.isEmpty)
    }

    @Test("a refused address is an error that says so")
    func refused() throws {
        var configuration = BenchConfiguration()
        configuration.port = 1
        #expect { try LoadGenerator.run(configuration) } throws: { error in
            "\(error)".contains("refused")
        }
    }
}
