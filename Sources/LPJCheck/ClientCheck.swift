import Foundation
import LPJFixtures
import LPJSockets
import LPJWire
import NIOCore

/// What a client under test must do with one served reply (`lpj-client/1`).
public enum ClientExpectation: String, Sendable {
    /// Exit 0 with the response on stdout: it read a successful response.
    case success
    /// Exit 1 with the response on stdout: it read an error response and said so.
    case errorResponse = "error-response"
    /// Exit 2 with the reason on stderr, by itself and in time: it refused a reply that breaks the spec,
    /// without crashing or hanging.
    case refusal
}

/// One client case: the octets the runner answers with, and what the client must make of them.
public struct ClientCase: Sendable {
    /// Stable ID; the client calls a method of this name, so a captured request shows the case.
    public var id: String
    public var title: String
    public var rules: [RuleID]
    public var expectation: ClientExpectation
    /// The reply, as pieces written one after another (the second once the client has read the first,
    /// the others 3 ms apart), then the connection closes.
    public var reply: @Sendable (ByteOrder) -> [[UInt8]]
    /// The reply is a prefix no limit admits: instead of closing, the runner keeps feeding body octets
    /// and watches whether the client refuses at once (`ClientOversizeFeed`).
    public var feedsBody = false
    /// The reply holds no body a correct client reads (a prefix it must refuse): a refusal that names
    /// only body or message rules shows the client took the prefix for a length within its limit.
    public var bodyNeverRead = false
    /// Why exit 2 passes too, for a reply that holds a valid response and also something a client may
    /// report; `nil`: the expectation alone decides.
    public var refusalAllowedBecause: String?
}

