import Foundation
import LPJRandom
import LPJTimers

// lpj-bench-timers: the timing wheel against a binary heap, for 10^5 and 10^6 timers.
//
//     swift run -c release lpj-bench-timers [--timers N,N...] [--runs R] [--format markdown|json]
//
// For each count N: schedule N timers with deadlines spread over the next hour (a mix of 50 ms-1 s,
// 1 s-1 min and 1 min-1 h, as sleeps, call time-outs and idle time-outs are), cancel every other one,
// then advance through the hour tick by tick (72,000 ticks of 50 ms) until the rest have expired.
// Deadlines come from a fixed seed, so both structures see the same work. Each phase is timed with the
// monotonic clock; the figure is the median of R runs, in nanoseconds per timer.

struct Options {
    var counts = [100_000, 1_000_000]
    var runs = 5
    var json = false

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--timers": counts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--runs": runs = Int(iterator.next() ?? "") ?? runs
            case "--format": json = iterator.next() == "json"
            case "--help", "-h":
                print("usage: lpj-bench-timers [--timers 100000,1000000] [--runs 5] [--format markdown|json]")
                exit(0)
            default:
                FileHandle.standardError.write("lpj-bench-timers: unknown argument \(argument) (see --help)\n".data(using: .utf8)!)
                exit(2)
            }
        }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }), runs > 0 else {
            FileHandle.standardError.write("lpj-bench-timers: --timers needs positive counts and --runs a positive number\n".data(using: .utf8)!)
            exit(2)
        }
    }
}

/// Nanoseconds per timer for each phase.
struct Phases {
    var schedule = 0.0, cancel = 0.0, expire = 0.0
}

func deadlines(count: Int) -> [UInt64] {
    var generator = SplitMix64(seed: 0x7113_2026)
    let spans: [ClosedRange<UInt64>] = [1...20, 20...1_200, 1_200...72_000]
    return (0..<count).map { index in UInt64.random(in: spans[index % 3], using: &generator) }
}

func measure(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start)
}

func runWheel(_ dues: [UInt64]) -> Phases {
    var wheel = TimingWheel<Int>()
    var handles: [TimingWheel<Int>.Timer] = []
    handles.reserveCapacity(dues.count)
    var fired = 0
    var phases = Phases()
    let n = Double(dues.count)
    phases.schedule = measure { for (id, due) in dues.enumerated() { handles.append(wheel.schedule(id, at: due)) } } / n
    phases.cancel = measure { for id in stride(from: 0, to: dues.count, by: 2) { wheel.cancel(handles[id]) } } / n * 2
    phases.expire = measure { for tick in 1...UInt64(72_000) { wheel.advance(to: tick) { fired &+= $0 } } } / n * 2
    precondition(wheel.isEmpty && fired > 0)
    return phases
}

func runHeap(_ dues: [UInt64]) -> Phases {
    var heap = BinaryHeapTimers(capacity: dues.count)
    var fired = 0
    var phases = Phases()
    let n = Double(dues.count)
    phases.schedule = measure { for (id, due) in dues.enumerated() { heap.schedule(id: id, at: due) } } / n
    phases.cancel = measure { for id in stride(from: 0, to: dues.count, by: 2) { heap.cancel(id: id) } } / n * 2
    phases.expire = measure { for tick in 1...UInt64(72_000) { heap.advance(to: tick) { fired &+= $0 } } } / n * 2
    precondition(heap.count == 0 && fired > 0)
    return phases
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let options = Options(Array(CommandLine.arguments.dropFirst()))
var rows: [(structure: String, count: Int, phases: Phases)] = []
for count in options.counts {
    let dues = deadlines(count: count)
    for (name, run) in [("timing wheel", runWheel), ("binary heap", runHeap)] {
        let samples = (0..<options.runs).map { _ in run(dues) }
        let phases = Phases(
            schedule: median(samples.map(\.schedule)), cancel: median(samples.map(\.cancel)),
            expire: median(samples.map(\.expire)))
        rows.append((name, count, phases))
        FileHandle.standardError.write("\(name), \(count) timers: done\n".data(using: .utf8)!)
    }
}
if options.json {
    for row in rows {
        print(
            #"{"structure":"\#(row.structure)","timers":\#(row.count),"ns_per_schedule":\#(Int(row.phases.schedule)),"ns_per_cancel":\#(Int(row.phases.cancel)),"ns_per_expire":\#(Int(row.phases.expire))}"#
        )
    }
} else {
    print("| structure | timers | schedule (ns/timer) | cancel (ns/timer) | expire (ns/timer) |")
    print("|---|---:|---:|---:|---:|")
    for row in rows {
        print("| \(row.structure) | \(row.count) | \(Int(row.phases.schedule)) | \(Int(row.phases.cancel)) | \(Int(row.phases.expire)) |")
    }
}
