import Foundation

/// `docs/benchmarks.md` and its chart, from one sweep.
public struct BenchmarkDocument {
    public var sweep: BenchSweep
    public var rows: [BenchSweep.Row]
    public var loadTools: (shape: BenchSweep.Shape, swift: Double, c: Double)?
    public var idleMemory: [IdleMemory.Measurement]
    public var command: String

    public init(
        sweep: BenchSweep, rows: [BenchSweep.Row], loadTools: (shape: BenchSweep.Shape, swift: Double, c: Double)?,
        idleMemory: [IdleMemory.Measurement], command: String
    ) {
        self.sweep = sweep
        self.rows = rows
        self.loadTools = loadTools
        self.idleMemory = idleMemory
        self.command = command
    }

    /// The median run of `target` at `shape`, by requests/s.
    func median(_ target: String, _ shape: BenchSweep.Shape) -> BenchResult? {
        let runs = rows.filter { $0.target == target && $0.shape == shape }.map(\.result).sorted { $0.requestsPerSecond < $1.requestsPerSecond }
        return runs.isEmpty ? nil : runs[runs.count / 2]
    }

    func rate(_ target: String, _ shape: BenchSweep.Shape) -> Double? {
        median(target, shape)?.requestsPerSecond
    }

    /// The smallest and largest requests/s of `target` at `shape` over the rounds.
    func spread(_ target: String, _ shape: BenchSweep.Shape) -> (Double, Double)? {
        let rates = rows.filter { $0.target == target && $0.shape == shape }.map(\.result.requestsPerSecond)
        guard let low = rates.min(), let high = rates.max() else { return nil }
        return (low, high)
    }

    /// The median server CPU µs per request of `target` at `shape` over the rounds.
    func cpu(_ target: String, _ shape: BenchSweep.Shape) -> Double? {
        let values = rows.filter { $0.target == target && $0.shape == shape }.compactMap(\.serverMicrosPerRequest).sorted()
        return values.isEmpty ? nil : values[values.count / 2]
    }

    /// The median share of a core the load generator used against `target` at `shape`.
    func generatorShare(_ target: String, _ shape: BenchSweep.Shape) -> Double? {
        let values = rows.filter { $0.target == target && $0.shape == shape }.map(\.generatorShare).sorted()
        return values.isEmpty ? nil : values[values.count / 2]
    }

    public struct GoalResult {
        public var target: String
        public var goal: BenchSweep.Goal
        public var ratio: Double
        public var met: Bool
        public var description: String {
            let measure = goal.measure == .throughput ? "requests/s ≥" : "CPU per request ≤"
            return "\(target) at \(goal.shape): \(measure) \(BenchResult.fixed(goal.ratio, 1))× \(goal.against), is \(BenchResult.fixed(ratio, 2))×"
        }
    }

    /// Each goal of each target with its ratio in this run.
    public var goals: [GoalResult] {
        sweep.targets.flatMap { target in
            target.goals.compactMap { goal -> GoalResult? in
                switch goal.measure {
                case .throughput:
                    guard let mine = rate(target.name, goal.shape), let theirs = rate(goal.against, goal.shape), theirs > 0 else { return nil }
                    return GoalResult(target: target.name, goal: goal, ratio: mine / theirs, met: mine / theirs >= goal.ratio)
                case .cpuPerRequest:
                    guard let mine = cpu(target.name, goal.shape), let theirs = cpu(goal.against, goal.shape), theirs > 0 else { return nil }
                    return GoalResult(target: target.name, goal: goal, ratio: mine / theirs, met: mine / theirs <= goal.ratio)
                }
            }
        }
    }

