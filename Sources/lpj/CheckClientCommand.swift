import ArgumentParser
import Foundation
import LPJCheck
import LPJFixtures
import LPJWire

/// `lpj check-client`: the conformance runner for clients.
struct CheckClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-client",
        abstract: "Check an LPJ client by playing the server for it, case by case.",
        discussion: """
            For each case, runs COMMAND with {port} and {method} replaced, expects one request calling the \
            method named after the case, answers with the case's octets (server-to-client fixtures, replies \
            split at every prefix offset, a large reply, the other byte order, connections closed early) and \
            judges the client by its exit status: 0 for a successful response, 1 for an error response, 2 or \
            more for a reply it refused. A client that crashes or hangs fails the case.

            Example: lpj check-client --command 'lpj call --port {port} {method}'

            Exit status: 0 conformant, 1 not conformant, 2 the client could not be run.
            """
    )

    @Option(help: "The client's command line; {port} and {method} are replaced for each case.")
    var command: String

    @Option(name: .customLong("byte-order"), help: "The byte order the client speaks: little or big.")
    var byteOrder: ByteOrder = .little

    @Option(help: "Milliseconds a client may take per case.")
    var timeout = 5_000

    @Option(parsing: .singleValue, help: "Run only cases whose ID matches (repeatable; * is a wildcard).")
    var only: [String] = []

    @Option(help: "Output format: human or json.")
    var format: CheckCommand.OutputFormat = .human

    func run() throws {
        guard command.contains("{port}"), command.contains("{method}") else {
            throw ValidationError("--command must contain {port} and {method}")
        }
        let cases = ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures)
        var options = CheckOptions()
        options.only = only
        let progress = ProgressLine(enabled: isatty(2) != 0)
        let results = try ClientCheck.run(command: command, cases: cases, byteOrder: byteOrder, timeoutMilliseconds: timeout,
                                          only: options) { done, total, result in
            progress.update("[\(done)/\(total)] \(result.verdict.rawValue.padded(8)) \(result.id)")
        }
        progress.clear()
        let failed = results.filter { $0.verdict == .failed }
        let passed = results.filter { $0.verdict == .passed }
        let skipped = results.filter { $0.verdict == .skipped }
        if format == .json {
            let cases: [JSONValue] = results.map { result in
                .object(["id": .string(result.id), "verdict": .string(result.verdict.rawValue), "summary": .string(result.summary),
                         "rules": .array(result.rules.map { .string($0.rawValue) }), "details": .array(result.details.map { .string($0) })])
            }
            print(JSONWriter.string(.object(["tool": "lpj check-client", "command": .string(command), "cases": .array(cases),
                                             "conformant": .bool(failed.isEmpty)]), style: .pretty))
        } else {
            for result in failed {
                print("FAIL \(result.id) [\(result.rules.map(\.rawValue).joined(separator: ", "))]")
                print("  \(result.title)")
                print("  \(result.summary)")
                for detail in result.details where detail != result.summary { print("    \(detail)") }
            }
            print("\(passed.count) passed, \(failed.count) failed, \(skipped.count) skipped")
        }
        let ran = results.filter { $0.verdict != .skipped }
        if !ran.isEmpty, ran.allSatisfy({ $0.summary == "the client never connected" }) {
            printToStandardError("lpj check-client: could not test: the client never connected (is {port} used in --command?)")
            throw ExitCode(2)
        }
        throw ExitCode(failed.isEmpty ? 0 : 1)
    }
}
