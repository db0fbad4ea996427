import Foundation
import LPJWire

/// What a case works with: the target, fresh connections, and the judge of replies.
public final class CheckContext: Sendable {
    public let target: CheckTarget
    /// Whether the server gave a valid pong at the probe; if not, liveness only asks for any octets back.
    public let pongsAtProbe: Bool

    public init(target: CheckTarget, pongsAtProbe: Bool = true) {
        self.target = target
        self.pongsAtProbe = pongsAtProbe
    }

    /// A fresh connection in the target's byte order (or `byteOrder`). The greeting of a server that
    /// greets (`CheckTarget.greeting`) is set aside on it, unless `settingAsideGreeting` is false: the one
    /// case about it sees it.
    public func connect(byteOrder: ByteOrder? = nil, settingAsideGreeting: Bool = true) throws -> ProbeConnection {
        let connection = try ProbeConnection(
            host: target.host, port: target.port, byteOrder: byteOrder ?? target.byteOrder,
            timeoutMilliseconds: target.timeoutMilliseconds, responseLimit: target.maxBody + 65_536)
        if settingAsideGreeting { connection.greetingToSetAside = target.greeting }
        return connection
    }

    /// The frame of `body` in the target's byte order.
    public func frame(_ body: [UInt8]) -> [UInt8] { FrameEncoder(byteOrder: target.byteOrder).frame(body) }

    /// The frame of `request` in the target's byte order.
    public func frame(_ request: Request) -> [UInt8] { frame(request.body()) }

    /// Sends `delivery` on a fresh connection and reads until `count` responses, EOF or the time-out.
    ///
    /// A refusal (`isRefusal`) of a delivery with a whole request in it, while the checker holds fewer
    /// than 8 connections, is tried again on a fresh connection after 50, 100, 200 and 400 ms, while the
    /// case has time: the server may still count connections the checker closed a moment ago, since
    /// nothing bounds how soon it must notice a close, and then refuses legally. A refusal that lasts is
    /// returned like any other reply, to be judged.
    public func exchange(_ delivery: Delivery, count: Int? = nil, extraMilliseconds: Int = 0, byteOrder: ByteOrder? = nil) throws -> (
        ProbeConnection, ProbeConnection.Reply
    ) {
        var pause = 50
        while true {
            let connection = try connect(byteOrder: byteOrder)
            try delivery.send(on: connection)
            let reply = connection.read(count: count, timeoutMilliseconds: target.timeoutMilliseconds + extraMilliseconds)
            guard pause <= 400, Self.isRefusal(reply, received: connection.received), ProbeConnection.openCount <= 8,
                !FrameWalk.completeFrameLengths(delivery.bytes, order: byteOrder ?? target.byteOrder, limit: target.maxBody).isEmpty,
                (CaseDeadline.remainingMilliseconds ?? Int.max) > pause + 2 * target.timeoutMilliseconds
            else { return (connection, reply) }
            connection.close()
            usleep(UInt32(pause) * 1_000)
            pause *= 2
        }
    }

    /// Sends `bytes` in one write on a fresh connection, optionally half-closes, and reads.
    public func exchange(_ bytes: [UInt8], halfClose: Bool = true, count: Int? = nil) throws -> (ProbeConnection, ProbeConnection.Reply) {
        try exchange(.oneWrite(bytes, halfClose: halfClose), count: count)
    }

    /// Whether a fresh connection gets its pong: the liveness check after every case.
    ///
    /// A refusal — the connection refused, closed without an answer, or its ping answered `overloaded` —
    /// is tried again after 50, 100, 200, 400 and 800 ms, while the case has time: a server at its
    /// connection limit may still count the case's connections, since nothing bounds how soon it must
    /// notice a client's close, and then refuses legally (`sec.connection-limit.refuse`). Silence is no
    /// refusal and is not tried again. An answered connection is half-closed and its end of stream
    /// awaited (250 ms at most), so that it no longer counts against the limit when the next case connects.
    public func serverAnswers() -> Bool {
        var pause = 50
        for attempt in 0..<6 {
            if attempt > 0 {
                guard (CaseDeadline.remainingMilliseconds ?? 2_000) > pause + 200 else { return false }
                usleep(UInt32(pause) * 1_000)
                pause *= 2
            }
            guard let (connection, reply) = try? exchange(frame(Request(method: "ping", params: "alive?")), halfClose: false, count: 1)
            else { continue }
            if Self.isRefusal(reply, received: connection.received) {
                connection.close()
                continue
            }
            connection.closeAfterServerEnds(timeoutMilliseconds: 250)
            return pongsAtProbe ? reply.responses.first.map({ $0.out == "pong" }) == true : !connection.received.isEmpty
        }
        return false
    }

