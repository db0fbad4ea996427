import ArgumentParser

/// `lpj`: the reference implementation and conformance tools of LPJ, length-prefixed JSON RPC.
@main
struct LPJCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lpj",
        abstract: "Length-prefixed JSON RPC: the spec's reference tools.",
        discussion: """
            Every LPJ message is a 4-octet length prefix (pinned little-endian) followed by that many octets of \
            UTF-8 JSON: {"in": METHOD, "params": ...} asks, {"out": KIND, "result": ...} answers. \
            The spec is spec/lpj.md; golden wire bytes are in fixtures/.
            """,
        version: "0.1.0",
        subcommands: [
            CheckCommand.self, ReportCommand.self, ReplayCommand.self, CheckClientCommand.self, ServeCommand.self, CallCommand.self, BenchCommand.self,
            SoakCommand.self, FixturesCommand.self, SpecCommand.self, JSONSuiteCommand.self,
        ]
    )
}
