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
            lpj-client/1 (docs/conformance.md): for each case, runs COMMAND under /bin/sh -c with {host}, \
            {port}, {method} and {params} replaced, each by one single-quoted shell word (write them bare). \
            The client sends one request {"in": method, "params": params}, reads one response and, for a \
            valid response, prints it as JSON on one line and exits 0 (success) or 1 (error response); for \
            a reply that breaks a rule it exits 2 with a one-line reason on stderr naming the rule ID. \
            Anything else is a crash. The runner checks the request (framing, body, method and params), \
            answers with the case's octets (server-to-client fixtures, split replies, a large reply, the \
            other byte order, early closes) and compares what the client printed with what it served.

            With --legacy, COMMAND takes {port} (and {host}) only: an unmodified client sends whatever it \
            sends, the runner answers its request with each case's reply and judges the request and whether \
            the client crashed (a signal or a non-zero status) or hung, nothing about its output.

            Example: lpj check-client --command 'lpj call --host {host} --port {port} {method} {params}'

            Exit status: 0 conformant, 1 not conformant, 2 the client could not be run (it never connected).
            """
    )

    @Option(help: "The client's command line; {host}, {port}, {method} and {params} are replaced for each case.")
    var command: String

    @Flag(help: "The client knows nothing of lpj-client/1 and takes only {port} (and {host}).")
    var legacy = false

    @Option(name: .customLong("byte-order"), help: "The byte order the client speaks: little or big.")
    var byteOrder: ByteOrder = .little

    @Option(
        help: "The address the runner listens on and gives the client as {host}: an IPv4 or IPv6 literal or a name (default 127.0.0.1; e.g. ::1, localhost).")
    var listen = "127.0.0.1"

    @Option(help: "Milliseconds a client may take per case.")
    var timeout = 5_000

    @Option(parsing: .singleValue, help: "Run only cases whose ID matches (repeatable; * is a wildcard).")
    var only: [String] = []

    @Option(help: "Output format: human or json.")
    var format: CheckCommand.OutputFormat = .human

    func validate() throws {
        guard command.contains("{port}") else { throw ValidationError("--command must contain {port}") }
        if legacy {
            if command.contains("{method}") || command.contains("{params}") {
                throw ValidationError("--legacy runs a client that chooses its own request: --command takes {port} and {host} only")
            }
        } else if !command.contains("{method}") || !command.contains("{params}") {
            throw ValidationError("--command must contain {method} and {params} (lpj-client/1), or add --legacy for a client that takes only {port}")
        }
    }

    func run() throws {
        let cases = ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures)
        var options = CheckOptions()
        options.only = only
        let progress = ProgressLine(enabled: true)
        let results = try ClientCheck.run(
            command: command, cases: cases, byteOrder: byteOrder, timeoutMilliseconds: timeout,
            only: options, legacy: legacy, listenHost: listen
        ) { done, total, result in
            if options.selects(result.id) { progress.finished(result, done: done, total: total) }
        }
        progress.clear()
        let failed = results.filter { $0.verdict == .failed }
        let passed = results.filter { $0.verdict == .passed }
        let skipped = results.filter { $0.verdict == .skipped }
        let notRun = results.filter { $0.verdict.rawValue == "not-run" || $0.summary.hasPrefix("not run: ") }
        if format == .json {
            let cases: [JSONValue] = results.map { result in
                .object([
                    "id": .string(result.id), "verdict": .string(result.verdict.rawValue), "summary": .string(result.summary),
                    "rules": .array(result.rules.map { .string($0.rawValue) }), "details": .array(result.details.map { .string($0) }),
                    "violations": .array(
                        result.violations.map {
                            .object([
                                "requirement": .string($0.requirement.rawValue),
                                "level": .string($0.level.rawValue), "summary": .string($0.summary),
                            ])
                        }),
                ])
            }
            print(
                JSONWriter.string(
                    .object([
                        "tool": "lpj check-client", "convention": .string(legacy ? "legacy" : "lpj-client/1"),
                        "command": .string(command), "cases": .array(cases),
                        "conformant": .bool(failed.isEmpty && notRun.isEmpty),
                    ]), style: .pretty))
        } else {
            for result in failed {
                print("FAIL \(result.id) [\(result.violations.map { "\($0.level.rawValue) \($0.requirement)" }.joined(separator: ", "))]")
                print("  \(result.title)")
                print("  \(result.summary)")
                for detail in result.details where detail != result.summary { print("    \(detail)") }
            }
            for result in passed where result.summary.contains("; the reply breaks ") {
                print("note \(result.id): \(result.summary)")
            }
            if let first = notRun.first { print("NOT RUN \(notRun.count) case(s): \(first.summary.dropFirst("not run: ".count))") }
            print("\(passed.count) passed, \(failed.count) failed, \(skipped.count) skipped" + (notRun.isEmpty ? "" : ", \(notRun.count) not run"))
        }
        if !notRun.isEmpty {
            printToStandardError("lpj check-client: could not test: \(notRun[0].summary.dropFirst("not run: ".count))")
            throw ExitCode(2)
        }
        throw ExitCode(failed.isEmpty ? 0 : 1)
    }
}
