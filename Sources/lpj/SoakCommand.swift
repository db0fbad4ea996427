import ArgumentParser
import Foundation
import LPJBench
import LPJServer

/// `lpj soak`: long runs of every model under checked load and hostile connections, and a flood.
struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Soak every server model under load and hostile input; flood the event-loop models.",
        discussion: """
            For each model, starts `lpj serve` and for --duration seconds alternates one second of checked \
            load (lpj bench: ping with mixed params, then sleep) with ten hostile connections (mutated \
            fixtures and noise, each half-closed and read to its end). Reports responses, errors, hostile \
            connections that hung, and the server's resident memory and open descriptors (its children \
            included) after ten seconds of warm-up and at the end, and zombie children. Then, for the models \
            served by one process's event loops (event-loop, coroutine), opens --flood-connections \
            connections (half of them stalled inside a prefix) and times a fresh connect-and-ping 20 times. \
            Prints Markdown tables.

            Exit status: 0 when every run was clean and every flood ping took under 100 ms, 1 otherwise.
            """
    )

    @Option(help: "Seconds per model.")
    var duration = 60.0

    @Option(help: "Models to soak, comma-separated (default: all).")
    var models: String?

    @Option(name: .customLong("flood-connections"), help: "Connections held open for the flood (0 skips it).")
    var floodConnections = 1_000

    func run() throws {
        let lpj = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let chosen = try ServerModel.parseList(models)
        var soak = Soak(lpj: lpj)
        soak.seconds = duration
        soak.log = { printToStandardError("lpj soak: \($0)") }
        var clean = true
        print(
            "| model | seconds | responses | errors | unanswered | hostile (hung) | resident after warm-up → end | descriptors after warm-up → end | zombies | exit |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for model in chosen {
            let report = try soak.run(model: model.rawValue)
            clean = clean && report.isClean
            print(
                "| \(model.rawValue) | \(Int(report.seconds)) | \(report.responses) | \(report.errors) | \(report.unanswered) | \(report.hostile) (\(report.hung)) | \(Self.mebibytes(report.residentStart)) → \(Self.mebibytes(report.residentEnd)) | \(report.descriptorsStart) → \(report.descriptorsEnd) | \(report.zombies) | \(report.exitStatus) |"
            )
        }
        if floodConnections > 0 {
            print("")
            print("| model | connections open | fresh connect + ping, median | max of 20 |")
            print("|---|---:|---:|---:|")
            for model in chosen where Self.isFlooded(model) {
                let report = try Flood.run(lpj: lpj, model: model.rawValue, connections: floodConnections)
                clean = clean && report.max < 100
                print("| \(model.rawValue) | \(report.connections) | \(BenchResult.fixed(report.median, 2)) ms | \(BenchResult.fixed(report.max, 2)) ms |")
            }
        }
        if !clean { throw ExitCode(1) }
    }

    /// The flood is for the models whose one process serves every connection on event loops (event-loop,
    /// coroutine): a held connection costs them a socket and a handler, never a thread or a process.
    static func isFlooded(_ model: ServerModel) -> Bool {
        model.capabilities.usesEventLoop && !model.capabilities.forks
    }

    static func mebibytes(_ bytes: Int) -> String { "\(BenchResult.fixed(Double(bytes) / 1_048_576, 1)) MiB" }
}
