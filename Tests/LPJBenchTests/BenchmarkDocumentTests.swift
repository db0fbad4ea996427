import Foundation
import Testing

@testable import LPJBench

/// The report the sweep writes: medians, ratios to the right baseline, CPU per request, generator-bound
/// cells, goals met or missed.
@Suite("BenchmarkDocument")
struct BenchmarkDocumentTests {
    static func result(_ rate: Double, unanswered: Int = 0) -> BenchResult {
        BenchResult(
            configuration: BenchConfiguration(), seconds: 1, responses: Int(rate), errors: 0, unanswered: unanswered,
            connectionsLost: 0, problems: [], p50: 100, p90: 200, p99: 300, max: 400)
    }

    static var sweep: BenchSweep {
        var sweep = BenchSweep(lpj: URL(fileURLWithPath: "/lpj"), baselineDirectory: URL(fileURLWithPath: "/c"))
        sweep.models = ["event-loop", "coroutine", "prefork-event-loop", "blocking", "threaded", "forking", "prefork"]
        sweep.tokioServer = URL(fileURLWithPath: "/tokio")
        return sweep
    }
    static let wide = BenchSweep.Shape(connections: 16, depth: 16)

    /// Rows of `target` at `shape`, one per rate; `cpu` is server CPU seconds per run (1 s runs, so
    /// µs per request = cpu × 1e6 / rate), `generator` the generator's CPU seconds in 2 s of wall time.
    static func rows(
        _ target: String, _ rates: [Double], cpu: Double = 0.5, generator: Double = 1, shape: BenchSweep.Shape = wide,
        unanswered: Int = 0
    ) -> [BenchSweep.Row] {
        rates.map {
            BenchSweep.Row(
                target: target, shape: shape, result: result($0, unanswered: unanswered), serverCPUSeconds: cpu,
                generatorCPUSeconds: generator, generatorWallSeconds: 2)
        }
    }

    @Test("each cell is the median run, and each ratio is to that target's own baseline")
    func mediansAndRatios() {
        let rows = Self.rows("c-baseline", [100, 300, 200]) + Self.rows("event-loop", [190, 150, 170])
        let document = BenchmarkDocument(sweep: Self.sweep, rows: rows, loadTools: nil, idleMemory: [], command: "benchmarks/sweep.sh")
        #expect(document.rate("c-baseline", Self.wide) == 200)
        #expect(document.rate("event-loop", Self.wide) == 170)
        let markdown = document.markdown
        #expect(markdown.contains("| event-loop | – | – | – | 170 (300 µs) ×0.85 |"))
        #expect(markdown.contains("| event-loop | – | – | – | 150 – 190 |"))
    }

    @Test("CPU goals compare µs per request with tokio on one thread; prefork-event-loop's requests/s with tokio on two")
    func goalsAgainstTokio() {
        // tokio: 0.5 s for 500 responses = 1000 µs; event-loop: 0.7 s for 500 = 1400 µs (1.4×, goal ≤ 1.5× at 16×16).
        let rows =
            Self.rows("tokio (1 thread)", [500, 500, 500]) + Self.rows("event-loop", [500, 500, 500], cpu: 0.7)
            + Self.rows("coroutine", [500], cpu: 0.8)
            + Self.rows("tokio (2 threads)", [400, 400, 400]) + Self.rows("prefork-event-loop (2 workers)", [300, 310, 290])
        let document = BenchmarkDocument(sweep: Self.sweep, rows: rows, loadTools: nil, idleMemory: [], command: "x")
        #expect(document.cpu("event-loop", Self.wide) == 1400)
        let goals = Dictionary(uniqueKeysWithValues: document.goals.filter { $0.goal.shape == Self.wide }.map { ($0.target, $0) })
        #expect(goals["event-loop"].map { abs($0.ratio - 1.4) < 1e-9 && $0.met } == true)
        #expect(goals["coroutine"].map { abs($0.ratio - 1.6) < 1e-9 && !$0.met } == true)
        #expect(goals["prefork-event-loop (2 workers)"].map { abs($0.ratio - 0.75) < 1e-9 && !$0.met } == true)
        let markdown = document.markdown
        #expect(markdown.contains("| event-loop | 16×16 | CPU µs per request | tokio (1 thread) | 1.40 | ≤ 1.5 | yes |"))
        #expect(markdown.contains("| coroutine | 16×16 | CPU µs per request | tokio (1 thread) | 1.60 | ≤ 1.5 | **no** |"))
        #expect(markdown.contains("| prefork-event-loop (2 workers) | 16×16 | requests/s | tokio (2 threads) | 0.75 | ≥ 0.8 | **no** |"))
    }

    @Test("a cell whose generator used 90 % of a core or more is flagged as generator-bound")
    func generatorBound() {
        let rows = Self.rows("c-baseline", [1000], cpu: 0.5, generator: 1.9) + Self.rows("event-loop", [1000], cpu: 0.5, generator: 1.7)
        let markdown = BenchmarkDocument(sweep: Self.sweep, rows: rows, loadTools: nil, idleMemory: [], command: "x").markdown
        #expect(markdown.contains("| c-baseline | – | – | – | 500.00 (gen 95 % ⚑) |"))
        #expect(markdown.contains("| event-loop | – | – | – | 500.00 (gen 85 %) |"))
    }

    @Test("a run with requests left unanswered is marked in its cell")
    func uncleanCells() {
        let rows = Self.rows("c-baseline", [100]) + Self.rows("blocking", [10], unanswered: 15)
        let markdown = BenchmarkDocument(sweep: Self.sweep, rows: rows, loadTools: nil, idleMemory: [], command: "x").markdown
        #expect(markdown.contains("10 (300 µs) ×0.10 ⚠ 15 errors"))
    }
}
