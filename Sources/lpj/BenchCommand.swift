import ArgumentParser
import Foundation
import LPJBench
import LPJSockets
import LPJWire

/// `lpj bench`: closed-loop load with every response checked, or the whole benchmark sweep.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load an LPJ server and measure requests/s and latency, checking every response.",
        discussion: """
            With HOST:PORT, opens --connections connections and keeps --depth requests in flight on each \
            (pipelined): every response is decoded and checked (a ping must echo its params), latency is \
            recorded per request in an HDR histogram, and a progress line is printed each second. The \
            summary gives requests/s and p50/p90/p99/max; --format json prints one line of JSON.

            Without an address, runs the benchmark sweep: the baselines (benchmarks/c, benchmarks/rust, \
            benchmarks/go) and every server model through 1×1, 1×32, 16×1 and 16×16 connections × depth, \
            loaded by the C load generator, with each server's CPU per request; the load tool against the C \
            load generator, and memory per idle connection at 10,000 connections; writes \
            docs/benchmarks.md and docs/benchmarks.svg. Build in release mode first (benchmarks/sweep.sh does).

            Exit status: 0 when every response passed its check and none was lost, 1 otherwise, 2 when the \
            load could not start (refused, bad arguments).
            """
    )

    @Argument(help: "The server to load, as HOST:PORT. Omit it to run the benchmark sweep.")
    var address: String?

    @Option(help: "Connections to open.")
    var connections = 1

    @Option(help: "Requests in flight per connection (pipelined).")
    var depth = 1

    @Option(help: "Seconds to measure, after the warm-up.")
    var duration = 5.0

    @Option(help: "Seconds of load before measuring.")
    var warmup = 1.0

    @Option(help: "The method to call. A ping reply must echo the params; other replies must not be errors.")
    var method = "ping"

    @Option(help: "The params, as JSON text.")
    var params = "{}"

    @Option(name: .customLong("byte-order"), help: "Length prefix order: little or big.")
    var byteOrder: ByteOrder = .little

    @Option(help: "Output format: human or json.")
    var format: OutputFormat = .human

    @Flag(help: "No progress line.")
    var quiet = false

    @Option(help: "Sweep: the folder with lpj-baseline and lpj-load.")
    var baseline = "benchmarks/c/build"

    @Option(help: "Sweep: where to write the report (the chart goes beside it as benchmarks.svg).")
    var output = "docs/benchmarks.md"

    @Option(name: .customLong("idle-connections"), help: "Sweep: idle connections for the memory measurement (0 skips it).")
    var idleConnections = 10_000

    @Option(help: "Sweep: rounds over every server; each cell reports the median.")
    var repeats = 3

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case human, json }

    func validate() throws {
        guard connections >= 1, connections <= 50_000 else { throw ValidationError("--connections must be 1-50000") }
        guard depth >= 1, depth <= 10_000 else { throw ValidationError("--depth must be 1-10000") }
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be positive and --warmup not negative") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        guard let address else { return try runSweep() }
        guard let endpoint = HostPort(address) else {
            throw ValidationError("the address must be HOST:PORT, e.g. 127.0.0.1:8080, localhost:8080 or [::1]:8080")
        }
        var configuration = BenchConfiguration()
        configuration.host = endpoint.host
        configuration.port = endpoint.port
        configuration.connections = connections
        configuration.depth = depth
        configuration.durationSeconds = duration
        configuration.warmupSeconds = warmup
        configuration.method = method
        configuration.byteOrder = byteOrder
        do {
            configuration.params = try JSONParser.parse(params)
        } catch {
            throw ValidationError("--params is not JSON: \(error)")
        }
        let live = !quiet && format == .human
        let isTerminal = isatty(2) == 1
        let result: BenchResult
        do {
            result = try LoadGenerator.run(configuration, progress: live ? Self.progressPrinter(overwriting: isTerminal) : nil)
        } catch {
            printToStandardError("lpj bench: \(error)")
            throw ExitCode(2)
        }
        if live, isTerminal { printToStandardError("\r\u{1B}[K", newline: false) }
        print(format == .json ? result.json : result.summary)
        if !result.isClean { throw ExitCode(1) }
    }

    /// Prints each progress line over the last on a terminal, or one per line elsewhere.
    static func progressPrinter(overwriting: Bool) -> @Sendable (BenchProgress) -> Void {
        { progress in
            if overwriting {
                printToStandardError("\r\u{1B}[K" + progress.line, newline: false)
            } else {
                printToStandardError(progress.line)
            }
        }
    }

    /// A baseline the sweep includes when it is built (benchmarks/sweep.sh builds them all).
    static func builtBaseline(_ path: String) -> URL? {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            printToStandardError("lpj bench: \(path) is not built; the sweep leaves it out (benchmarks/sweep.sh builds it)")
            return nil
        }
        return URL(fileURLWithPath: path)
    }

    private func runSweep() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var sweep = BenchSweep(lpj: executable, baselineDirectory: URL(fileURLWithPath: baseline))
        sweep.durationSeconds = duration
        sweep.warmupSeconds = warmup
        sweep.repeats = repeats
        sweep.tokioServer = Self.builtBaseline("benchmarks/rust/target/release/lpj-tokio-baseline")
        sweep.goServer = Self.builtBaseline("benchmarks/go/build/lpj-go-baseline")
        sweep.log = { line in printToStandardError("lpj bench: \(line)") }
        let rows = try sweep.run()
        let shape = BenchSweep.Shape(connections: 16, depth: 16)
        let tools = try sweep.compareLoadTools(shape: shape)
        var memory: [IdleMemory.Measurement] = []
        if idleConnections > 0 {
            var servers: [(String, URL, [String])] = [
                ("event-loop", executable, ["serve", "--port", "0", "--model", "event-loop"]),
                ("coroutine", executable, ["serve", "--port", "0", "--model", "coroutine"]),
                ("c-baseline", sweep.baselineServer, ["--port", "0"]),
            ]
            if let tokio = sweep.tokioServer { servers.append(("tokio (1 thread)", tokio, ["--port", "0", "--threads", "1"])) }
            if let go = sweep.goServer { servers.append(("go", go, ["--port", "0"])) }
            for (name, command, arguments) in servers {
                let measurement = try IdleMemory.measure(name: name, command: command, arguments: arguments, count: idleConnections)
                printToStandardError("lpj bench: \(name): \(Int(measurement.bytesPerConnection)) octets per idle connection at \(idleConnections)")
                memory.append(measurement)
            }
        }
        var command = "benchmarks/sweep.sh"
        if duration != 5.0 { command += " --duration \(BenchResult.fixed(duration, 0))" }
        if repeats != 3 { command += " --repeats \(repeats)" }
        let document = BenchmarkDocument(
            sweep: sweep, rows: rows, loadTools: (shape, tools.swift, tools.c),
            idleMemory: memory, command: command)
        try document.markdown.write(toFile: output, atomically: true, encoding: .utf8)
        let chart = URL(fileURLWithPath: output).deletingLastPathComponent().appendingPathComponent("benchmarks.svg")
        try document.svg.write(to: chart, atomically: true, encoding: .utf8)
        print("lpj bench: wrote \(output) and \(chart.path)")
        for goal in document.goals where !goal.met {
            print("lpj bench: goal missed: \(goal.description)")
        }
    }
}
