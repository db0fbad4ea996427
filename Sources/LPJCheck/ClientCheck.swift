import Foundation
import LPJFixtures
import LPJSockets
import LPJWire
import NIOCore

/// What a client under test must do with one served reply.
public enum ClientExpectation: String, Sendable {
    /// Exit 0: it read a successful response.
    case success
    /// Exit 1: it read an error response and said so.
    case errorResponse = "error-response"
    /// Exit 2 or more, by itself and in time: it refused a reply that breaks the spec, without crashing or hanging.
    case refusal
}

/// One client case: the octets the runner answers with, and what the client must make of them.
public struct ClientCase: Sendable {
    /// Stable ID; the client calls a method of this name, so a captured request shows the case.
    public var id: String
    public var title: String
    public var rules: [RuleID]
    public var expectation: ClientExpectation
    /// The reply, as pieces written one after another with a short pause, then the connection closes.
    public var reply: @Sendable (ByteOrder) -> [[UInt8]]
}

/// `lpj check-client`: plays the server for a client under test.
///
/// For each case the runner starts the client's command with `{port}` and `{method}` filled in, accepts
/// its connection, checks the request it sends (one frame, the case's method), answers with the case's
/// octets, and judges the client by its exit status: 0 success, 1 error response, 2 or more refused.
/// A client killed by a signal or still running after the time-out fails the case.
public enum ClientCheck {
    /// Every client case: the server-to-client fixtures, then splits, sizes, byte order and early closes.
    public static func cases(fixtures: [Fixture]) -> [ClientCase] {
        var cases: [ClientCase] = fixtures.filter { $0.definition.direction == .serverToClient && $0.definition.receiverByteOrder != .auto }.map { fixture in
            let definition = fixture.definition
            let isError = fixture.reading.frames.first?.json?.objectValue?["out"] == "error"
            let expectation: ClientExpectation = definition.classification == .mustReject ? .refusal : isError ? .errorResponse : .success
            return ClientCase(id: "fixture.\(definition.id)", title: definition.summary, rules: definition.rules, expectation: expectation) { order in
                // A fixture written in the other order is only served to a client of that order.
                let fixtureOrder = definition.receiverByteOrder.fixedOrder ?? .little
                return fixtureOrder == order ? [definition.wire] : []
            }
        }
        let pong = Array(#"{"out":"pong","result":"split"}"#.utf8)
        for cut in [1, 2, 3, 4, 10] {
            cases.append(ClientCase(id: "split.at-\(cut)", title: "A pong written in two pieces, cut after octet \(cut).",
                                    rules: [.frameReadsArePartial], expectation: .success) { order in
                let frame = FrameEncoder(byteOrder: order).frame(pong)
                return [Array(frame[..<cut]), Array(frame[cut...])]
            })
        }
        cases.append(ClientCase(id: "split.one-octet-at-a-time", title: "A pong written one octet per write.",
                                rules: [.frameReadsArePartial], expectation: .success) { order in
            FrameEncoder(byteOrder: order).frame(pong).map { [$0] }
        })
        cases.append(ClientCase(id: "size.512-kib", title: "A pong of 524,288 octets.",
                                rules: [.frameReadsArePartial, .frameBodyFollows], expectation: .success) { order in
            let body = Response(out: "pong", result: .string(String(repeating: "é", count: 262_130))).body()
            return [FrameEncoder(byteOrder: order).frame(body)]
        })
        cases.append(ClientCase(id: "order.other", title: "A pong whose prefix is in the other byte order.",
                                rules: [.orderSameBothDirections, .connClientLimit], expectation: .refusal) { order in
            [FrameEncoder(byteOrder: order.swapped).frame(Array(#"{"out":"pong","result":1}"#.utf8))]
        })
        cases.append(ClientCase(id: "close.no-reply", title: "The connection closes with no reply at all.",
                                rules: [.connClientLimit], expectation: .refusal) { _ in [] })
        cases.append(ClientCase(id: "close.inside-prefix", title: "Two octets of a prefix, then the connection closes.",
                                rules: [.connEOFInsideFrame, .connClientLimit], expectation: .refusal) { _ in [[0x20, 0x00]] })
        cases.append(ClientCase(id: "close.inside-body", title: "A prefix and half a body, then the connection closes.",
                                rules: [.connEOFInsideFrame, .connClientLimit], expectation: .refusal) { order in
            [Array(FrameEncoder(byteOrder: order).frame(pong).prefix(12))]
        })
        cases.append(ClientCase(id: "frame.text-without-prefix", title: "JSON text with no prefix, as a broken server writes it.",
                                rules: [.orderMismatchDiagnosis, .connClientLimit], expectation: .refusal) { _ in [pong] })
        return cases
    }

    /// Runs every case against `command` (a shell command line with `{port}` and `{method}`).
    public static func run(command: String, cases: [ClientCase], byteOrder: ByteOrder, timeoutMilliseconds: Int,
                           only: CheckOptions = CheckOptions(), progress: (Int, Int, CaseResult) -> Void = { _, _, _ in }) throws -> [CaseResult] {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        listener.setNonBlocking()
        var results: [CaseResult] = []
        for (index, clientCase) in cases.enumerated() {
            let start = Date()
            let outcome: CaseOutcome
            let pieces = clientCase.reply(byteOrder)
            if !only.selects(clientCase.id) {
                outcome = .skipped("not selected (--only/--skip)")
            } else if pieces.isEmpty && clientCase.id.hasPrefix("fixture.") {
                outcome = .skipped("written for a client of the other byte order")
            } else {
                outcome = runOne(clientCase, pieces: pieces, command: command, listener: listener, byteOrder: byteOrder,
                                 timeoutMilliseconds: timeoutMilliseconds)
            }
            let result = CaseResult(id: clientCase.id, title: clientCase.title, rules: clientCase.rules, level: .must,
                                    verdict: outcome.verdict, summary: outcome.summary, details: outcome.details, replay: nil,
                                    milliseconds: Int(Date().timeIntervalSince(start) * 1000))
            results.append(result)
            progress(index + 1, cases.count, result)
        }
        return results
    }

    static func runOne(_ clientCase: ClientCase, pieces: [[UInt8]], command: String, listener: Socket, byteOrder: ByteOrder,
                       timeoutMilliseconds: Int) -> CaseOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command.replacingOccurrences(of: "{port}", with: "\(listener.localPort)")
            .replacingOccurrences(of: "{method}", with: clientCase.id)]
        // Output goes to a file, not a pipe: a client printing a large response must not block on a full pipe.
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-check-client-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        guard let output = try? FileHandle(forWritingTo: outputURL) else { return .violation(.must, "could not create \(outputURL.path)") }
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return .violation(.must, "could not start the client: \(error)") }
        try? output.close()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        // Serve one connection.
        var details: [String] = []
        let ready = (try? listener.waitUntilReadable(timeoutMilliseconds: timeoutMilliseconds)) ?? false
        if ready, let connection = try? listener.accept() {
            connection.setNoDelay()
            var decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: byteOrder == .little ? .little : .big))
            var buffer = ByteBuffer()
            var request: Request?
            let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
            while request == nil, Date() < deadline {
                if let body = try? decoder.decode(buffer: &buffer) {
                    do { request = try Request(body: body) } catch { details.append("the client's request broke the spec: \(error)"); break }
                    continue
                }
                guard (try? connection.waitUntilReadable(timeoutMilliseconds: max(1, Int(deadline.timeIntervalSinceNow * 1000)))) == true,
                      let count = try? connection.read(into: &buffer), count > 0 else { break }
            }
            if let request, request.method != clientCase.id {
                details.append("the client called \"\(request.method)\", not \"\(clientCase.id)\"")
            } else if request == nil, details.isEmpty {
                details.append("the client sent no complete request")
            }
            for (index, piece) in pieces.enumerated() {
                if index > 0 { usleep(3_000) }
                try? connection.writeAll(piece)
            }
            connection.close()
        } else {
            details.append("the client never connected")
        }

        // Judge the client by how it ended.
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)).map { String($0.prefix(2_000)) } ?? ""
        let said = text.split(separator: "\n").prefix(3).joined(separator: " / ")
        if process.isRunning {
            return .violation(.must, "the client was still running after \(timeoutMilliseconds) ms (hung)", details: details)
        }
        if process.terminationReason == .uncaughtSignal {
            return .violation(.must, "the client was killed by signal \(process.terminationStatus) (crashed)", details: details + [said])
        }
        if !details.isEmpty { return .violation(.must, details[0], details: details + ["client said: \(said)"]) }
        let status = process.terminationStatus
        let wanted: String
        let ok: Bool
        switch clientCase.expectation {
        case .success: ok = status == 0; wanted = "exit 0 (success)"
        case .errorResponse: ok = status == 1; wanted = "exit 1 (error response)"
        case .refusal: ok = status >= 2; wanted = "exit 2 or more (refused)"
        }
        if ok { return .passed("exit \(status): \(said.prefix(100))") }
        return .violation(.must, "expected \(wanted), got exit \(status)", details: ["client said: \(said)"])
    }
}