/// `lpj check-client`: plays the server for a client under test, case by case.
///
/// For each case the runner listens on 127.0.0.1 (or `--listen`, a fresh port), starts the client's command with
/// `{host}`, `{port}`, `{method}` (the case's ID) and `{params}` filled in (`ClientConvention`), accepts
/// its connection, checks the one request it sends (`ClientRequestCheck`), answers with the case's
/// octets, half-closes, and judges how the client ended (`ClientJudge`): under `lpj-client/1` by its exit
/// status and the response line it printed, compared with the message served by value; in legacy mode
/// only whether it crashed or hung. A command that exits or never connects fails at once; when the first
/// case shows that, the other cases are not run.
public enum ClientCheck {
    /// Every client case, section by section in spec order (`CaseSection.runOrder`); within a section the
    /// server-to-client fixtures, then splits, sizes, byte order and early closes.
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
            cases.append(
                ClientCase(
                    id: "split.at-\(cut)", title: "A pong written in two pieces, cut after octet \(cut).",
                    rules: [.frameReadsArePartial], expectation: .success
                ) { order in
                    let frame = FrameEncoder(byteOrder: order).frame(pong)
                    return [Array(frame[..<cut]), Array(frame[cut...])]
                })
        }
        cases.append(
            ClientCase(
                id: "split.one-octet-at-a-time", title: "A pong written one octet per write.",
                rules: [.frameReadsArePartial], expectation: .success
            ) { order in
                FrameEncoder(byteOrder: order).frame(pong).map { [$0] }
            })
        cases.append(
            ClientCase(
                id: "message.line-breaks", title: "A pong whose JSON text has line breaks (CR LF and LF) between tokens: printed on one line, same value.",
                rules: [.bodyJSONText, .msgValueEquality], expectation: .success
            ) { order in
                [FrameEncoder(byteOrder: order).frame(Array("{\r\n  \"out\": \"pong\",\n  \"result\": [1.0, \"a\\nb\", 12345678901234567890]\n}".utf8))]
            })
        cases.append(
            ClientCase(
                id: "size.512-kib", title: "A pong of 524,288 octets.",
                rules: [.frameReadsArePartial, .frameBodyFollows], expectation: .success
            ) { order in
                let body = Response(out: "pong", result: .string(String(repeating: "é", count: 262_130))).body()
                return [FrameEncoder(byteOrder: order).frame(body)]
            })
        cases.append(
            ClientCase(
                id: "order.other", title: "A pong whose prefix is in the other byte order.",
                rules: [.orderSameBothDirections, .connClientLimit], expectation: .refusal
            ) { order in
                [FrameEncoder(byteOrder: order.swapped).frame(Array(#"{"out":"pong","result":1}"#.utf8))]
            })
        cases.append(
            ClientCase(
                id: "close.no-reply", title: "The connection closes with no reply at all.",
                rules: [.connClientLimit], expectation: .refusal
            ) { _ in [] })
        cases.append(
            ClientCase(
                id: "close.inside-prefix", title: "Two octets of a prefix, then the connection closes.",
                rules: [.connEOFInsideFrame, .connClientLimit], expectation: .refusal
            ) { _ in [[0x20, 0x00]] })
        cases.append(
            ClientCase(
                id: "close.inside-body", title: "A prefix and half a body, then the connection closes.",
                rules: [.connEOFInsideFrame, .connClientLimit], expectation: .refusal
            ) { order in
                [Array(FrameEncoder(byteOrder: order).frame(pong).prefix(12))]
            })
        cases.append(
            ClientCase(
                id: "frame.text-without-prefix", title: "JSON text with no prefix, as a broken server writes it.",
                rules: [.orderMismatchDiagnosis, .connClientLimit], expectation: .refusal
            ) { _ in [pong] })
        return CaseSection.runOrder(cases + brokenReplyCases + fullerReplyCases, rules: \.rules)
    }

    /// Replies that break one body or message rule each, framed correctly: a client must refuse them.
    static let brokenReplyCases: [ClientCase] = {
        let broken: [(String, String, RuleID, [UInt8])] = [
            ("body.bom", "A pong that begins with a byte order mark.", .bodyNoBOM, [0xef, 0xbb, 0xbf] + Array(#"{"out":"pong","result":1}"#.utf8)),
            ("body.not-an-object", "A reply whose JSON text is an array, not an object.", .bodyObject, Array(#"["pong",1]"#.utf8)),
            ("body.trailing-text", "A pong followed by more text inside the same body.", .bodyJSONText, Array(#"{"out":"pong","result":1} x"#.utf8)),
            (
                "body.invalid-utf8", "A pong whose result string holds the octet ff.", .bodyUTF8,
                Array(#"{"out":"pong","result":""#.utf8) + [0xff] + Array(#""}"#.utf8)
            ),
            ("message.duplicate-out", "A reply with the member out twice.", .msgDuplicateMembers, Array(#"{"out":"pong","out":"pong","result":1}"#.utf8)),
        ]
        var cases = broken.map { id, title, rule, body in
            ClientCase(id: id, title: title, rules: [rule, .connClientLimit], expectation: .refusal) { order in [FrameEncoder(byteOrder: order).frame(body)] }
        }
        // The zero-length frame is the response: a client that skips it and reads on takes the pong that
        // follows for its answer.
        cases.append(
            ClientCase(
                id: "frame.zero-length", title: "A reply of length 0 (no JSON text), then a pong: the zero-length frame answers the request, an error.",
                rules: [.frameZeroLength, .connClientLimit], expectation: .refusal
            ) { order in
                let encoder = FrameEncoder(byteOrder: order)
                return [encoder.frame([]) + encoder.frame(Array(#"{"out":"pong","result":"after the zero-length frame"}"#.utf8))]
            })
        var twoGiB = ClientCase(
            id: "size.2-gib-then-close",
            title:
                "A prefix announcing 2,147,483,648 octets, then the connection closes: refused (for the length, or for the end of the stream), without allocating it.",
            rules: [.connEOFInsideFrame, .frameOversizeClose, .connClientLimit], expectation: .refusal
        ) { order in [FrameEncoder(byteOrder: order).prefix(forLength: 1 << 31)] }
        twoGiB.bodyNeverRead = true
        cases.append(twoGiB)
        var maxUInt32 = ClientCase(
            id: "size.max-uint32",
            title: "A prefix ff ff ff ff (4,294,967,295, never -1), then body octets that keep coming: refused at once, naming the length.",
            rules: [.framePrefixSize, .frameOversizeClose, .connClientLimit], expectation: .refusal
        ) { _ in [[0xff, 0xff, 0xff, 0xff]] }
        maxUInt32.feedsBody = true
        maxUInt32.bodyNeverRead = true
        cases.append(maxUInt32)
        return cases
    }()

    /// Replies that are valid, with more in them than the one response a client needs.
    static let fullerReplyCases: [ClientCase] = [
        {
            var twoResponses = ClientCase(
                id: "message.two-responses", title: "Two pongs in one write: the first answers the request (by position), the second is never its answer.",
                rules: [.connInOrder], expectation: .success
            ) { order in
                let encoder = FrameEncoder(byteOrder: order)
                return [encoder.frame(Array(#"{"out":"pong","result":"first"}"#.utf8)) + encoder.frame(Array(#"{"out":"pong","result":"second"}"#.utf8))]
            }
            // A client that reads on may report the server's second response (conn.one-response.nothing-else);
            // only printing the second as the answer breaks matching by position.
            twoResponses.refusalAllowedBecause = "the second response breaks the server's conn.one-response.nothing-else"
            return twoResponses
        }(),
        ClientCase(
            id: "message.describe-unknown-members",
            title: "An lpj.description whose result has members the spec does not define: ignored, the response accepted.",
            rules: [.msgDescribe, .msgUnknownMembers], expectation: .success
        ) { order in
            [
                FrameEncoder(byteOrder: order).frame(
                    Array(
                        #"{"out":"lpj.description","result":{"protocol":"lpj/1","byteOrder":"little","maxBody":1048576,"maxDepth":512,"methods":["lpj.describe","ping"],"server":"lpj check-client","vendorLimits":{"queue":8},"futureFlag":true}}"#
                            .utf8))
            ]
        },
    ]

    /// The rules every client case checks the client's request against (`ClientRequestCheck`).
    public static var requestRulesChecked: [RuleID] { ClientRequestCheck.rulesChecked }

    /// The client requirement a failed case shows broken: a crash or a hang breaks robustness, otherwise
    /// the client side of the case's first rule.
    public static func requirement(_ clientCase: ClientCase, summary: String) -> RequirementID {
        if summary.hasPrefix("crashed") || summary.hasPrefix("hung") { return "conn.client-limit.robust" }
        for rule in clientCase.rules {
            switch rule {
            case .frameReadsArePartial: return .readsArePartial
            case .frameBodyFollows: return .bodyFollowsReceiver
            case .framePrefixSize: return .prefixUnsigned
            case .frameZeroLength: return "frame.zero-length.client"
            case .frameOversizeClose: return "frame.oversize-close.client-fails"
            case .frameLengthCountsOctets: return "conn.client-limit.check"
            case .orderSameBothDirections, .orderLittleDefault, .orderBigMode: return "order.same-both-directions.client"
            case .bodyUTF8: return clientCase.expectation == .refusal ? .utf8Reject : .pingEcho
            case .bodyNoBOM: return .bomReject
            case .bodyJSONText: return .jsonTextReject
            case .bodyObject: return "body.object.client"
            case .bodyNoLoneSurrogates: return .loneSurrogateReject
            case .bodyNoNonfinite: return .nonfiniteReject
            case .msgResponse: return "msg.response.client"
            case .msgDuplicateMembers: return "msg.duplicate-members.client"
            case .msgErrorResponse: return "msg.error-response.client-form"
            case .msgErrorCodes: return "msg.error-codes.client-unknown"
            case .connEOFInsideFrame: return "conn.eof-inside-frame.client"
            case .connInOrder: return "conn.in-order.client-matches"
            case .msgDescribe: return "msg.describe.client-ignores"
            default: continue
            }
        }
        return "conn.client-limit.check"
    }

    /// The params the runner asks the client to send for `id`: a JSON text with a quote, an apostrophe,
    /// a dollar sign, a backquote and a non-ASCII letter, so a client that does not quote `{params}` as
    /// documented sends something else.
    public static func params(for id: String) -> JSONValue {
        .object(JSONObject([.init("case", .string(id)), .init("text", .string("it's \"quoted\" $HOME `id` é")), .init("n", 1)]))
    }

    /// What the served reply asks of the client: its expectation, the message (for valid replies).
    static func served(_ clientCase: ClientCase, pieces: [[UInt8]], byteOrder: ByteOrder) -> ClientJudge.Served {
        var message: JSONValue?
        let stream = pieces.flatMap { $0 }
        if clientCase.expectation != .refusal, stream.count >= 4 {
            let length = Int(byteOrder.value(stream[0], stream[1], stream[2], stream[3]))
            if stream.count >= 4 + length { message = try? JSONParser.parse(Array(stream[4..<(4 + length)])) }
        }
        var rules = clientCase.rules
        if clientCase.expectation == .refusal, let rule = referenceRefusal(stream, byteOrder: byteOrder), !rules.contains(rule) { rules.append(rule) }
        return ClientJudge.Served(
            expectation: clientCase.expectation, message: message, rules: rules,
            refusalAllowedBecause: clientCase.refusalAllowedBecause)
    }

    /// The rule the reference client's reader names for `stream` (default limit, `byteOrder`): a client
    /// that names it names a right rule too.
    static func referenceRefusal(_ stream: [UInt8], byteOrder: ByteOrder) -> RuleID? {
        var decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: byteOrder == .little ? .little : .big))
        var buffer = ByteBuffer(bytes: stream)
        do {
            guard let body = try decoder.decode(buffer: &buffer) ?? decoder.decodeLast(buffer: &buffer, seenEOF: true) else { return .connClientLimit }
            _ = try Response(body: body)
            return nil
        } catch {
            return (error as? WireError)?.rule
        }
    }

    /// Runs every case against `command`: under `lpj-client/1` a shell command line with `{port}`,
    /// `{method}` and `{params}` (and optionally `{host}`); with `legacy`, one with `{port}` (and optionally
    /// `{host}`) only, for a client that knows nothing of the convention.
    public static func run(
        command: String, cases: [ClientCase], byteOrder: ByteOrder, timeoutMilliseconds: Int,
        only: CheckOptions = CheckOptions(), legacy: Bool = false, listenHost: String = "127.0.0.1",
        progress: (Int, Int, CaseResult) -> Void = { _, _, _ in }
    ) throws -> [CaseResult] {
        var results: [CaseResult] = []
        var clientAbsent: String?
        let notRun = Verdict(rawValue: "not-run") ?? .skipped
        for (index, clientCase) in cases.enumerated() {
            let start = Date()
            var outcome: CaseOutcome
            let pieces = clientCase.reply(byteOrder)
            if !only.selects(clientCase.id) {
                outcome = .skipped("not selected (--only/--skip)")
            } else if pieces.isEmpty && clientCase.id.hasPrefix("fixture.") {
                outcome = .skipped("written for a client of the other byte order")
            } else if let clientAbsent {
                outcome = CaseOutcome(verdict: notRun, summary: "not run: \(clientAbsent)")
            } else {
                let run = try runOne(
                    clientCase, pieces: pieces, command: command, legacy: legacy, byteOrder: byteOrder,
                    timeoutMilliseconds: timeoutMilliseconds, listenHost: listenHost)
                outcome = run.outcome
                if !run.connected, !results.contains(where: { $0.verdict != .skipped }) {
                    clientAbsent = "the client never connected in \(clientCase.id) (\(outcome.summary))"
                }
            }
            let result = CaseResult(
                id: clientCase.id, title: clientCase.title, rules: clientCase.rules, level: .must,
                verdict: outcome.verdict, summary: outcome.summary, violations: outcome.violations, details: outcome.details, replay: nil,
                milliseconds: Int(Date().timeIntervalSince(start) * 1000))
            results.append(result)
            progress(index + 1, cases.count, result)
        }
        return results
    }

    /// One case: a fresh listener, the client started, its request read and checked, the reply served,
    /// the client's ending judged.
    static func runOne(
        _ clientCase: ClientCase, pieces: [[UInt8]], command: String, legacy: Bool, byteOrder: ByteOrder,
        timeoutMilliseconds: Int, listenHost: String = "127.0.0.1"
    ) throws -> (outcome: CaseOutcome, connected: Bool) {
        let listener = try Socket.listen(host: listenHost, port: 0, backlog: 4)
        defer { listener.close() }
        let params = params(for: clientCase.id)
        let line = ClientConvention.command(command, host: listenHost, port: listener.localPort, method: clientCase.id, params: params)
        let process: ClientProcess
        do { process = try ClientProcess(command: line) } catch { return (.violation(.must, "the command could not start: \(error)"), false) }
        defer { process.kill() }

        // Wait for the connection, watching the process: one that exits first never connects.
        guard let connection = accept(listener, while: process, timeoutMilliseconds: timeoutMilliseconds) else {
            let stderr = ClientConvention.lastLines(process.standardError())
            if let ending = process.ending {
                return (
                    .violation(.must, "the client \(ending == .exited(127) ? "command was not found" : "exited (\(ending))") before connecting: \(stderr)"),
                    false
                )
            }
            return (.violation(.must, "the client never connected within \(timeoutMilliseconds) ms: \(stderr)"), false)
        }
        defer { connection.close() }
        connection.setNoDelay()

        // (`JSONValue` is nil-literal-expressible: spell out the absent params, not `nil`, which reads as `null`.)
        let asked: JSONValue? = legacy ? Optional.none : params
        let check = ClientRequestCheck(method: legacy ? nil : clientCase.id, params: asked, byteOrder: byteOrder)
        let reading = check.read(from: connection, timeoutMilliseconds: timeoutMilliseconds)
        // The second piece once the client has read the first (`LoopbackPeerReads`), so that its first
        // read returns part of the reply however busy the machine; the others 3 ms apart.
        for (index, piece) in pieces.enumerated() where !reading.closed {
            if index == 1 {
                _ = LoopbackPeerReads.waitUntilRead(by: connection, minimumMilliseconds: 3, boundMilliseconds: 1_000)
            } else if index > 1 {
                usleep(3_000)
            }
            guard (try? connection.writeAll(piece, timeoutMilliseconds: timeoutMilliseconds)) != nil else { break }
        }
        if clientCase.feedsBody, !reading.closed, !legacy {
            let watch = ClientOversizeFeed.feed(connection, while: process, boundMilliseconds: min(ClientOversizeFeed.boundMilliseconds, timeoutMilliseconds))
            if !watch.ended {
                process.kill()
                let announced = pieces.first.map { Int(byteOrder.value($0[0], $0[1], $0[2], $0[3])) } ?? 0
                let outcome = CaseOutcome.broke(
                    "conn.client-limit.limit",
                    "did not refuse the length: still running \(watch.milliseconds) ms after a prefix announcing \(announced) octets, over any limit, while \(watch.fed) body octets came (killed)",
                    details: [
                        "a client with a limit refuses the length as soon as it has the prefix, without waiting for the body (frame.limit-before-allocation.before-reading), and closes (frame.oversize-close.close)",
                        "stderr: " + ClientConvention.lastLines(process.standardError()),
                    ])
                return (withRequestProblems(outcome, reading), true)
            }
        }
        connection.shutdownWrite()

        // Wait for the client to end, reading (and dropping) whatever else it sends meanwhile.
        let servedAt = Date()
        while !process.hasEnded, Date().timeIntervalSince(servedAt) * 1_000 < Double(timeoutMilliseconds) {
            if (try? connection.waitUntilReadable(timeoutMilliseconds: 5)) == true {
                var drained = ByteBuffer()
                if (try? connection.read(into: &drained, nonBlocking: true)) ?? 0 == 0 { usleep(2_000) }
            }
        }
        let hung = !process.hasEnded
        if hung { process.kill() }
        let ending = ClientEnding(
            process: hung ? nil : process.ending, standardOutput: process.standardOutput(),
            standardError: process.standardError(), hungAfterMilliseconds: timeoutMilliseconds)
        let served = served(clientCase, pieces: pieces, byteOrder: byteOrder)
        var outcome = legacy ? ClientJudge.legacy(ending, served: served) : ClientJudge.convention(ending, served: served)
        if outcome.verdict == .failed, outcome.violations.isEmpty {
            outcome.violations = [Violation(requirement(clientCase, summary: outcome.summary), outcome.summary)]
            if let repair = ClientReplyEvidence.repair(ending, served: served) { outcome.violations.append(repair) }
        }
        if !legacy, outcome.verdict == .passed, clientCase.bodyNeverRead, let misread = ClientReplyEvidence.bodyRuleNamed(ending, stream: pieces.flatMap { $0 })
        {
            outcome = .broke([misread], details: ["stderr: " + ClientConvention.lastLines(ending.standardError)])
        }
        return (withRequestProblems(outcome, reading), true)
    }

    /// `outcome` with what was wrong with the client's request: a wrong request fails the case whatever
    /// the client then did, citing the sender requirement it breaks (none for what only `lpj-client/1`
    /// asks), with the octets it sent.
    static func withRequestProblems(_ outcome: CaseOutcome, _ reading: ClientRequestCheck.Reading) -> CaseOutcome {
        guard let first = reading.problems.first else { return outcome }
        let texts = reading.problems.map(\.text)
        let request = Evidence.hexDump(reading.received, around: 0, title: "the client's request")
        if outcome.verdict == .passed {
            return CaseOutcome(
                verdict: .failed, summary: first.text, details: Array(texts.dropFirst()) + request + ["and then: " + outcome.summary],
                violations: Violation.grouped(reading.violations))
        }
        var combined = outcome
        combined.details = texts + request + outcome.details
        combined.violations = Violation.grouped(reading.violations + outcome.violations)
        return combined
    }

    /// The client's connection, or `nil` when the process ended first or `timeoutMilliseconds` passed.
    static func accept(_ listener: Socket, while process: ClientProcess, timeoutMilliseconds: Int) -> Socket? {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1_000)
        while Date() < deadline {
            if (try? listener.waitUntilReadable(timeoutMilliseconds: 10)) == true, let connection = try? listener.accept() { return connection }
            // A process that ended may still have connected just before: look once more.
            if process.hasEnded {
                listener.setNonBlocking()
                return (try? listener.waitUntilReadable(timeoutMilliseconds: 0)) == true ? (try? listener.accept()) ?? nil : nil
            }
        }
        return nil
    }
}
