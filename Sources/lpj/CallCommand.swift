import ArgumentParser
import Foundation
import LPJClient
import LPJWire

/// `lpj call`: one request, its response on standard output.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a method on an LPJ server and print the response message.",
        discussion: """
            Follows lpj-client/1 (docs/conformance.md): for a valid response, prints exactly one line on \
            standard output, the response message as JSON (every member as received), and exits 0 for a \
            successful response, 1 for an error response. When no valid response came (refused, timed out, \
            closed, bad length, bad JSON, not a response), prints one line on standard error naming what \
            happened, the rule ID and the offset, and exits 2.

            Example: lpj check-client --command 'lpj call --host {host} --port {port} {method} {params}'
            """
    )

    @Option(help: "The server's address.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 8080

    @Option(name: .customLong("byte-order"), help: "Length prefix order: little (the default), big or native.")
    var byteOrder: ByteOrderMode = .little

    @Option(help: "Milliseconds to wait for the connection and for the response.")
    var timeout = 10_000

    @Argument(help: "The method, e.g. ping.")
    var method: String

    @Argument(help: "The params as JSON text (default: null).")
    var params: String = "null"

    func validate() throws {
        if byteOrder == .auto { throw ValidationError("--byte-order auto is for servers; a client must choose") }
    }

    func run() throws {
        let parsedParams: JSONValue
        do {
            parsedParams = try JSONParser.parse(params)
        } catch {
            throw ValidationError("PARAMS_JSON is not JSON: \(error)")
        }
        var configuration = ClientConfiguration(host: host, port: port)
        configuration.byteOrder = byteOrder.fixedOrder ?? .little
        configuration.connectTimeoutMilliseconds = timeout
        configuration.callTimeoutMilliseconds = timeout
        // The whole call, however slowly a server trickles its reply, ends within the time-out (lpj-client/1:
        // the client's own time-out is a refusal, exit 2).
        let timeout = self.timeout
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(timeout) / 1_000)
            printToStandardError("lpj call: timed-out: no complete response within \(timeout) ms")
            _exit(2)
        }
        do {
            let client = try BlockingClient(configuration)
            defer { client.close() }
            try client.send([Request(method: method, params: parsedParams)])
            let body = try client.receiveBody()
            let response: Response
            let message: JSONValue
            do {
                response = try Response(body: body, options: configuration.parser)
                message = try JSONParser.parse(body, options: configuration.parser)
            } catch let error as WireError {
                throw ClientError(error)
            }
            // The message as received, unknown members and exact numbers included, on one line.
            print(JSONWriter.string(message))
            if let error = response.errorResult {
                printToStandardError("lpj call: error response: \(error)")
                throw ExitCode(1)
            }
        } catch let error as ClientError {
            printToStandardError("lpj call: " + error.description.split(whereSeparator: \.isNewline).joined(separator: " "))
            throw ExitCode(2)
        }
    }
}

func printToStandardError(_ text: String, newline: Bool = true) {
    var standardError = StandardError()
    print(text, terminator: newline ? "\n" : "", to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { buffer in _ = Foundation.write(2, buffer.baseAddress, buffer.count) }
    }
}
