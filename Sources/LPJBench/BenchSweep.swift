import Foundation
import LPJProcess
import LPJWire

/// The fixed sweep behind `docs/benchmarks.md`: every server model and the baselines (C epoll + jansson,
/// Rust tokio + serde_json, Go), each through the same connection × depth shapes, loaded by the C load
/// generator and measured in one run, so that every Swift figure can be given as a ratio to a baseline
/// measured minutes apart on the same machine. Besides requests/s and latency each cell records the
/// server's CPU per request, which depends neither on the generator nor on a busy machine.
public struct BenchSweep {
    /// One server under load: how to start it, and the goals it is held to.
    public struct Target: Sendable {
        public var name: String
        public var command: URL
        public var arguments: [String]
        /// The baseline whose requests/s the ×N of this target's cells is a ratio to.
        public var baseline: String?
        public var goals: [Goal] = []
    }

    /// A ratio this target is to reach against another target in the same run, at one shape.
    public struct Goal: Sendable {
        public enum Measure: Sendable {
            /// Requests/s at least `ratio` times the other's.
            case throughput
            /// Server CPU µs per request at most `ratio` times the other's.
            case cpuPerRequest
        }
        public var measure: Measure
        public var shape: Shape
        public var against: String
        public var ratio: Double
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
        /// User + system CPU seconds of the server (all its processes and threads) over the measured
        /// seconds, and of the load generator over its whole run (warm-up included) with that run's length.
        public var serverCPUSeconds: Double
        public var generatorCPUSeconds: Double
        public var generatorWallSeconds: Double

        /// Server CPU per checked response, in microseconds.
        public var serverMicrosPerRequest: Double? {
            result.responses > 0 ? serverCPUSeconds * 1_000_000 / Double(result.responses) : nil
        }
        /// The share of one core the load generator used: near 1 it, not the server, set the pace.
        public var generatorShare: Double { generatorWallSeconds > 0 ? generatorCPUSeconds / generatorWallSeconds : 0 }
        public var isGeneratorBound: Bool { generatorShare >= BenchSweep.generatorBoundShare }
    }

    public static let shapes = [
        Shape(connections: 1, depth: 1), Shape(connections: 1, depth: 32),
        Shape(connections: 16, depth: 1), Shape(connections: 16, depth: 16),
    ]
    /// A load generator using this share of a core or more is the limit of its cell.
    public static let generatorBoundShare = 0.9
    /// The most resident memory an idle connection may cost the event-loop models, in octets.
    public static let idleMemoryGoal = 1024.0
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

    /// The Rust (tokio + serde_json) and Go baselines: benchmarks/rust and benchmarks/go, built by sweep.sh.
    public var tokioServer: URL?
    public var goServer: URL?

    public var baselineServer: URL { baselineDirectory.appendingPathComponent("lpj-baseline") }
    public var baselineLoad: URL { baselineDirectory.appendingPathComponent("lpj-load") }

