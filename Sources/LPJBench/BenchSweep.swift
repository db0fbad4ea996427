import Foundation
import LPJProcess
import LPJWire

/// The fixed sweep behind `docs/benchmarks.md`: every server model and the C baseline, each through
/// the same connection × depth shapes, measured in one run so that every Swift figure can be given as
/// a ratio to the baseline measured minutes apart on the same machine.
public struct BenchSweep {
    /// One server under load: how to start it, and which baseline its figures are compared with.
    public struct Target: Sendable {
        public var name: String
        public var command: URL
        public var arguments: [String]
        /// The baseline target this one is compared with, and the shapes where a target ratio applies.
        public var baseline: String?
        public var goalShapes: [Shape]
    }

    /// Connections × depth.
    public struct Shape: Hashable, Sendable, CustomStringConvertible {
        public var connections: Int
        public var depth: Int
        public var description: String { "\(connections)×\(depth)" }

        public init(connections: Int, depth: Int) {
            self.connections = connections
            self.depth = depth
        }
    }

    public struct Row: Sendable {
        public var target: String
        public var shape: Shape
        public var result: BenchResult
    }

    public static let shapes = [Shape(connections: 1, depth: 1), Shape(connections: 1, depth: 32),
                                Shape(connections: 16, depth: 1), Shape(connections: 16, depth: 16)]
    /// The ratio each Swift model is to reach against its baseline where a goal applies.
    public static let goalRatio = 0.8
    /// The ratio `lpj bench` is to reach against the C load generator, both against the C baseline.
    public static let loadToolGoalRatio = 0.9

    public var lpj: URL
    public var baselineDirectory: URL
    public var durationSeconds = 3.0
    public var warmupSeconds = 1.0
    /// Rounds over every target; cells report the median round.
    public var repeats = 3
    public var log: (String) -> Void = { _ in }

    /// The server models swept, in the order `lpj serve --list-models` names them.
    public var models: [String]

    public init(lpj: URL, baselineDirectory: URL) {
        self.lpj = lpj
        self.baselineDirectory = baselineDirectory
        self.models = Self.listModels(lpj)
    }

    /// The names `lpj serve --list-models` prints, one a line; none when `lpj` does not run.
    public static func listModels(_ lpj: URL) -> [String] {
        let process = Process()
        process.executableURL = lpj
        process.arguments = ["serve", "--list-models"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    public var baselineServer: URL { baselineDirectory.appendingPathComponent("lpj-baseline") }
    public var baselineLoad: URL { baselineDirectory.appendingPathComponent("lpj-load") }

    /// Every target, baselines first.
    public var targets: [Target] {
        let one = [Shape(connections: 1, depth: 1)]
        let concurrent = [Shape(connections: 1, depth: 32), Shape(connections: 16, depth: 16)]
        func model(_ name: String, workers: Int? = nil, goals: [Shape], baseline: String = "c-baseline") -> Target {
            Target(name: workers.map { "\(name) (\($0) workers)" } ?? name, command: lpj,
                   arguments: ["serve", "--port", "0", "--model", name] + (workers.map { ["--workers", "\($0)"] } ?? []),
                   baseline: baseline, goalShapes: goals)
        }
        // The goals of the models named here; a model not named is swept without one.
        let goals: [String: (workers: Int?, goals: [Shape], baseline: String)] = [
            "event-loop": (nil, concurrent, "c-baseline"),
            "coroutine": (nil, concurrent, "c-baseline"),
            "prefork-event-loop": (2, [Shape(connections: 16, depth: 16)], "c-baseline (2 workers)"),
            "blocking": (nil, one, "c-baseline"),
            "threaded": (nil, one, "c-baseline"),
            "forking": (nil, one, "c-baseline"),
            "prefork": (2, one, "c-baseline (2 workers)"),
        ]
        return [
            Target(name: "c-baseline", command: baselineServer, arguments: ["--port", "0"], baseline: nil, goalShapes: []),
            Target(name: "c-baseline (2 workers)", command: baselineServer, arguments: ["--port", "0", "--workers", "2"],
                   baseline: nil, goalShapes: []),
        ] + models.map { name in
            let goal = goals[name] ?? (nil, [], "c-baseline")
            return model(name, workers: goal.workers, goals: goal.goals, baseline: goal.baseline)
        }
    }

    /// Runs every target through every shape, `repeats` times over: each round runs every target once,
    /// so slow drift of the machine touches every target alike. Rows keep every run; the document
    /// reports the median.
    public func run() throws -> [Row] {
        guard FileManager.default.isExecutableFile(atPath: baselineServer.path) else {
            throw BenchError("the C baseline is not built: \(baselineServer.path) is missing (run: make -C benchmarks/c)")
        }
        var rows: [Row] = []
        for round in 1...repeats {
            log("round \(round) of \(repeats)")
            for target in targets {
                rows += try run(target)
            }
        }
        return rows
    }

    /// The sweep's load on `port` at `shape`: ping with `{}`, the sweep's warm-up and duration.
    private func load(port: Int, shape: Shape) -> BenchConfiguration {
        var configuration = BenchConfiguration()
        configuration.port = port
        configuration.connections = shape.connections
        configuration.depth = shape.depth
        configuration.durationSeconds = durationSeconds
        configuration.warmupSeconds = warmupSeconds
        return configuration
    }

    private func run(_ target: Target) throws -> [Row] {
        var rows: [Row] = []
        for shape in Self.shapes {
            let server = try SpawnedServer(command: target.command, arguments: target.arguments)
            defer { server.stop() }
            let result = try LoadGenerator.run(load(port: server.port, shape: shape))
            log("\(target.name) \(shape): \(Int(result.requestsPerSecond)) requests/s, p99 \(BenchResult.micros(result.p99))"
                + (result.isClean ? "" : " (\(result.errors) errors, \(result.unanswered) unanswered, \(result.connectionsLost) lost)"))
            rows.append(Row(target: target.name, shape: shape, result: result))
        }
        return rows
    }

    /// `lpj bench` against the C load generator, both loading the one-process C baseline at `shape`,
    /// alternating twice so neither always runs on a warmer machine: (lpj bench, lpj-load) requests/s.
    public func compareLoadTools(shape: Shape) throws -> (swift: Double, c: Double) {
        guard FileManager.default.isExecutableFile(atPath: baselineLoad.path) else {
            throw BenchError("the C load generator is not built: \(baselineLoad.path) is missing (run: make -C benchmarks/c)")
        }
        var swift: [Double] = []
        var c: [Double] = []
        for _ in 0..<2 {
            let server = try SpawnedServer(command: baselineServer, arguments: ["--port", "0"])
            defer { server.stop() }
            swift.append(try LoadGenerator.run(load(port: server.port, shape: shape)).requestsPerSecond)
            c.append(try runCLoad(port: server.port, shape: shape))
        }
        log("load tools at \(shape): lpj bench \(swift.map { Int($0) }), lpj-load \(c.map { Int($0) }) requests/s")
        return (swift.reduce(0, +) / 2, c.reduce(0, +) / 2)
    }

    private func runCLoad(port: Int, shape: Shape) throws -> Double {
        let process = Process()
        process.executableURL = baselineLoad
        process.arguments = ["--port", "\(port)", "--connections", "\(shape.connections)", "--depth", "\(shape.depth)",
                             "--duration", "\(durationSeconds)", "--warmup", "\(warmupSeconds)", "--format", "json"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let rate = try? JSONParser.parse(Array(data)).objectValue?["requests_per_second"]?.numberValue?.doubleValue else {
            throw BenchError("lpj-load failed (status \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        return rate
    }
}
