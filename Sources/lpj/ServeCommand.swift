import ArgumentParser
import LPJServer
import LPJWire
import Logging

extension ByteOrderMode: ExpressibleByArgument {}

/// `lpj serve`: the reference server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the reference server in one of the classic concurrency models.",
        discussion: """
            Models:
            \(ServerModel.allCases.map { "  \($0.rawValue)\n" + $0.summary.wrapped(indent: 6) }.joined(separator: "\n"))

            Deliberate faults (--fault), each a bug real peers have, for proving a checker catches it:
            \(ServerFault.allCases.map { "  \($0.rawValue)\n" + $0.summary.wrapped(indent: 6) }.joined(separator: "\n"))

            Methods: ping, lpj.describe, and the reference extensions sleep ({"ms": N}) and relay \
            ({"host", "port", "in", "params", "timeout_ms"}). Prints one line saying where it listens; stops \
            on SIGINT or SIGTERM after answering every request it has fully received.
            """
    )

    @Option(help: "How connections are served (see the list below).")
    var model: ServerModel = .eventLoop

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port; the listening line says which).")
    var port = 8080

    @Option(help: "Worker processes for prefork and prefork-event-loop.")
    var workers = 2

    @Option(name: .customLong("byte-order"), help: "Length prefix order: little (the default), big, native or auto.")
    var byteOrder: ByteOrderMode = .little

    @Option(name: .customLong("max-frame"), help: "The largest request body accepted, in octets.")
    var maxFrame = FrameConfiguration.defaultMaxBodyLength

    @Option(
        name: .customLong("max-depth"), help: "The deepest JSON nesting accepted (\(JSONParser.Options.minimumMaxDepth)-\(JSONParser.Options.largestMaxDepth))."
    )
    var maxDepth = JSONParser.Options.defaultMaxDepth

    @Option(name: .customLong("idle-timeout"), help: "Close connections idle this many milliseconds (default: never).")
    var idleTimeout: Int?

    @Option(
        name: .customLong("partial-frame-timeout"),
        help: "Close a connection whose unfinished frame has waited this many milliseconds (sec.slow-sender; 0: never).")
    var partialFrameTimeout = 30_000

    @Option(
        name: .customLong("slow-reader-ms"),
        help:
            "Close a connection whose responses have waited this many milliseconds for a reader that takes none of their octets (sec.slow-reader; 0: never). Values under 10000 break sec.slow-reader.minimum and exist for tests."
    )
    var slowReaderMs = 30_000

    @Option(name: .customLong("max-connections"), help: "Connections served at once per process; one more is closed at once (sec.connection-limit).")
    var maxConnections = 10_000

    @Option(
        name: .customLong("relay-allow"),
        help: ArgumentHelp(
            "An upstream relay may call: HOST:PORT, HOST:*, *:PORT or [IPv6]:PORT (repeatable). Without it, loopback only; documentation addresses are always refused (ext.relay.upstreams).",
            valueName: "host:port"))
    var relayAllow: [String] = []

    @Flag(name: .customLong("list-models"), help: "Print the name of every model, one a line, and exit (for scripts).")
    var listModels = false

    @Option(help: "Misbehave in exactly one known way (see the list below).")
    var fault: ServerFault?

    @Option(
        name: .customLong("log-level"),
        help:
            "What to log on standard error, one timestamped line each: info logs time-outs, refusals and replaced workers; debug adds connections (with their peers) and every protocol error (its rule, offset and the response sent)."
    )
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard workers >= 1 && workers <= 256 else { throw ValidationError("--workers must be 1-256") }
        guard maxFrame >= FrameConfiguration.minimumMaxBodyLength && maxFrame <= FrameConfiguration.largestEncodableLength else {
            throw ValidationError("--max-frame must be at least \(FrameConfiguration.minimumMaxBodyLength) (frame.max-size-minimum) and fit 32 bits")
        }
        guard (JSONParser.Options.minimumMaxDepth...JSONParser.Options.largestMaxDepth).contains(maxDepth) else {
            throw ValidationError("--max-depth must be \(JSONParser.Options.minimumMaxDepth)-\(JSONParser.Options.largestMaxDepth) (body.nesting-minimum)")
        }
        if let idleTimeout, idleTimeout < 1 { throw ValidationError("--idle-timeout must be positive") }
        guard partialFrameTimeout >= 0 else { throw ValidationError("--partial-frame-timeout must be 0 (never) or positive") }
        guard slowReaderMs >= 0 else { throw ValidationError("--slow-reader-ms must be 0 (never) or positive") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        for entry in relayAllow {
            do { _ = try RelayAllowList.Entry(parsing: entry) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        if listModels {
            for model in ServerModel.allCases { print(model.rawValue) }
            return
        }
        var configuration = ServerConfiguration()
        configuration.model = model
        configuration.host = host
        configuration.port = port
        configuration.workers = workers
        configuration.framing = FrameConfiguration(byteOrder: byteOrder, maxBodyLength: maxFrame)
        configuration.parser = JSONParser.Options(maxDepth: maxDepth)
        configuration.idleTimeoutMilliseconds = idleTimeout
        configuration.partialFrameTimeoutMilliseconds = partialFrameTimeout == 0 ? nil : partialFrameTimeout
        configuration.slowReaderMilliseconds = slowReaderMs == 0 ? nil : slowReaderMs
        configuration.maxConnections = maxConnections
        configuration.relayAllowList = RelayAllowList(entries: try relayAllow.map(RelayAllowList.Entry.init(parsing:)))
        configuration.fault = fault
        configuration.logLevel = logLevel
        try ReferenceServer.run(configuration) { print($0) }
    }
}

extension String {
    /// The text broken into lines of at most `width` columns, each indented by `indent` spaces, so that
    /// help output needs no further wrapping.
    func wrapped(indent: Int, width: Int = 78) -> String {
        var lines: [String] = []
        var line = ""
        for word in split(separator: " ") {
            if !line.isEmpty, indent + line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        let margin = String(repeating: " ", count: indent)
        return lines.map { margin + $0 }.joined(separator: "\n")
    }
}
