import Foundation
import LPJWire

extension CaseCatalog {
    /// The reference extensions, when the server lists them: `sleep` and `relay` (spec Section 8).
    ///
    /// Every case runs only when `lpj.describe` lists the method. Timing is judged only where the spec
    /// promises it: a sleep holds at least `ms` (measured from just before the request was written, so the
    /// measure can only be longer than the server's), a relay's `timeout` comes no earlier than
    /// `timeout_ms`; upper bounds are the run's time-out, generous on a busy machine. The relay cases
    /// host their own upstream on 127.0.0.1 (`LoopbackUpstream`) and see from its side what the relay sent.
    static let extensionCases: [CheckCase] = sleepCases + relayCases

    // MARK: sleep

    static let sleepCases: [CheckCase] = [
        CheckCase(
            "extension.sleep.waits",
            "sleep {\"ms\":300} answered slept no earlier than 300 ms, result equal to params; {\"ms\":100,\"tag\":\"x\"} likewise, the extra member ignored and echoed.",
            covers: [.sleepWaits, .sleepAnswer, .sleepResult, .sleepOtherMembers, .errorOutReserved], extraMilliseconds: 400
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            let plain = try sleeps(context, params: #"{"ms":300}"#, ms: 300)
            guard plain.verdict == .passed else { return plain }
            let tagged = try sleeps(context, params: #"{"ms":100,"tag":"x"}"#, ms: 100)
            guard tagged.verdict == .passed else { return tagged }
            return .passed("{\"ms\":300}: \(plain.summary); {\"ms\":100,\"tag\":\"x\"}: \(tagged.summary)")
        },
        CheckCase(
            "extension.sleep.integer-forms",
            "ms 0, 250.0 and 2.5e2 are integers (250.0 and 2.5e2 the integer 250): each slept, no earlier than its ms, result equal to params.",
            covers: [.sleepWaits, .sleepAnswer, .sleepResult], extraMilliseconds: 500
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            var summaries: [String] = []
            for (text, ms) in [(#"{"ms":0}"#, 0), (#"{"ms":250.0}"#, 250), (#"{"ms":2.5e2}"#, 250)] {
                var outcome = try sleeps(context, params: text, ms: ms)
                guard outcome.verdict == .passed else {
                    outcome.summary = "\(text): " + outcome.summary
                    return outcome
                }
                summaries.append("\(text) \(outcome.summary)")
            }
            return .passed(summaries.joined(separator: "; "))
        },
        CheckCase(
            "extension.sleep.invalid-params",
            "sleep with params null, [], \"100\", {}, or ms -1, 60001, 1.5, \"10\", true or null: each answered invalid-params at once.",
            covers: [.sleepInvalidParams, .errorKeepsConnection]
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            let params = [
                #"null"#, #"[]"#, #""100""#, #"{}"#, #"{"tag":"x"}"#, #"{"ms":-1}"#, #"{"ms":60001}"#, #"{"ms":1.5}"#,
                #"{"ms":"10"}"#, #"{"ms":true}"#, #"{"ms":null}"#,
            ]
            return try refusals(context, params.map(sleepBody), requirement: .sleepInvalidParams)
        },
        CheckCase(
            "extension.sleep.duplicate-ms",
            "sleep {\"ms\":1,\"ms\":400} follows the duplicates choice lpj.describe states: last sleeps 400 ms, first 1 ms, all and reject answer invalid-params.",
            covers: [.nestedDuplicatesReadKept, .nestedDuplicatesReadInvalid, .nestedDuplicatesNotJSONError], extraMilliseconds: 800
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            return try duplicateMilliseconds(context)
        },
        CheckCase(
            "extension.sleep.in-order",
            "One write: sleep 300 ms, then ping: the slept comes first, then the pong (a slow request holds up the ones behind it).",
            covers: [.inOrder, .pipeliningNoRefusal], extraMilliseconds: 3_900
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            let delivery = Delivery.oneWrite(context.frame(sleepBody(#"{"ms":300}"#)) + context.frame(Request(method: "ping", params: "behind")))
            let (connection, reply) = try context.exchange(delivery, count: 2, extraMilliseconds: 300)
            defer { connection.close() }
            return judgeWithSleeps(
                context, reply, expected: [Expectation(.response(out: "slept", result: ["ms": 300]), .inOrder), .pong("behind", .pipelining)],
                sleeps: [0: ["ms": 300]], connection: connection, delivery: delivery)
        },
        CheckCase(
            "extension.sleep.oversize-behind",
            "One write: sleep 300 ms, then a prefix over the limit: the slept comes first, then frame-too-large (if sent), then the close.",
            covers: [.oversizeAfterEarlier, .oversizeEarlierResponses, .oversizeCloses], extraMilliseconds: 300
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            let length = context.target.maxBodyIsStated ? context.target.maxBody + 1 : Int(UInt32.max)
            let prefix = FrameEncoder(byteOrder: context.target.byteOrder).prefix(forLength: length)
            let delivery = Delivery.oneWrite(context.frame(sleepBody(#"{"ms":300}"#)) + prefix)
            let (connection, reply) = try context.exchange(delivery, count: 2, extraMilliseconds: 300)
            defer { connection.close() }
            var expected = [Expectation(.response(out: "slept", result: ["ms": 300]), .oversizeEarlierResponses)]
            if reply.frames.count > 1 || !reply.closed { expected.append(.error(.frameTooLarge, .oversizeErrorReply)) }
            return judgeWithSleeps(
                context, reply, expected: expected, sleeps: [0: ["ms": 300]], connection: connection, delivery: delivery,
                afterwards: .closed(.oversizeCloses))
        },
        CheckCase(
            "extension.sleep.half-close", "One write: sleep 200 ms and a ping, then half-close: both answered, in order, then EOF.",
            covers: [.halfCloseAnswers, .halfCloseCloses], extraMilliseconds: 3_800
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            let delivery = Delivery.oneWrite(context.frame(sleepBody(#"{"ms":200}"#)) + context.frame(Request(method: "ping", params: "last")), halfClose: true)
            let (connection, reply) = try context.exchange(delivery, count: 2, extraMilliseconds: 200)
            defer { connection.close() }
            return judgeWithSleeps(
                context, reply, expected: [Expectation(.response(out: "slept", result: ["ms": 200]), .halfCloseAnswers), .pong("last", .halfCloseAnswers)],
                sleeps: [0: ["ms": 200]], connection: connection, delivery: delivery, afterwards: .closed(.halfCloseCloses))
        },
        CheckCase(
            "extension.sleep.idle-outstanding",
            "With an idle time-out of at most 5 s stated by lpj.describe: a sleep 300 ms longer than it is still answered (a request outstanding is not idleness).",
            covers: [.idleNotWhileOutstanding], extraMilliseconds: 5_300
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            return try sleepPastIdleTimeout(context)
        },
        CheckCase(
            "extension.sleep.pipelined",
            "20 sleeps of 10 ms pipelined in one write: all slept, in order; none refused as overloaded (20 outstanding is far from server-wide exhaustion).",
            covers: [.pipeliningNoRefusal, .overloadedOnlyServerWide, .pipelining], extraMilliseconds: 4_000
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            return try pipelinedSleeps(context)
        },
        CheckCase(
            "extension.sleep.maximum",
            "sleep {\"ms\":60000}, the inclusive maximum, is valid: no answer within 500 ms (it is held, not refused); then the connection is closed without waiting the minute. Only at a server that serves a second connection while one is open, which the held sleep does not stop.",
            covers: [.sleepWaits], extraMilliseconds: 1_000
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep") }
            let connection = try context.connect()
            defer { connection.close() }
            let other = try context.connect()
            defer { other.close() }
            if let oneAtATime = try servesTwoAtOnce(context, connection, other) {
                return .skipped("a sleep of 60,000 ms would hold the server a minute: " + oneAtATime.summary)
            }
            try connection.send(context.frame(sleepBody(#"{"ms":60000}"#)))
            let reply = connection.read(count: 1, timeoutMilliseconds: 500)
            guard let response = reply.responses.first else {
                if reply.closed { return .broke(.sleepWaits, "sleep {\"ms\":60000} got no answer: the connection closed at once", sent: connection.sent) }
                return .passed("no answer within 500 ms: held, not refused")
            }
            let violations = sleepAnswerViolations(response, params: ["ms": 60_000])
            guard violations.isEmpty else {
                return .broke(violations, details: Evidence.hexDump(connection.received, around: 0, title: "received"), sent: connection.sent)
            }
            return .broke(.sleepWaits, "sleep {\"ms\":60000} answered \(JSONWriter.string(response.json()).prefix(80)) within 500 ms", sent: connection.sent)
        },
    ]

    /// Each body on a fresh connection, answered invalid-params within the time-out (`requirement` when
    /// not), the connection then still answering a ping (`msg.error-keeps-connection`). The first failure.
    static func refusals(_ context: CheckContext, _ bodies: [[UInt8]], requirement: RequirementID) throws -> CaseOutcome {
        for body in bodies {
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1)
            defer { connection.close() }
            var outcome = context.judge(reply, expected: [.error(.invalidParams, requirement)], connection: connection, delivery: delivery)
            if outcome.verdict == .passed {
                // The error leaves the connection open: a ping sent after it is answered.
                try? connection.send(context.frame(Request(method: "ping", params: "after the error")))
                let after = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
                if after.responses.first?.errorResult?.code == WireError.Code.overloaded.rawValue {
                    outcome = .broke(
                        .overloadedOnlyServerWide,
                        "a ping sent after the invalid-params answer (nothing else outstanding) was answered overloaded: overloaded is only for server-wide exhaustion, never below 100 outstanding",
                        sent: connection.sent)
                } else if let malformed = CheckContext.malformedAnswer(after, to: "a ping sent after the invalid-params answer") {
                    outcome = .broke([malformed], sent: connection.sent)
                } else if after.responses.first?.out != "pong" {
                    outcome = .broke(
                        .errorKeepsConnection,
                        "after the invalid-params answer a ping on the same connection got \(after.frames.isEmpty ? Evidence.ending(after) : "no pong"): an error response keeps the connection open",
                        sent: connection.sent)
                }
            }
            if outcome.verdict != .passed {
                outcome.summary = "\(String(decoding: body.prefix(90), as: UTF8.self))\(body.count > 90 ? "…" : ""): " + outcome.summary
                return outcome
            }
        }
        return .passed("\(bodies.count) requests answered invalid-params, each connection then answering a ping")
    }

    /// The body of a sleep request whose params are the JSON text `params`, written as given.
    static func sleepBody(_ params: String) -> [UInt8] { Array(#"{"in":"sleep","params":\#(params)}"#.utf8) }

    /// Sends `delivery` on a fresh connection and reads `count` responses: the reply and the milliseconds
    /// from just before the first octet was written until the read ended.
    static func timedExchange(_ context: CheckContext, _ delivery: Delivery, count: Int, extraMilliseconds: Int) throws
        -> (connection: ProbeConnection, reply: ProbeConnection.Reply, milliseconds: Int)
    {
        let connection = try context.connect()
        let start = ContinuousClock.now
        try delivery.send(on: connection)
        let reply = connection.read(count: count, timeoutMilliseconds: context.target.timeoutMilliseconds + extraMilliseconds)
        return (connection, reply, Int((ContinuousClock.now - start).milliseconds))
    }

    /// The clock slack allowed on a sleep's lower bound: the runner's and the server's clocks tick apart.
    static let clockSlackMilliseconds = 2

    /// One sleep with valid `params` (JSON text) on a fresh connection: slept, after at least `ms`, with
    /// the params as result.
    static func sleeps(_ context: CheckContext, params text: String, ms: Int) throws -> CaseOutcome {
        let params = try JSONParser.parse(text)
        let delivery = Delivery.oneWrite(context.frame(sleepBody(text)))
        let (connection, reply, elapsed) = try timedExchange(context, delivery, count: 1, extraMilliseconds: ms)
        defer { connection.close() }
        let judged = judgeWithSleeps(
            context, reply, expected: [Expectation(.response(out: "slept", result: params), .sleepAnswer)], sleeps: [0: params],
            connection: connection, delivery: delivery)
        guard judged.verdict == .passed else { return judged }
        if elapsed < ms - clockSlackMilliseconds {
            return .broke(
                .sleepWaits, "sleep \(text) answered slept after \(elapsed) ms, counted from before the request was written: it must hold at least \(ms) ms",
                details: Evidence.hexDump(connection.received, around: 0, title: "received"), sent: connection.sent)
        }
        return .passed("slept after \(elapsed) ms")
    }

    /// What a response to a sleep with valid `params` breaks as that sleep's answer: an error (invalid-params
    /// for valid params breaks `ext.sleep.other-members` when params has other members, else
    /// `ext.sleep.waits`), an out other than "slept", a result other than the params. A pong is left to the
    /// order checks: it answers another request.
    static func sleepAnswerViolations(_ response: Response, params: JSONValue) -> [Violation] {
        let text = JSONWriter.string(params)
        if let error = response.errorResult {
            guard error.code == WireError.Code.invalidParams.rawValue else {
                return [Violation(.sleepAnswer, "sleep \(text) answered with error \(error), not slept")]
            }
            let others = params.objectValue?.members.contains { $0.name != "ms" } ?? false
            return [
                others
                    ? Violation(.sleepOtherMembers, "valid params \(text) answered invalid-params (\(error.message)): members other than ms are ignored")
                    : Violation(
                        .sleepWaits,
                        "valid params \(text) answered invalid-params (\(error.message)): ms is an integer from 0 to 60,000, so the request is held and slept")
            ]
        }
        if response.out == "pong" { return [] }
        if response.out != "slept" {
            return [Violation(.sleepAnswer, "sleep \(text) answered with out \"\(response.out)\", not \"slept\"")]
        }
        if !params.isSameValue(as: response.result) {
            return [
                Violation(
                    .sleepResult,
                    "the slept result \(JSONWriter.string(response.result).prefix(80)) is not the params \(text): \(params.firstDifference(from: response.result) ?? "they differ")"
                )
            ]
        }
        return []
    }

    /// The reply to requests among which `sleeps` (index to params) are sleeps with valid params, judged
    /// by what came back: an `overloaded` refusal first, then responses out of order, then the sleeps'
    /// own answers, then responses that stopped coming after some of a pipeline was answered; then
    /// everything `judge` checks.
    static func judgeWithSleeps(
        _ context: CheckContext, _ reply: ProbeConnection.Reply, expected: [Expectation], sleeps: [Int: JSONValue],
        connection: ProbeConnection, delivery: Delivery, afterwards: CheckContext.Afterwards = .either
    ) -> CaseOutcome {
        let evidence = { Evidence.hexDump(connection.received, around: 0, title: "received") }
        let overloaded = reply.frames.indices.filter { reply.frames[$0].response?.errorResult?.code == WireError.Code.overloaded.rawValue }
        if let first = overloaded.first {
            return .broke(overloadedViolations(context, first: first, count: overloaded.count, of: expected.count), details: evidence(), sent: connection.sent)
        }
        if CheckContext.reordering(reply, expected: expected) == nil {
            var violations: [Violation] = []
            for (index, frame) in reply.frames.enumerated() {
                guard let params = sleeps[index] else { continue }
                if let reserved = errorOutForSuccess(frame, params: params) { violations.append(reserved) }
                if let response = frame.response {
                    violations += sleepAnswerViolations(response, params: params).map {
                        Violation($0.requirement, (expected.count > 1 ? "response \(index + 1): " : "") + $0.summary)
                    }
                }
            }
            if !violations.isEmpty { return .broke(violations, details: evidence(), sent: connection.sent) }
        }
        let answered = reply.frames.count
        if answered >= 2, answered < expected.count, reply.framingError == nil,
            zip(reply.frames, expected).allSatisfy({ frame, expectation in frame.response.map { expectation.violations($0).isEmpty } ?? false })
        {
            return .broke(
                expected[answered].requirement,
                "\(answered) of \(expected.count) pipelined requests answered, in order; then \(Evidence.ending(reply)) (\(delivery.summary)): every pipelined request is answered",
                details: evidence(), sent: connection.sent)
        }
        return context.judge(reply, expected: expected, connection: connection, delivery: delivery, afterwards: afterwards)
    }

    /// A frame answering a sleep with `out` "error" and a result that is not an error object (the slept
    /// result, say): `out` "error" is reserved for error responses (`msg.error-response.out-reserved`).
    static func errorOutForSuccess(_ frame: ProbeConnection.Reply.Frame, params: JSONValue) -> Violation? {
        guard frame.response == nil, frame.error?.rule == .msgErrorResponse,
            let object = (try? JSONParser.parse(frame.body))?.objectValue, object["out"]?.stringValue == "error",
            let result = object["result"]
        else { return nil }
        let what = result.isSameValue(as: params) ? "the slept result (the params)" : JSONWriter.string(result).prefix(80).description
        return Violation(
            .errorOutReserved,
            "a sleep answered out \"error\" with \(what) as result: out \"error\" is only for error responses, a successful sleep answers \"slept\"")
    }

    /// `{"ms":1,"ms":400}`: judged against the `duplicates` choice `lpj.describe` states; informational
    /// when it states none.
    static func duplicateMilliseconds(_ context: CheckContext) throws -> CaseOutcome {
        let text = #"{"ms":1,"ms":400}"#
        let params = try JSONParser.parse(text)
        let stated = context.target.stated("duplicates")?.stringValue.flatMap { NestedDuplicates.behaviours.contains($0) ? $0 : nil }
        func attempt() throws -> (outcome: CaseOutcome?, response: Response?, elapsed: Int, connection: ProbeConnection) {
            let delivery = Delivery.oneWrite(context.frame(sleepBody(text)))
            let (connection, reply, elapsed) = try timedExchange(context, delivery, count: 1, extraMilliseconds: 400)
            connection.close()
            if let error = reply.responses.first?.errorResult, error.code == WireError.Code.invalidJSON.rawValue {
                return (
                    .broke(
                        .nestedDuplicatesNotJSONError, "duplicate member names inside params answered \(error): they are not a JSON grammar error",
                        sent: connection.sent), nil, elapsed, connection
                )
            }
            let judged = context.judge(
                reply, expected: [Expectation(.anyAnswer, stated == "last" || stated == "first" ? .nestedDuplicatesReadKept : .nestedDuplicatesReadInvalid)],
                connection: connection, delivery: delivery)
            if judged.verdict != .passed { return (judged, nil, elapsed, connection) }
            return (nil, reply.responses.first, elapsed, connection)
        }
        var (judged, answer, elapsed, connection) = try attempt()
        if let judged { return judged }
        guard var response = answer else { return .skipped("no response") }
        /// What the answer shows: "invalid-params", "slept N ms (read the last)", ...
        func reading(_ response: Response, _ elapsed: Int) -> String {
            if let error = response.errorResult { return "answered error \(error.code)" }
            return
                "answered \(response.out) after \(elapsed) ms (\(elapsed >= 400 - clockSlackMilliseconds ? "it read ms 400, the last" : "it read ms 1, the first"))"
        }
        let isInvalidParams = { (response: Response) in response.errorResult?.code == WireError.Code.invalidParams.rawValue }
        switch stated {
        case "all", "reject":
            if isInvalidParams(response) { return .passed("invalid-params, as duplicates \"\(stated!)\" requires") }
            return .broke(
                .nestedDuplicatesReadInvalid,
                "lpj.describe states duplicates \"\(stated!)\", so a sleep whose ms is duplicated must be answered invalid-params; it \(reading(response, elapsed))",
                sent: connection.sent)
        case "last":
            if response.errorResult == nil, response.out == "slept", elapsed >= 400 - clockSlackMilliseconds {
                return .passed("slept after \(elapsed) ms: the last ms, as duplicates \"last\" keeps")
            }
            return .broke(
                .nestedDuplicatesReadKept,
                "lpj.describe states duplicates \"last\", so sleep reads ms 400 and holds at least 400 ms; it \(reading(response, elapsed))",
                sent: connection.sent)
        case "first":
            if response.errorResult == nil, response.out == "slept", elapsed >= 400 - clockSlackMilliseconds {
                // 400 ms for a 1 ms sleep may be a stall of a busy machine: ask once more before judging.
                (judged, answer, elapsed, connection) = try attempt()
                if let judged { return judged }
                guard let again = answer else { return .skipped("no response") }
                response = again
            }
            if response.errorResult == nil, response.out == "slept", elapsed < 400 - clockSlackMilliseconds {
                return .passed("slept after \(elapsed) ms: the first ms, as duplicates \"first\" keeps")
            }
            return .broke(
                .nestedDuplicatesReadKept, "lpj.describe states duplicates \"first\", so sleep reads ms 1; it \(reading(response, elapsed))",
                sent: connection.sent)
        default:
            var note = ""
            // What the server's ping echo shows of its choice, for the reader.
            if let (pingConnection, pingReply) = try? context.exchange(
                context.frame(Array(#"{"in":"ping","params":\#(text)}"#.utf8)), halfClose: false, count: 1)
            {
                pingConnection.close()
                if let echo = pingReply.responses.first, let behaviour = NestedDuplicates.behaviour(of: echo, params: params) {
                    note = "; its ping echo of the same params shows behaviour \"\(behaviour)\""
                    if (behaviour == "all" || behaviour == "reject") && !isInvalidParams(response) {
                        note += ", under which sleep must answer invalid-params (body.nested-duplicates.read-invalid)"
                    }
                }
            }
            return .informational(
                "{\"ms\":1,\"ms\":400} \(reading(response, elapsed)); lpj.describe states no duplicates choice, so any permitted behaviour is accepted\(note)")
        }
    }

    /// Reads the first response on each of `connections`, whichever comes first, and closes each as soon
    /// as its response is in (or it ended): a server that serves one connection at a time moves on to the
    /// next only then. Each reply ends at its response, EOF or the time-out, counted from the call.
    static func firstResponses(_ connections: [ProbeConnection], timeoutMilliseconds: Int) -> [ProbeConnection.Reply] {
        var replies = connections.map { _ in ProbeConnection.Reply() }
        var pending = Set(connections.indices)
        let end = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while !pending.isEmpty {
            let timedOut = ContinuousClock.now >= end
            for index in pending.sorted() {
                let part = connections[index].read(count: 1, timeoutMilliseconds: timedOut ? 0 : 10)
                replies[index].frames += part.frames
                replies[index].closed = part.closed
                replies[index].reset = part.reset
                replies[index].framingError = part.framingError
                replies[index].endless = part.endless
                replies[index].timedOut = timedOut
                if !part.frames.isEmpty || part.closed || part.framingError != nil || part.endless || timedOut {
                    pending.remove(index)
                    connections[index].close()
                }
            }
        }
        return replies
    }

    /// A sleep 300 ms longer than the idle time-out `lpj.describe` states, when that is at most 5 s.
    static func sleepPastIdleTimeout(_ context: CheckContext) throws -> CaseOutcome {
        guard let stated = context.target.stated("idleTimeoutMs") else {
            return .skipped("lpj.describe states no idleTimeoutMs: the runner cannot know a time-out to outlast")
        }
        guard let number = stated.numberValue, number.doubleValue.rounded() == number.doubleValue, number.doubleValue >= 1 else {
            return .skipped("lpj.describe states idleTimeoutMs \(JSONWriter.string(stated).prefix(40)): no idle time-out to outlast")
        }
        guard number.doubleValue <= 5_000 else {
            return .skipped("the stated idle time-out (\(number) ms) is over 5 s: outlasting it would make the run too slow")
        }
        let idle = Int(number.doubleValue)
        let ms = idle + 300
        let delivery = Delivery.oneWrite(context.frame(sleepBody(#"{"ms":\#(ms)}"#)))
        let (connection, reply, elapsed) = try timedExchange(context, delivery, count: 1, extraMilliseconds: ms)
        defer { connection.close() }
        if reply.frames.isEmpty, reply.closed {
            return .broke(
                .idleNotWhileOutstanding,
                "the server closed the connection \(elapsed) ms into a sleep of \(ms) ms (\(Evidence.ending(reply))): with an idle time-out of \(idle) ms it must not close while the sleep is outstanding",
                sent: connection.sent)
        }
        let params: JSONValue = ["ms": .number(JSONNumber(ms))]
        return judgeWithSleeps(
            context, reply, expected: [Expectation(.response(out: "slept", result: params), .idleNotWhileOutstanding)], sleeps: [0: params],
            connection: connection, delivery: delivery)
    }

    /// 20 sleeps of 10 ms in one write: every one slept, in order, none overloaded.
    static func pipelinedSleeps(_ context: CheckContext) throws -> CaseOutcome {
        let params: [JSONValue] = (0..<20).map { ["ms": 10, "seq": .number(JSONNumber($0))] }
        let delivery = Delivery.oneWrite(params.flatMap { context.frame(Request(method: "sleep", params: $0)) })
        let (connection, reply) = try context.exchange(delivery, count: params.count, extraMilliseconds: 400)
        defer { connection.close() }
        return judgeWithSleeps(
            context, reply, expected: params.map { Expectation(.response(out: "slept", result: $0), .pipelining) },
            sleeps: Dictionary(uniqueKeysWithValues: params.enumerated().map { ($0.offset, $0.element) }),
            connection: connection, delivery: delivery)
    }

    /// Why a request got `overloaded` (response `first` of `total` on one connection, `count` in all): with
    /// at most a few dozen requests outstanding on the whole server it is never server-wide exhaustion.
    /// Twelve sleeps on twelve connections at once tell whether the server counts one connection's
    /// requests (`conn.pipelining.no-refusal`) or all of them.
    static func overloadedViolations(_ context: CheckContext, first: Int, count: Int, of total: Int) -> [Violation] {
        let serverWide = Violation(
            .overloadedOnlyServerWide,
            "response \(first + 1) of \(total) on one connection\(count > 1 ? " (and \(count - 1) more)" : "") is overloaded, with at most \(total) requests outstanding on the whole server: overloaded is only for server-wide exhaustion, never below 100 outstanding"
        )
        var probes: [ProbeConnection] = []
        defer { for probe in probes { probe.close() } }
        for index in 0..<12 {
            guard let probe = try? context.connect() else { break }
            probes.append(probe)
            try? probe.send(context.frame(sleepBody(#"{"ms":300,"probe":\#(index)}"#)))
        }
        let replies = firstResponses(probes, timeoutMilliseconds: context.target.timeoutMilliseconds + 12 * 300)
        let refused = replies.filter { $0.responses.first?.errorResult?.code == WireError.Code.overloaded.rawValue }.count
        let served = replies.filter { $0.responses.first?.out == "slept" }.count
        if first > 0, refused == 0, served == probes.count, !probes.isEmpty {
            return [
                Violation(
                    .pipeliningNoRefusal,
                    "response \(first + 1) of \(total) requests pipelined on one connection is overloaded (with up to \(first) earlier ones outstanding on it), while \(served) sleeps on \(served) connections at once are all served: the refusal counts one connection's outstanding requests"
                ),
                serverWide,
            ]
        }
        return [
            Violation(
                serverWide.requirement, serverWide.summary + "; \(refused) of \(probes.count) sleeps sent at once on separate connections were refused too")
        ]
    }

    // MARK: relay

    static let relayCases: [CheckCase] = [
        CheckCase(
            "extension.relay.pass-through",
            "relay ping [1,\"x\"] to a loopback upstream: the upstream gets exactly one request, ping [1,\"x\"], little-endian; its pong comes back unchanged; an unknown member of params is ignored.",
            covers: [.relayPassThrough, .relayOneUpstreamRequest, .relayOtherMembers], extraMilliseconds: 200
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try relayPassThrough(context)
        },
        CheckCase(
            "extension.relay.error-codes",
            "An upstream error with a registered code (unknown-method) is passed through; one with an unregistered code (\"teapot\") becomes upstream-error.",
            covers: [.relayPassThrough, .relayUnregisteredCode], extraMilliseconds: 200
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try relayErrorCodes(context)
        },
        CheckCase(
            "extension.relay.timeout", "relay to an upstream that never answers, timeout_ms 200: answered timeout, no earlier than 200 ms.",
            covers: [.relayTimeout], extraMilliseconds: 400
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try relayTimeout(context)
        },
        CheckCase(
            "extension.relay.late-reply",
            "An upstream that answers after 400 ms, timeout_ms 150: timeout; then a relay to the same upstream gets its own reply, never the late one.",
            covers: [.relayLateReply, .relayTimeout], extraMilliseconds: 800
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try relayLateReply(context)
        },
        CheckCase(
            "extension.relay.upstream-errors",
            "An upstream that closes at once, one that answers a frame that is not JSON, one whose response lacks result, and a refused port: each answered upstream-error.",
            covers: [.relayUpstreamError], extraMilliseconds: 400
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try relayUpstreamErrors(context)
        },
        CheckCase(
            "extension.relay.invalid-params",
            "relay without host, with port 0, 70000 or \"x\", without in, without params, with timeout_ms 0, or params not an object: each invalid-params at once.",
            covers: [.relayInvalidParams, .errorKeepsConnection]
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            let upstream = try LoopbackUpstream.echo()
            defer { upstream.stop() }
            let port = upstream.port
            let params = [
                #"{"port":\#(port),"in":"ping","params":null}"#,
                #"{"host":7,"port":\#(port),"in":"ping","params":null}"#,
                #"{"host":"127.0.0.1","port":0,"in":"ping","params":null}"#,
                #"{"host":"127.0.0.1","port":70000,"in":"ping","params":null}"#,
                #"{"host":"127.0.0.1","port":"x","in":"ping","params":null}"#,
                #"{"host":"127.0.0.1","port":\#(port).5,"in":"ping","params":null}"#,
                #"{"host":"127.0.0.1","port":\#(port),"params":null}"#,
                #"{"host":"127.0.0.1","port":\#(port),"in":"ping"}"#,
                #"{"host":"127.0.0.1","port":\#(port),"in":"ping","params":null,"timeout_ms":0}"#,
                #"null"#, #"[]"#,
            ]
            return try refusals(context, params.map(relayBody), requirement: .relayInvalidParams)
        },
    ]

    /// The body of a relay request whose params are the JSON text `params`.
    static func relayBody(_ params: String) -> [UInt8] { Array(#"{"in":"relay","params":\#(params)}"#.utf8) }

    /// Relay params for a call to 127.0.0.1:`port`: method `method`, upstream params `params` (JSON text),
    /// then `more` members (JSON text, with its leading comma).
    static func relayParams(port: Int, method: String, params: String, more: String = "") -> String {
        #"{"host":"127.0.0.1","port":\#(port),"in":"\#(method)","params":\#(params)\#(more)}"#
    }

    /// When the server refuses the loopback upstream (invalid-params whose message names the address or
    /// a restriction, `ext.relay.refused-upstream`), the reason to skip: a legal configuration.
    static func refusedUpstream(_ reply: ProbeConnection.Reply, port: Int) -> String? {
        guard let error = reply.responses.first?.errorResult, error.code == WireError.Code.invalidParams.rawValue else { return nil }
        let message = error.message.lowercased()
        let hints = ["allow", "refus", "permit", "forbid", "restrict", "loopback", "127.0.0.1"]
        guard hints.contains(where: { message.contains($0) }) else { return nil }
        return
            "the server refuses the loopback upstream 127.0.0.1:\(port) (\"\(error.message)\"), a restriction ext.relay.upstreams allows: relay cannot be checked against an upstream the runner hosts"
    }

    /// One relay call on `connection`: the reply and the milliseconds from before the write to the end of
    /// the read.
    static func relayCall(_ context: CheckContext, on connection: ProbeConnection, _ params: String, waitMilliseconds: Int) throws
        -> (reply: ProbeConnection.Reply, milliseconds: Int, delivery: Delivery)
    {
        let delivery = Delivery.oneWrite(context.frame(relayBody(params)))
        let start = ContinuousClock.now
        try delivery.send(on: connection)
        let reply = connection.read(count: 1, timeoutMilliseconds: waitMilliseconds)
        return (reply, Int((ContinuousClock.now - start).milliseconds), delivery)
    }

    /// What the upstream saw of one relay call: it must have read exactly one request, `method` with
    /// `params`, from index `from` of its requests on.
    static func upstreamViolations(_ upstream: LoopbackUpstream, from: Int, method: String, params: JSONValue, answered reply: ProbeConnection.Reply)
        -> [Violation]
    {
        // The request is read by the upstream's own thread: give it a moment to be counted, and a second
        // (duplicate, retried) request a moment to arrive.
        upstream.wait(milliseconds: 200) { $0.arrivals > from }
        upstream.wait(milliseconds: 50) { $0.arrivals > from + 1 }
        let upstreamName = "the upstream 127.0.0.1:\(upstream.port)"
        if let unreadable = upstream.unreadable.first {
            return [Violation(.relayOneUpstreamRequest, "\(upstreamName) got \(unreadable): a relay writes its request as an LPJ client, little-endian")]
        }
        let requests = Array(upstream.requests.dropFirst(from))
        guard let received = requests.first else {
            let answer = reply.responses.first.map { $0.errorResult.map { "error \($0)" } ?? "out \"\($0.out)\"" } ?? Evidence.ending(reply)
            return [
                Violation(
                    .relayOneUpstreamRequest,
                    "\(upstreamName) received no request for a relay call with valid params (the server answered \(answer)): it must send the upstream exactly one request"
                )
            ]
        }
        if requests.count > 1 {
            return [Violation(.relayOneUpstreamRequest, "\(upstreamName) received \(requests.count) requests for one relay call: exactly one is sent")]
        }
        guard let request = received.request else {
            return [
                Violation(
                    .relayOneUpstreamRequest,
                    "\(upstreamName) received a frame that is not a valid request (\(received.problem ?? "?")): \(String(decoding: received.body.prefix(80), as: UTF8.self))"
                )
            ]
        }
        let expected = #"{"in":"\#(method)","params":\#(JSONWriter.string(params))}"#
        if request.method != method || !request.params.isSameValue(as: params) {
            return [
                Violation(.relayOneUpstreamRequest, "\(upstreamName) received \(String(decoding: received.body.prefix(100), as: UTF8.self)), not \(expected)")
            ]
        }
        let others = received.memberNames.filter { $0 != "in" && $0 != "params" }
        if !others.isEmpty {
            return [
                Violation(
                    .relayOneUpstreamRequest,
                    "the upstream request has members \(others.joined(separator: ", ")) besides in and params: the relay sends \(expected)")
            ]
        }
        return []
    }

    /// Puts the violations of `first` before the others (the case's subject before what follows from it).
    static func subjectFirst(_ outcome: CaseOutcome, _ first: Set<RequirementID>) -> CaseOutcome {
        guard !outcome.violations.isEmpty else { return outcome }
        let ordered = outcome.violations.filter { first.contains($0.requirement) } + outcome.violations.filter { !first.contains($0.requirement) }
        return .broke(ordered, details: outcome.details, sent: outcome.sent)
    }

    /// One relay call on `connection` to 127.0.0.1:`port`, judged from both sides. Returns the outcome to
    /// end the case with (a skip when the server refuses the loopback upstream and `mayRefuse`, a failure),
    /// or nil when the answer meets `expectation`; and the reply with its time.
    ///
    /// In order: what `upstream` saw (exactly one request, method `method` with params `sent`), silence
    /// (no answer at all within `wait`, charged as `silence` when given), an `overloaded` answer, then
    /// `judge` with the violations of `subject` first.
    static func relayStep(
        _ context: CheckContext, on connection: ProbeConnection, upstream: LoopbackUpstream?, port: Int, method: String = "ping",
        sent: JSONValue, more: String = "", wait: Int, mayRefuse: Bool, expectation: Expectation, subject: Set<RequirementID>,
        silence: Violation? = nil
    ) throws -> (outcome: CaseOutcome?, reply: ProbeConnection.Reply, milliseconds: Int) {
        let from = upstream?.arrivals ?? 0
        let (reply, elapsed, delivery) = try relayCall(
            context, on: connection, relayParams(port: port, method: method, params: JSONWriter.string(sent), more: more),
            waitMilliseconds: wait)
        if mayRefuse, let reason = refusedUpstream(reply, port: port) { return (.skipped(reason), reply, elapsed) }
        let evidence = Evidence.hexDump(connection.received, around: 0, title: "received")
        if let upstream {
            let seen = upstreamViolations(upstream, from: from, method: method, params: sent, answered: reply)
            if !seen.isEmpty { return (.broke(seen, details: evidence, sent: connection.sent), reply, elapsed) }
        }
        if let silence, reply.frames.isEmpty, !reply.closed {
            return (.broke([silence], sent: connection.sent), reply, elapsed)
        }
        if reply.responses.first?.errorResult?.code == WireError.Code.overloaded.rawValue {
            return (.broke(overloadedViolations(context, first: 0, count: 1, of: 1), details: evidence, sent: connection.sent), reply, elapsed)
        }
        let judged = subjectFirst(context.judge(reply, expected: [expectation], connection: connection, delivery: delivery), subject)
        return (judged.verdict == .passed ? nil : judged, reply, elapsed)
    }

    static func relayPassThrough(_ context: CheckContext) throws -> CaseOutcome {
        let upstream = try LoopbackUpstream.echo()
        defer { upstream.stop() }
        let connection = try context.connect()
        defer { connection.close() }
        let wait = context.target.timeoutMilliseconds
        let upstreamParams: JSONValue = [1, "x"]
        let first = try relayStep(
            context, on: connection, upstream: upstream, port: upstream.port, sent: upstreamParams, wait: wait, mayRefuse: true,
            expectation: Expectation(.response(out: "pong", result: upstreamParams), .relayPassThrough), subject: [.relayPassThrough])
        if let outcome = first.outcome { return outcome }

        // A member the table does not have is ignored (ext.relay.other-members).
        let other = try relayStep(
            context, on: connection, upstream: nil, port: upstream.port, sent: "other members", more: #","note":"ignored""#, wait: wait,
            mayRefuse: false, expectation: Expectation(.response(out: "pong", result: "other members"), .relayOtherMembers),
            subject: [.relayOtherMembers])
        if let error = other.reply.responses.first?.errorResult, error.code == WireError.Code.invalidParams.rawValue {
            return .broke(
                .relayOtherMembers,
                "relay params with an extra member \"note\" answered invalid-params (\(error.message)): members other than host, port, in, params and timeout_ms are ignored",
                sent: connection.sent)
        }
        if let outcome = other.outcome { return outcome }
        let calls = upstream.arrivals
        if calls != 2 {
            return .broke(
                .relayOneUpstreamRequest, "the upstream received \(calls) requests for the second relay call and the first together: one per call",
                sent: connection.sent)
        }
        return .passed("the upstream got one ping per call, its pong came back unchanged, an unknown member was ignored")
    }

    static func relayErrorCodes(_ context: CheckContext) throws -> CaseOutcome {
        let registered: JSONValue = ["code": "unknown-method", "message": "no method named \"brew\"", "rule": "msg.unknown-method"]
        let unregistered: JSONValue = ["code": "teapot", "message": "short and stout"]
        let upstream = try LoopbackUpstream { request in
            guard request.method == "brew" else { return .reply(Response(out: "pong", result: request.params)) }
            return .reply(Response(out: "error", result: request.params == "registered" ? registered : unregistered))
        }
        defer { upstream.stop() }
        let wait = context.target.timeoutMilliseconds
        let connection = try context.connect()
        defer { connection.close() }

        let first = try relayStep(
            context, on: connection, upstream: upstream, port: upstream.port, method: "brew", sent: "registered", wait: wait, mayRefuse: true,
            expectation: .error(.unknownMethod, .relayPassThrough), subject: [.relayPassThrough])
        if let outcome = first.outcome { return outcome }
        if let result = first.reply.responses.first?.result, !registered.isSameValue(as: result) {
            return .broke(
                .relayPassThrough,
                "the upstream's unknown-method error came back changed: \(registered.firstDifference(from: result) ?? "it differs") (got \(JSONWriter.string(result).prefix(120)))",
                sent: connection.sent)
        }

        let before = connection.received.count
        let second = try relayStep(
            context, on: connection, upstream: upstream, port: upstream.port, method: "brew", sent: "unregistered", wait: wait, mayRefuse: false,
            expectation: .error(.upstreamError, .relayUnregisteredCode), subject: [.relayUnregisteredCode])
        if let error = second.reply.responses.first?.errorResult, error.code == "teapot" {
            return .broke(
                [
                    Violation(
                        .relayUnregisteredCode,
                        "the upstream's error code \"teapot\", which is not in the registry, was passed through: the relay answers upstream-error"),
                    Violation(.errorCodeRegistered, "the relay's own response carries the unregistered code \"teapot\""),
                ],
                details: Evidence.hexDump(Array(connection.received.dropFirst(before)), around: 0, title: "received"), sent: connection.sent)
        }
        if let outcome = second.outcome { return outcome }
        if let message = second.reply.responses.first?.errorResult?.message, !message.contains("teapot") {
            return .broke(
                .relayUnregisteredCode,
                "upstream-error for the upstream's unregistered code, but the message does not name it (\"teapot\"): \"\(message.prefix(120))\"",
                sent: connection.sent)
        }
        return .passed("unknown-method passed through unchanged; \"teapot\" answered upstream-error naming the code")
    }

    static func relayTimeout(_ context: CheckContext) throws -> CaseOutcome {
        let upstream = try LoopbackUpstream { request in request.method == "hold" ? .hold : .reply(Response(out: "pong", result: request.params)) }
        defer { upstream.stop() }
        let connection = try context.connect()
        defer { connection.close() }
        let allowed = 200
        let wait = allowed + context.target.timeoutMilliseconds
        let silence = Violation(
            .relayTimeout,
            "no answer within \(wait) ms to a relay with timeout_ms \(allowed) whose upstream never answers: the call ends with timeout once \(allowed) ms have passed"
        )
        let step = try relayStep(
            context, on: connection, upstream: upstream, port: upstream.port, method: "hold", sent: nil, more: #","timeout_ms":\#(allowed)"#,
            wait: wait, mayRefuse: true, expectation: .error(.timeout, .relayTimeout), subject: [.relayTimeout], silence: silence)
        if let outcome = step.outcome { return outcome }
        if step.milliseconds < allowed - clockSlackMilliseconds {
            return .broke(
                .relayTimeout, "answered timeout after \(step.milliseconds) ms, before the \(allowed) ms of timeout_ms had passed", sent: connection.sent)
        }
        return .passed("timeout after \(step.milliseconds) ms")
    }

    static func relayLateReply(_ context: CheckContext) throws -> CaseOutcome {
        let upstream = try LoopbackUpstream { request in
            request.params == "late"
                ? .replyAfter(milliseconds: 400, Response(out: "pong", result: "late")) : .reply(Response(out: "pong", result: request.params))
        }
        defer { upstream.stop() }
        let connection = try context.connect()
        defer { connection.close() }
        let allowed = 150
        let wait = context.target.timeoutMilliseconds
        let first = try relayStep(
            context, on: connection, upstream: upstream, port: upstream.port, sent: "late", more: #","timeout_ms":\#(allowed)"#,
            wait: allowed + wait, mayRefuse: true, expectation: .error(.timeout, .relayTimeout), subject: [.relayTimeout])
        if first.reply.responses.first?.out == "pong" {
            return .broke(
                .relayTimeout,
                "a relay with timeout_ms \(allowed) to an upstream answering after 400 ms got the upstream's pong after \(first.milliseconds) ms instead of timeout",
                sent: connection.sent)
        }
        if let outcome = first.outcome { return outcome }
        if first.milliseconds < allowed - clockSlackMilliseconds {
            return .broke(
                .relayTimeout, "answered timeout after \(first.milliseconds) ms, before the \(allowed) ms of timeout_ms had passed", sent: connection.sent)
        }
        // The same upstream again, while its late reply is still to come.
        let second = try relayStep(
            context, on: connection, upstream: upstream, port: upstream.port, sent: "now", more: #","timeout_ms":\#(wait)"#,
            wait: wait + 400, mayRefuse: false, expectation: Expectation(.response(out: "pong", result: "now"), .relayPassThrough),
            subject: [.relayPassThrough])
        if second.reply.responses.first.map({ $0.out == "pong" && $0.result == "late" }) == true {
            return .broke(
                .relayLateReply,
                "the second relay call to 127.0.0.1:\(upstream.port) was answered with \"late\", the reply to the first call, which had timed out: a late reply is never matched to another call",
                details: Evidence.hexDump(connection.received, around: 0, title: "received"), sent: connection.sent)
        }
        if let outcome = second.outcome { return outcome }
        return .passed("timeout after \(first.milliseconds) ms; the next call to the same upstream got its own reply")
    }

    static func relayUpstreamErrors(_ context: CheckContext) throws -> CaseOutcome {
        let upstream = try LoopbackUpstream { request in
            switch request.params {
            case "close": return .close
            case "not json": return .replyBody(Array(#"{"out":"pong","result":"#.utf8))
            case "no result": return .replyBody(Array(#"{"out":"pong"}"#.utf8))
            default: return .reply(Response(out: "pong", result: request.params))
            }
        }
        defer { upstream.stop() }
        let refusedPort = try LoopbackUpstream.closedPort()
        let wait = context.target.timeoutMilliseconds
        let calls: [(upstream: LoopbackUpstream?, port: Int, sent: JSONValue, what: String)] = [
            (upstream, upstream.port, "close", "an upstream that closes the connection without answering"),
            (upstream, upstream.port, "not json", "an upstream answering a frame that is not JSON"),
            (upstream, upstream.port, "no result", "an upstream answering a response without result"),
            (nil, refusedPort, "refused", "a port where nothing listens (connection refused)"),
        ]
        for (index, call) in calls.enumerated() {
            let connection = try context.connect()
            defer { connection.close() }
            let step = try relayStep(
                context, on: connection, upstream: call.upstream, port: call.port, sent: call.sent, more: #","timeout_ms":\#(wait)"#,
                wait: 2 * wait, mayRefuse: index == 0, expectation: .error(.upstreamError, .relayUpstreamError), subject: [.relayUpstreamError])
            if var outcome = step.outcome {
                if outcome.verdict != .skipped { outcome.summary = "\(call.what): " + outcome.summary }
                return outcome
            }
        }
        return .passed("each of \(calls.map(\.what).joined(separator: "; ")) answered upstream-error")
    }
}