    /// Whether `reply`, to the first request on a fresh connection that received `received`, is a
    /// server's refusal of the connection (`sec.connection-limit.refuse`): an `overloaded` answer, or a
    /// close before any octet.
    static func isRefusal(_ reply: ProbeConnection.Reply, received: [UInt8]) -> Bool {
        if let first = reply.responses.first { return first.errorResult?.code == WireError.Code.overloaded.rawValue }
        return reply.frames.isEmpty && reply.closed && received.isEmpty
    }

    /// What the connection must do once the expected responses are in.
    public enum Afterwards: Sendable {
        /// Stay open: a following ping is answered. `requirement` is broken when it is not.
        case open(RequirementID)
        /// Close (EOF or reset) without sending more; `requirement` is broken when it stays open.
        case closed(RequirementID)
        /// Either.
        case either
    }

    /// Judges the reply to `delivery` against the responses a conforming server sends, in order.
    ///
    /// Every frame that came back is checked as a response first (a server is a sender too), then against
    /// its expectation. When expected responses are missing, the runner asks why before it blames the
    /// case's content: it repeats the delivery with harmless pings of the same lengths, then in one write
    /// without half-close, so a server that cannot take the delivery is charged with that, not with what
    /// the octets said.
    public func judge(
        _ reply: ProbeConnection.Reply, expected: [Expectation], connection: ProbeConnection,
        delivery: Delivery, afterwards: Afterwards = .either
    ) -> CaseOutcome {
        var reply = reply
        let inspection = ResponseInspection.inspect(reply, connection: connection)
        var violations = inspection.violations
        let reordered = Self.reordering(reply, expected: expected)
        if let reordered {
            violations.append(reordered)
        } else if let greeting = Self.unsolicitedFirst(reply, expected: expected) {
            violations.append(greeting)
            reply.frames.removeFirst()
        } else {
            let sentPrefixes = PrefixMisreading.prefixes(of: delivery.bytes, order: connection.byteOrder)
            for (index, expectation) in expected.enumerated() where index < min(reply.frames.count, inspection.trustedFrames) {
                guard let response = reply.frames[index].response else {
                    if expectation.isError, !Self.isErrorResponse(reply.frames[index].body) {
                        violations.append(
                            Violation(
                                expectation.requirement,
                                "response \(index + 1): the request was answered as if accepted (expected \(expectation)), and the answer is itself broken"))
                    }
                    continue
                }
                if !expectation.expectsFrameTooLarge, index < sentPrefixes.count,
                    let misread = PrefixMisreading.violation(
                        response, prefix: sentPrefixes[index], position: index, order: connection.byteOrder, detects: target.detectsByteOrder)
                {
                    violations.append(Violation(misread.requirement, "response \(index + 1): " + misread.summary))
                    continue
                }
                if let refusal = Self.overloadedRefusal(response, expectation: expectation, pipelined: expected.count > 1) {
                    violations.append(Violation(refusal.requirement, "response \(index + 1): " + refusal.summary))
                    continue
                }
                violations += expectation.violations(response).map { Violation($0.requirement, "response \(index + 1): " + $0.summary) }
            }
        }
        if reply.frames.count > expected.count, inspection.trustedFrames >= reply.frames.count {
            violations.append(Violation(.oneResponse, "\(reply.frames.count - expected.count) response(s) more than the \(expected.count) expected"))
        }
        var details: [String] = []
        let unreadable = reply.framingError != nil || inspection.trustedFrames < reply.frames.count
        // A prefix refused as oversized closes the connection by rule: the responses after it are not missing.
        let refusedMisread = violations.contains { $0.summary.contains(PrefixMisreading.marker) }
        if reply.frames.count < expected.count, !unreadable, violations.isEmpty, let pace = Self.stillArriving(reply, connection: connection) {
            // Not missing, only not yet come: the case's time ran out while the answers were still flowing.
            return CaseOutcome(
                verdict: .informational,
                summary:
                    "\(reply.frames.count) of \(expected.count) responses came, as expected and in order, the last \(pace) ms before the case's time ran out: the server answers slowly (timing.single-write measures the pace of one response); the rest were not waited for"
            )
        }
        if reply.frames.count < expected.count, reordered != nil {
            // Not missing either: the one answered ahead of its turn is the fault; what was still owed is
            // named with it.
        } else if reply.frames.count < expected.count, !unreadable, !refusedMisread,
            let closing = Self.closedAfterError(reply, expected: expected, delivery: delivery, order: connection.byteOrder)
        {
            // Not missing for its content: the connection closed after an error, so nothing behind it could be answered.
            violations.append(closing)
        } else if reply.frames.count < expected.count, !unreadable, !refusedMisread, let stray = Self.strayOctets(connection) {
            // Not missing: misframed by octets between two frames (no control run can narrow that down further).
            violations.append(stray)
        } else if reply.frames.count < expected.count, !unreadable, !refusedMisread, let start = reply.notAResponse {
            // Not missing either: it came, with a body no JSON text can be, whatever octets follow.
            violations.append(
                Violation(
                    .jsonTextSender,
                    "response \(reply.frames.count + 1) of \(expected.count) is a frame whose body begins \(start.prefix(8).map(Evidence.hexPair).joined(separator: " ")): a control octet, which no JSON text begins with"
                ))
        } else if reply.frames.count < expected.count, !unreadable, !refusedMisread {
            let missing = expected[reply.frames.count]
            let ending = Evidence.ending(reply)
            let cause = missingCause(delivery: delivery, subject: missing.whenMissing ?? missing.requirement, expectation: missing)
            violations.append(
                Violation(
                    cause.requirement,
                    "response \(reply.frames.count + 1) of \(expected.count) missing (\(missing)): \(ending) after \(connection.sent.count) octets sent (\(delivery.summary))\(cause.note)"
                ))
            details += cause.details
        } else if !unreadable {
            violations += afterwardsViolations(&reply, afterwards: afterwards, connection: connection, answeredError: expected.contains(where: \.isError))
        }
        guard !violations.isEmpty else {
            return .passed("\(expected.count) response(s) as expected")
        }
        details += Evidence.hexDump(connection.received, around: 0, title: "received")
        return .broke(violations, details: details, sent: connection.sent)
    }

