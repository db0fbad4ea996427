import Foundation
import Testing

@testable import LPJBench

/// The report the sweep writes: medians, ratios to the right baseline, goals met or missed.
@Suite("BenchmarkDocument")
struct BenchmarkDocumentTests {
    static func result(_ rate: Double, unanswered: Int = 0) -> BenchResult {
        BenchResult(configuration: BenchConfiguration(), seconds: 1, responses: Int(rate), errors: 0, unanswered: unanswered,
                    connectionsLost: 0, problems: [], p50: 100, p90: 200, p99: 300, max: 400)
    }

    static var sweep: BenchSweep {
        var sweep = BenchSweep(lpj: URL(fileURLWithPath: "/lpj"), baselineDirectory: URL(fileURLWithPath: "/c"))
        sweep.models = ["event-loop", "coroutine", "prefork-event-loop", "blocking", "threaded", "forking", "prefork"]
        return sweep
    }
    static let wide = BenchSweep.Shape(connections: 16, depth: 16)

    static func rows(_ target: String, _ rates: [Double], shape: BenchSweep.Shape = wide, unanswered: Int = 0) -> [BenchSweep.Row] {
        rates.map { BenchSweep.Row(target: target, shape: shape, result: result($0, unanswered: unanswered)) }
    }

    @Test("each cell is the median run, and each ratio is to that target's own baseline")
    func mediansAndRatios() {
        let rows = Self.rows("c-baseline", [100, 300, 200]) + Self.rows("event-loop", [190, 150, 170])
            + Self.rows("c-baseline (2 workers)", [400, 400, 400]) + Self.rows("prefork-event-loop (2 workers)", [300, 310, 290])
        let document = BenchmarkDocument(sweep: Self.sweep, rows: rows, loadTools: nil, idleMemory: [], command: "benchmarks/sweep.sh")
        #expect(document.rate("c-baseline", Self.wide) == 200)
        #expect(document.rate("event-loop", Self.wide) == 170)
        let goals = Dictionary(uniqueKeysWithValues: document.goals.filter { $0.shape == Self.wide }.map { ($0.target, $0) })
        #expect(goals["event-loop"].map { abs($0.ratio - 0.85) < 1e-9 && $0.met } == true)
        #expect(goals["prefork-event-loop (2 workers)"].map { abs($0.ratio - 0.75) < 1e-9 && !$0.met } == true)
        let markdown = document.markdown
        #expect(markdown.contains("| event-loop | – | – | – | 170 (300 µs) ×0.85 |"))
        #expect(markdown.contains("| event-loop | – | – | – | 150 – 190 |"))
        #expect(markdown.contains("| prefork-event-loop (2 workers) | 16×16 | c-baseline (2 workers) | 0.75 | 0.80 | **no** |"))
    }

    @Test("a run with requests left unanswered is marked in its cell")
    func uncleanCells() {
        let rows = Self.rows("c-baseline", [100]) + Self.rows("blocking", [10], unanswered: 15)
        let markdown = BenchmarkDocument(sweep: Self.sweep, rows: rows, loadTools: nil, idleMemory: [], command: "x").markdown
        #expect(markdown.contains("10 (300 µs) ×0.10 ⚠ 0 errors, 15 unanswered, 0 lost"))
    }
}