    /// Every target, baselines first. Goals compare in one run: CPU per request of the event-loop models
    /// with tokio on one thread, prefork-event-loop's requests/s with tokio on two, and the blocking
    /// family's with the C baseline at 1×32.
    public var targets: [Target] {
        let tokio = "tokio (1 thread)"
        let tokio2 = "tokio (2 threads)"
        let cpuGoals = [
            (Shape(connections: 1, depth: 1), 1.2), (Shape(connections: 1, depth: 32), 1.5),
            (Shape(connections: 16, depth: 1), 1.2), (Shape(connections: 16, depth: 16), 1.5),
        ]
        .map { Goal(measure: .cpuPerRequest, shape: $0.0, against: tokio, ratio: $0.1) }
        let atDepth = [Goal(measure: .throughput, shape: Shape(connections: 1, depth: 32), against: "c-baseline", ratio: 0.8)]
        func model(_ name: String, workers: Int? = nil, goals: [Goal], baseline: String = "c-baseline") -> Target {
            Target(
                name: workers.map { "\(name) (\($0) workers)" } ?? name, command: lpj,
                arguments: ["serve", "--port", "0", "--model", name] + (workers.map { ["--workers", "\($0)"] } ?? []),
                baseline: baseline, goals: goals)
        }
        // The goals of the models named here; a model not named is swept without one.
        let models: [String: (workers: Int?, goals: [Goal], baseline: String)] = [
            "event-loop": (nil, tokioServer == nil ? [] : cpuGoals, "c-baseline"),
            "coroutine": (nil, tokioServer == nil ? [] : cpuGoals, "c-baseline"),
            "prefork-event-loop": (
                2,
                tokioServer == nil
                    ? []
                    : [
                        Goal(measure: .throughput, shape: Shape(connections: 16, depth: 16), against: tokio2, ratio: 0.8)
                    ], "c-baseline (2 workers)"
            ),
            "blocking": (nil, atDepth, "c-baseline"),
            "threaded": (nil, atDepth, "c-baseline"),
            "forking": (nil, [], "c-baseline"),
            "prefork": (2, [], "c-baseline (2 workers)"),
        ]
        var baselines = [
            Target(name: "c-baseline", command: baselineServer, arguments: ["--port", "0"], baseline: nil),
            Target(name: "c-baseline (2 workers)", command: baselineServer, arguments: ["--port", "0", "--workers", "2"], baseline: nil),
        ]
        if let tokioServer {
            baselines.append(Target(name: tokio, command: tokioServer, arguments: ["--port", "0", "--threads", "1"], baseline: "c-baseline"))
            baselines.append(Target(name: tokio2, command: tokioServer, arguments: ["--port", "0", "--threads", "2"], baseline: "c-baseline"))
        }
        if let goServer {
            baselines.append(Target(name: "go", command: goServer, arguments: ["--port", "0"], baseline: "c-baseline"))
        }
        return baselines
            + self.models.map { name in
                let goal = models[name] ?? (nil, [], "c-baseline")
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

    /// Each shape against a fresh server, loaded by the C load generator: its figures, the server's CPU
    /// over the measured seconds (read from /proc when the warm-up ends and after the generator exits),
    /// and the generator's own CPU.
    private func run(_ target: Target) throws -> [Row] {
        var rows: [Row] = []
        for shape in Self.shapes {
            let server = try SpawnedServer(command: target.command, arguments: target.arguments)
            defer { server.stop() }
            let started = Date()
            let generatorBefore = Self.childrenCPUSeconds()
            var serverBefore = 0.0
            let result = try runCLoad(port: server.port, shape: shape) {
                usleep(UInt32(warmupSeconds * 1_000_000))
                serverBefore = ProcessTree.cpuSeconds(server.pid)
            }
            let row = Row(
                target: target.name, shape: shape, result: result,
                serverCPUSeconds: ProcessTree.cpuSeconds(server.pid) - serverBefore,
                generatorCPUSeconds: Self.childrenCPUSeconds() - generatorBefore,
                generatorWallSeconds: Date().timeIntervalSince(started))
            log(
                "\(target.name) \(shape): \(Int(result.requestsPerSecond)) requests/s, p99 \(BenchResult.micros(result.p99)), "
                    + "server \(BenchResult.fixed(row.serverMicrosPerRequest ?? 0, 2)) µs CPU per request, generator \(Int(row.generatorShare * 100)) % of a core"
                    + (result.isClean ? "" : " (\(result.errors) errors)"))
            rows.append(row)
        }
        return rows
    }

    /// User + system CPU seconds of this process's waited-for children: around one load generator run,
    /// the generator's own (the server of the cell is still running, and is not counted).
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
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
            c.append(try runCLoad(port: server.port, shape: shape).requestsPerSecond)
        }
        log("load tools at \(shape): lpj bench \(swift.map { Int($0) }), lpj-load \(c.map { Int($0) }) requests/s")
        return (swift.reduce(0, +) / 2, c.reduce(0, +) / 2)
    }

    /// One run of `lpj-load` (JSON output) against `port` at `shape`; `whileRunning` is called once it
    /// has started. The figures as a `BenchResult`: its errors count wrong replies, requests cut off by
    /// a closed connection and requests left unanswered alike.
    private func runCLoad(port: Int, shape: Shape, whileRunning: () -> Void = {}) throws -> BenchResult {
        guard FileManager.default.isExecutableFile(atPath: baselineLoad.path) else {
            throw BenchError("the C load generator is not built: \(baselineLoad.path) is missing (run: make -C benchmarks/c)")
        }
        let process = Process()
        process.executableURL = baselineLoad
        process.arguments = [
            "--port", "\(port)", "--connections", "\(shape.connections)", "--depth", "\(shape.depth)",
            "--duration", "\(durationSeconds)", "--warmup", "\(warmupSeconds)", "--format", "json",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        whileRunning()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let line = try? JSONParser.parse(Array(data)).objectValue,
            let seconds = line["seconds"]?.numberValue?.doubleValue,
            let requests = line["requests"]?.numberValue?.doubleValue,
            let errors = line["errors"]?.numberValue?.doubleValue,
            let latency = line["latency_us"]?.objectValue,
            let p50 = latency["p50"]?.numberValue?.doubleValue, let p90 = latency["p90"]?.numberValue?.doubleValue,
            let p99 = latency["p99"]?.numberValue?.doubleValue, let max = latency["max"]?.numberValue?.doubleValue
        else {
            throw BenchError("lpj-load failed (status \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        return BenchResult(
            configuration: load(port: port, shape: shape), seconds: seconds, responses: Int(requests),
            errors: Int(errors), unanswered: 0, connectionsLost: 0,
            problems: process.terminationStatus == 0 ? [] : ["lpj-load exit status \(process.terminationStatus)"],
            p50: p50, p90: p90, p99: p99, max: max)
    }
}