    /// The milliseconds between the last octets and now, when `reply` stopped because the case's deadline
    /// cut the read short while the server was still sending (its last octets came within the last half
    /// second, so a silent server is never taken for a slow one); nil otherwise.
    static func stillArriving(_ reply: ProbeConnection.Reply, connection: ProbeConnection) -> Int? {
        guard reply.timedOut, !reply.closed, !reply.frames.isEmpty, let last = connection.lastReceivedAt,
            let left = CaseDeadline.remainingMilliseconds, left < 250
        else { return nil }
        let since = ContinuousClock.now - last
        guard since < .milliseconds(500) else { return nil }
        return Int(since.components.seconds * 1_000 + since.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Whether the connection did what it must once the responses were in.
    private func afterwardsViolations(
        _ reply: inout ProbeConnection.Reply, afterwards: Afterwards, connection: ProbeConnection,
        answeredError: Bool
    ) -> [Violation] {
        switch afterwards {
        case .either:
            return []
        case .closed(let requirement):
            if reply.closed { return [] }
            let more = connection.read(timeoutMilliseconds: target.timeoutMilliseconds)
            if more.closed && more.frames.isEmpty { return [] }
            if !more.frames.isEmpty { return [Violation(.oneResponse, "\(more.frames.count) more response(s) where the connection should have closed")] }
            return [Violation(requirement, "the connection stayed open for \(target.timeoutMilliseconds) ms; it must be closed")]
        case .open(let requirement):
            // A refusal as oversized closes the connection by rule; the refusal itself is what is wrong.
            if reply.responses.contains(where: { $0.errorResult?.code == WireError.Code.frameTooLarge.rawValue }) { return [] }
            // Answered, then closed when the connection may have been idle long enough for a legal
            // time-out (a large response can take the checker over a second to read): not charged.
            let lastSent = connection.lastSentAt
            if reply.closed, IdleClose.mayBeIdleTimeOut(since: lastSent, target: target) { return [] }
            if reply.closed {
                return [
                    Violation(
                        requirement,
                        "the server closed the connection\(reply.reset ? " with a reset" : "") after answering\(answeredError ? " with an error" : "")")
                ]
            }
            let probe: JSONValue = "still open?"
            guard (try? connection.send(Request(method: "ping", params: probe))) != nil else {
                if IdleClose.mayBeIdleTimeOut(since: lastSent, target: target) { return [] }
                return [Violation(requirement, "the connection could not take a following ping")]
            }
            let more = connection.read(count: 1, timeoutMilliseconds: target.timeoutMilliseconds)
            if more.responses.first.map({ $0.out == "pong" }) == true { return [] }
            if more.frames.isEmpty, more.closed, IdleClose.mayBeIdleTimeOut(since: lastSent, target: target) { return [] }
            let pingPrefix = FrameEncoder(byteOrder: connection.byteOrder).prefix(forLength: Request(method: "ping", params: probe).body().count)
            if let answer = more.responses.first,
                let misread = PrefixMisreading.violation(
                    answer, prefix: pingPrefix, position: reply.frames.count, order: connection.byteOrder, detects: target.detectsByteOrder)
            {
                return [Violation(misread.requirement, "a following ping on the same connection: " + misread.summary)]
            }
            if let stray = Self.strayOctets(connection) { return [stray] }
            if let malformed = Self.malformedAnswer(more, to: "a following ping on the same connection") { return [malformed] }
            return [
                Violation(requirement, "a following ping on the same connection got no pong: \(more.frames.isEmpty ? Evidence.ending(more) : "another answer")")
            ]
        }
    }

    /// When the first frame of `reply` came whole but is no valid response (a pong without its result,
    /// say): the request, `what`, was answered, and the answer's form is the fault, under the sender
    /// requirement it breaks, not a missing answer.
    static func malformedAnswer(_ reply: ProbeConnection.Reply, to what: String) -> Violation? {
        guard let answer = reply.frames.first, answer.response == nil, let error = answer.error else { return nil }
        return Violation(
            ResponseInspection.requirement(for: error, body: answer.body), "\(what) was answered, but not with a valid response: \(error)")
    }

    /// Octets that are no frame between two whole frames of what `connection` received (a newline after
    /// each body, say), which misframe every response after them: `frame.body-follows.sender`.
    static func strayOctets(_ connection: ProbeConnection) -> Violation? {
        guard let found = Evidence.streamBreak(connection.received, byteOrder: connection.byteOrder), let stray = found.strayOctets else { return nil }
        let octets = connection.received[found.offset..<(found.offset + stray)].map(Evidence.hexPair).joined(separator: " ")
        return Violation(
            .bodyFollowsSender,
            "\(stray) octet(s) \(octets) came after a response's body, at stream offset \(found.offset), where the next frame's prefix must begin: every response after them is misframed"
        )
    }

    /// Why a response did not come: the server died, it cannot take this delivery, or it cannot take
    /// this frame length; otherwise the content, charged to `subject`.
    func missingCause(delivery: Delivery, subject: RequirementID, expectation: Expectation? = nil) -> (
        requirement: RequirementID, note: String, details: [String]
    ) {
        guard serverAnswers() else {
            return (subject, "; the server stopped answering (a fresh connection gets no pong)", [])
        }
        // Controls are judged by their pongs: a server that never gave a readable pong cannot show one.
        guard pongsAtProbe else {
            return (subject, "; the server's answers cannot be read, so the cause cannot be narrowed down", [])
        }
        if let left = CaseDeadline.remainingMilliseconds, left < 2 * target.timeoutMilliseconds {
            return (subject, "; the case's time ran out before the cause could be narrowed down", [])
        }
        if case .error(.unknownMethod, _)? = expectation?.kind, subject != .unknownMethodAnswer,
            !controlAnsweredError(Request(method: "no-such-method", params: nil), code: .unknownMethod)
        {
            return (.unknownMethodAnswer, "; a plain unknown method gets no unknown-method answer either", [])
        }
        let lengths = FrameWalk.completeFrameLengths(delivery.bytes, order: target.byteOrder, limit: target.maxBody)
        guard !lengths.isEmpty else { return (subject, "", []) }
        let harmless = lengths.map { Self.harmlessPing(bodyLength: $0) }
        let stream = harmless.flatMap { frame($0.body) }
        let sameShape =
            stream.count == FrameWalk.completeFramesOctets(lengths) && stream.count <= delivery.bytes.count
            ? delivery.reshaped(stream) : Delivery.oneWrite(stream, halfClose: delivery.halfClose)
        if controlAnswered(sameShape, pongs: harmless.map(\.params)) {
            return (subject, "", ["harmless pings of the same lengths, sent the same way (\(sameShape.summary)), were all answered: the content is the cause"])
        }
        let plain = Delivery.oneWrite(stream)
        if controlAnswered(plain, pongs: harmless.map(\.params)) {
            let blame: RequirementID = delivery.isSplit ? .readsArePartial : delivery.halfClose ? .halfCloseAnswers : lengths.count > 1 ? .pipelining : subject
            return (
                blame, "; harmless pings of the same lengths fail the same way (\(sameShape.summary)) but pass in one write without half-close",
                ["the delivery, not the content, is what the server cannot take"]
            )
        }
        if lengths.count > 1, controlAnswered(.oneWrite(frame(harmless[0].body)), pongs: [harmless[0].params]) {
            let apart = Delivery(pieces: harmless.map { frame($0.body) }, pauseMilliseconds: 150)
            if controlAnswered(apart, pongs: harmless.map(\.params)) {
                return (
                    .keepsNextFrame,
                    "; the same pings are answered when each arrives in its own write, but not \(lengths.count) in one write: the octets after the first frame are lost",
                    []
                )
            }
            return (.pipelining, "; one harmless ping is answered, \(lengths.count) pipelined are not, even in separate writes", [])
        }
        let prefixes = lengths.map { FrameEncoder(byteOrder: target.byteOrder).prefix(forLength: $0) }
        if prefixes.contains(where: { $0.contains { $0 >= 0x80 } }) {
            return (
                .prefixUnsigned, "; even a harmless ping of the same length is not answered, and its length prefix has an octet of 0x80 or more",
                ["a receiver must read the 4 prefix octets as an unsigned integer (frame.prefix-size)"]
            )
        }
        return (
            lengths.max()! <= 65_536 ? .maxSizeMinimum : subject, "; even a harmless ping of the same length (\(lengths.max()!) octets) is not answered", []
        )
    }

    /// Whether `body` is an error response, however malformed its error object.
    static func isErrorResponse(_ body: [UInt8]) -> Bool {
        (try? JSONParser.parse(body))?.objectValue?["out"]?.stringValue == Response.errorOut
    }

    /// An `overloaded` answer where a response was expected: refused for arriving pipelined, or at all.
    static func overloadedRefusal(_ response: Response, expectation: Expectation, pipelined: Bool) -> Violation? {
        guard response.errorResult?.code == WireError.Code.overloaded.rawValue else { return nil }
        if case .error(.overloaded, _) = expectation.kind { return nil }
        return pipelined
            ? Violation(.pipeliningNoRefusal, "answered overloaded to a pipelined request, with only this connection's requests outstanding")
            : Violation(.overloadedOnlyServerWide, "answered overloaded with a single request outstanding")
    }

    /// A frame the server sent before the first response, when the rest are exactly the responses.
    static func unsolicitedFirst(_ reply: ProbeConnection.Reply, expected: [Expectation]) -> Violation? {
        guard !expected.isEmpty, reply.frames.count == expected.count + 1 else { return nil }
        let rest = reply.frames.dropFirst()
        guard zip(expected, rest).allSatisfy({ pair in pair.1.response.map { pair.0.violations($0).isEmpty } ?? false }),
            let first = reply.frames.first, first.response.map({ !expected[0].violations($0).isEmpty }) ?? true
        else { return nil }
        return Violation(.nothingElse, "a frame no request asked for came before the responses: \(String(decoding: first.body.prefix(80), as: UTF8.self))")
    }

    /// The violation that says the responses came in another order than the requests: every one came,
    /// reordered (`outOfOrder`), or one came ahead of an earlier one that never did (`answeredAhead`).
    static func reordering(_ reply: ProbeConnection.Reply, expected: [Expectation]) -> Violation? {
        outOfOrder(reply, expected: expected) ?? answeredAhead(reply, expected: expected)
    }

    /// When fewer responses came than requests were sent, and the first one out of place is exactly the
    /// answer (out and result) expected for a later request: that request was answered ahead of an earlier one (`conn.in-order.order`).
    /// The earlier answer that never came is part of the same fault, not a missing response of its own.
    static func answeredAhead(_ reply: ProbeConnection.Reply, expected: [Expectation]) -> Violation? {
        guard expected.count > 1, reply.frames.count < expected.count, reply.framingError == nil else { return nil }
        for (index, frame) in reply.frames.enumerated() {
            guard let response = frame.response else { return nil }
            if expected[index].violations(response).isEmpty { continue }
            // Only an answer that can be told apart (its out and result) shows which request it answers.
            guard
                let later = expected.indices.dropFirst(index + 1).first(where: {
                    if case .response = expected[$0].kind { return expected[$0].violations(response).isEmpty }
                    return false
                })
            else { return nil }
            return Violation(
                .inOrder,
                "response \(index + 1) answers request \(later + 1) (\(expected[later])) ahead of request \(index + 1) (\(expected[index])); \(reply.frames.count) of \(expected.count) responses came, then \(Evidence.ending(reply))"
            )
        }
        return nil
    }

    /// When the connection closed right after an error response (other than `frame-too-large` and
    /// `overloaded`, after which closing is allowed) and requests were still unanswered: they went
    /// unanswered because of the close. Charged to `msg.error-keeps-connection.open`, or to
    /// `frame.zero-length.framing` when the request answered with the error was a zero-length frame.
    static func closedAfterError(_ reply: ProbeConnection.Reply, expected: [Expectation], delivery: Delivery, order: ByteOrder) -> Violation? {
        guard reply.closed, reply.framingError == nil, let last = reply.frames.last, isErrorResponse(last.body) else { return nil }
        let code = (try? JSONParser.parse(last.body))?.objectValue?["result"]?.objectValue?["code"]?.stringValue
        guard code != WireError.Code.frameTooLarge.rawValue, code != WireError.Code.overloaded.rawValue else { return nil }
        let answered = reply.frames.count
        let lengths = FrameWalk.completeFrameLengths(delivery.bytes, order: order, limit: Int(UInt32.max))
        let zeroLength = answered <= lengths.count && lengths[answered - 1] == 0
        return Violation(
            zeroLength ? .zeroLengthFraming : .errorKeepsConnection,
            "the server closed the connection\(reply.reset ? " with a reset" : "") right after answering request \(answered)\(zeroLength ? ", a zero-length frame," : "") with error \(code ?? "(no code)"): the \(expected.count - answered) request(s) behind it went unanswered (response \(answered + 1) of \(expected.count) was \(expected[answered]))"
        )
    }

    /// When every expected response came but not in order, the violation that says so; else nil. A
    /// frame-too-large sent ahead of earlier responses breaks its own rule.
    static func outOfOrder(_ reply: ProbeConnection.Reply, expected: [Expectation]) -> Violation? {
        let responses = reply.responses
        guard expected.count > 1, responses.count == expected.count, reply.frames.count == expected.count else { return nil }
        let inPlace = zip(expected, responses).filter { $0.0.violations($0.1).isEmpty }.count
        guard inPlace < expected.count else { return nil }
        var unused = Array(responses.indices)
        var order: [Int] = []
        for expectation in expected {
            guard let at = unused.firstIndex(where: { expectation.violations(responses[$0]).isEmpty }) else { return nil }
            order.append(unused.remove(at: at))
        }
        let moved = order.enumerated().filter { $0.offset != $0.element }.prefix(3).map { "request \($0.offset + 1) answered in place \($0.element + 1)" }
        let summary = "every response came, but not in request order: " + moved.joined(separator: ", ")
        if let last = expected.last, case .error(.frameTooLarge, _) = last.kind, order.last != expected.count - 1 {
            return Violation(.oversizeAfterEarlier, "frame-too-large was written before the responses to earlier requests: " + summary)
        }
        return Violation(.inOrder, summary)
    }

    /// Whether `delivery` of harmless pings gets exactly their pongs.
    private func controlAnswered(_ delivery: Delivery, pongs: [JSONValue]) -> Bool {
        guard let (connection, reply) = try? exchange(delivery, count: pongs.count) else { return false }
        connection.close()
        guard reply.responses.count == pongs.count else { return false }
        return zip(reply.responses, pongs).allSatisfy { $0.out == "pong" && $0.result.isSameValue(as: $1) }
    }

    /// Whether `request`, alone on a fresh connection, gets an error response with `code`.
    private func controlAnsweredError(_ request: Request, code: WireError.Code) -> Bool {
        guard let (connection, reply) = try? exchange(.oneWrite(frame(request)), count: 1) else { return false }
        connection.close()
        return reply.responses.first?.errorResult?.code == code.rawValue
    }

    /// A ping whose body is exactly `bodyLength` octets when it can be (25 at least).
    static func harmlessPing(bodyLength: Int) -> (body: [UInt8], params: JSONValue) {
        let overhead = Request(method: "ping", params: "").body().count
        let params = JSONValue.string(String(repeating: "x", count: max(0, bodyLength - overhead)))
        return (Request(method: "ping", params: params).body(), params)
    }
}