    public var markdown: String {
        var lines: [String] = []
        lines.append("# Benchmarks")
        lines.append("")
        lines.append("<!-- Written by `\(command)`; do not edit by hand. -->")
        lines.append("")
        lines.append(
            "Every server model of the reference server and three baselines were loaded by the C load generator `benchmarks/c/lpj-load` with `ping` and params `{}` in one run on one machine, load generator and server sharing its cores. The baselines are what implementers pick: `c-baseline` (`benchmarks/c`: epoll, jansson), `tokio` (`benchmarks/rust`: tokio + serde_json, one or two runtime threads) and `go` (`benchmarks/go`: the standard library, a goroutine per connection); each parses and validates every request and serializes every response, and writes the responses to one read in one write. Each cell is the median of \(sweep.repeats) runs of \(BenchResult.fixed(sweep.durationSeconds, 0)) s after \(BenchResult.fixed(sweep.warmupSeconds, 0)) s of warm-up, one run per round over every server, so that drift of the machine touches every server alike; every response was checked. Ratios compare servers measured in the same run, because absolute figures drift on shared machines."
        )
        lines.append("")
        lines.append(
            "Requests/s on a machine with few cores measure the generator and the machine's other load as much as the server. **Server CPU per request** (user + system time of all the server's processes and threads from /proc over the measured seconds, divided by the responses) depends on neither, and is the figure the goals are set on where the generator can be the limit."
        )
        lines.append("")
        lines.append("- Machine: \(Self.machine)")
        lines.append("- Date: \(ISO8601DateFormatter().string(from: Date()))")
        lines.append("- Command: `\(command)`")
        lines.append("")
        lines.append("![Requests per second by model and shape](benchmarks.svg)")
        lines.append("")
        lines.append("## Requests per second (p99 latency), by connections × depth")
        lines.append("")
        lines += shapeTable { target, shape in
            guard let result = median(target.name, shape) else { return "–" }
            var cell = "\(Int(result.requestsPerSecond.rounded())) (\(BenchResult.micros(result.p99)))"
            if let baseline = target.baseline, let theirs = rate(baseline, shape), theirs > 0 {
                cell += " ×\(BenchResult.fixed(result.requestsPerSecond / theirs, 2))"
            }
            if !result.isClean {
                cell += " ⚠ \(result.errors + result.unanswered + result.connectionsLost) errors"
            }
            return cell
        }
        lines.append("")
        lines.append(
            "×N is the ratio to `c-baseline` (to `c-baseline (2 workers)` for the prefork models). ⚠ marks a cell whose run was not clean (`lpj-load` counts wrong replies, requests cut off and requests left unanswered as errors): a blocking server serves one connection at a time, so at 16 connections the other 15 wait and their requests end the run unanswered."
        )
        lines.append("")
        lines.append("## Server CPU per request (µs), and the load generator's share of a core")
        lines.append("")
        lines += shapeTable { target, shape in
            guard let micros = cpu(target.name, shape), let share = generatorShare(target.name, shape) else { return "–" }
            let bound = share >= BenchSweep.generatorBoundShare ? " ⚑" : ""
            return "\(BenchResult.fixed(micros, 2)) (gen \(Int((share * 100).rounded())) %\(bound))"
        }
        lines.append("")
        lines.append(
            "The generator's share is its own user + system time over its whole run (warm-up included) divided by that run's length; ⚑ marks a cell where it used \(Int(BenchSweep.generatorBoundShare * 100)) % of a core or more, so that the generator, not the server, set the pace of that cell's requests/s."
        )
        lines.append("")
        lines.append("## Spread over the rounds (lowest – highest requests/s)")
        lines.append("")
        lines += shapeTable { target, shape in
            spread(target.name, shape).map { "\(Int($0.0)) – \(Int($0.1))" } ?? "–"
        }
        lines.append("")
        lines.append("## Goals")
        lines.append("")
        lines.append("| server | shape | measure | against | ratio | goal | met |")
        lines.append("|---|---|---|---|---:|---:|---|")
        for result in goals {
            let (measure, bound) = result.goal.measure == .throughput ? ("requests/s", "≥") : ("CPU µs per request", "≤")
            lines.append(
                "| \(result.target) | \(result.goal.shape) | \(measure) | \(result.goal.against) | \(BenchResult.fixed(result.ratio, 2)) | \(bound) \(BenchResult.fixed(result.goal.ratio, 1)) | \(result.met ? "yes" : "**no**") |"
            )
        }
        for measurement in idleMemory where measurement.server == "event-loop" || measurement.server == "coroutine" {
            let met = measurement.bytesPerConnection <= BenchSweep.idleMemoryGoal
            lines.append(
                "| \(measurement.server) | \(measurement.connections) idle | resident octets per connection | – | \(Int(measurement.bytesPerConnection.rounded())) | ≤ \(Int(BenchSweep.idleMemoryGoal)) | \(met ? "yes" : "**no**") |"
            )
        }
        if let loadTools {
            let ratio = loadTools.c > 0 ? loadTools.swift / loadTools.c : 0
            lines.append(
                "| lpj bench, loading c-baseline | \(loadTools.shape) | requests/s | lpj-load (C) | \(BenchResult.fixed(ratio, 2)) | ≥ \(BenchResult.fixed(BenchSweep.loadToolGoalRatio, 1)) | \(ratio >= BenchSweep.loadToolGoalRatio ? "yes" : "**no**") |"
            )
            lines.append("")
            lines.append(
                "The last row loads the one-process C baseline at \(loadTools.shape) with `lpj bench` and with the C load generator `benchmarks/c/lpj-load` (the same closed loop, jansson checking every response), alternating twice: \(Int(loadTools.swift)) against \(Int(loadTools.c)) requests/s on average."
            )
        }
        if !idleMemory.isEmpty {
            lines.append("")
            lines.append("## Memory per idle connection")
            lines.append("")
            lines.append("| server | connections | resident before | resident after | per connection | descriptors after |")
            lines.append("|---|---:|---:|---:|---:|---:|")
            for measurement in idleMemory {
                lines.append(
                    "| \(measurement.server) | \(measurement.connections) | \(Self.mebibytes(measurement.residentBefore)) | \(Self.mebibytes(measurement.residentAfter)) | \(Int(measurement.bytesPerConnection.rounded())) B | \(measurement.descriptorsAfter) |"
                )
            }
            lines.append("")
            lines.append(
                "VmRSS of the server process from /proc before and after the connections were opened and left idle (a ping on the first and last proves they were all accepted)."
            )
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// A Markdown table with a row per server and a column per shape.
    func shapeTable(_ cell: (BenchSweep.Target, BenchSweep.Shape) -> String) -> [String] {
        var lines = [
            "| server | " + BenchSweep.shapes.map { "\($0)" }.joined(separator: " | ") + " |",
            "|---|" + BenchSweep.shapes.map { _ in "---:" }.joined(separator: "|") + "|",
        ]
        for target in sweep.targets {
            lines.append("| \(target.name) | " + BenchSweep.shapes.map { cell(target, $0) }.joined(separator: " | ") + " |")
        }
        return lines
    }

    static func mebibytes(_ bytes: Int) -> String { "\(BenchResult.fixed(Double(bytes) / 1_048_576, 1)) MiB" }

    static var machine: String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(ProcessInfo.processInfo.activeProcessorCount) × \(cpu), Linux \(release) \(machine)"
    }

    /// A grouped bar chart: one group per shape, one bar per server.
    public var svg: String {
        let width = 960.0
        let height = 420.0
        let left = 70.0
        let bottom = 90.0
        let top = 30.0
        let plotHeight = height - bottom - top
        let names = sweep.targets.map(\.name)
        let peak = max(rows.map(\.result.requestsPerSecond).max() ?? 1, 1)
        let scale = Self.niceCeiling(peak)
        let groupWidth = (width - left - 20) / Double(BenchSweep.shapes.count)
        let barWidth = (groupWidth - 20) / Double(names.count)
        let colors = ["#444444", "#888888", "#b5651d", "#d2a679", "#17becf", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
        var parts: [String] = []
        parts.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">")
        parts.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        parts.append("<text x=\"\(Int(left))\" y=\"18\" font-size=\"14\">Requests per second by server and connections × depth (lpj-load, ping)</text>")
        for step in 0...4 {
            let value = scale * Double(step) / 4
            let y = top + plotHeight * (1 - Double(step) / 4)
            parts.append("<line x1=\"\(Int(left))\" y1=\"\(Self.fixed(y))\" x2=\"\(Int(width - 10))\" y2=\"\(Self.fixed(y))\" stroke=\"#dddddd\"/>")
            parts.append("<text x=\"\(Int(left - 6))\" y=\"\(Self.fixed(y + 4))\" text-anchor=\"end\">\(Int(value / 1000))k</text>")
        }
        for (groupIndex, shape) in BenchSweep.shapes.enumerated() {
            let groupX = left + Double(groupIndex) * groupWidth + 10
            for (index, name) in names.enumerated() {
                let value = rate(name, shape) ?? 0
                let barHeight = plotHeight * value / scale
                let x = groupX + Double(index) * barWidth
                parts.append(
                    "<rect x=\"\(Self.fixed(x))\" y=\"\(Self.fixed(top + plotHeight - barHeight))\" width=\"\(Self.fixed(barWidth - 2))\" height=\"\(Self.fixed(barHeight))\" fill=\"\(colors[index % colors.count])\"><title>\(name) \(shape): \(Int(value)) requests/s</title></rect>"
                )
            }
            parts.append(
                "<text x=\"\(Self.fixed(groupX + groupWidth / 2 - 10))\" y=\"\(Self.fixed(top + plotHeight + 16))\" text-anchor=\"middle\">\(shape)</text>")
        }
        for (index, name) in names.enumerated() {
            let x = left + Double(index % 5) * 175
            let y = height - 44 + Double(index / 5) * 18
            parts.append("<rect x=\"\(Self.fixed(x))\" y=\"\(Self.fixed(y - 10))\" width=\"12\" height=\"12\" fill=\"\(colors[index % colors.count])\"/>")
            parts.append("<text x=\"\(Self.fixed(x + 16))\" y=\"\(Self.fixed(y))\">\(name)</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    static func fixed(_ value: Double) -> String { BenchResult.fixed(value, 1) }

    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }
}
