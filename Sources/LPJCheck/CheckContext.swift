import LPJWire

/// What a case works with: the target, fresh connections, and ways to judge a reply.
public final class CheckContext: @unchecked Sendable {
    public let target: CheckTarget
    /// Whether the server gave a valid pong at the probe; if not, liveness only asks for any answer.
    public let pongsAtProbe: Bool

    public init(target: CheckTarget, pongsAtProbe: Bool = true) {
        self.target = target
        self.pongsAtProbe = pongsAtProbe
    }

    /// A fresh connection in the target's byte order.
    public func connect(byteOrder: ByteOrder? = nil) throws -> ProbeConnection {
        try ProbeConnection(host: target.host, port: target.port, byteOrder: byteOrder ?? target.byteOrder,
                            timeoutMilliseconds: target.timeoutMilliseconds, responseLimit: target.maxBody + 65_536)
    }

    /// The frame of `body` in the target's byte order.
    public func frame(_ body: [UInt8]) -> [UInt8] { FrameEncoder(byteOrder: target.byteOrder).frame(body) }

    /// The frame of `request` in the target's byte order.
    public func frame(_ request: Request) -> [UInt8] { frame(request.body()) }

    /// Sends `bytes` on a fresh connection, half-closes, and reads everything that comes back.
    public func exchange(_ bytes: [UInt8], halfClose: Bool = true, count: Int? = nil) throws -> (ProbeConnection, ProbeConnection.Reply) {
        let connection = try connect()
        try connection.send(bytes)
        if halfClose { connection.halfClose() }
        let reply = connection.read(count: count, timeoutMilliseconds: target.timeoutMilliseconds)
        return (connection, reply)
    }

    /// Whether a fresh connection gets its pong: the liveness check after every hostile case.
    public func serverAnswers() -> Bool {
        guard let (connection, reply) = try? exchange(frame(Request(method: "ping", params: "alive?")), halfClose: false, count: 1)
        else { return false }
        connection.close()
        guard pongsAtProbe else { return !connection.received.isEmpty }
        return reply.responses.first.map { $0.out == "pong" && $0.result == "alive?" } ?? false
    }

    /// Judges `reply` against the responses a conforming server sends, in order.
    public func judge(_ reply: ProbeConnection.Reply, expected: [Expectation], level: CaseLevel, connection: ProbeConnection,
                      mustClose: Bool = false) -> CaseOutcome {
        var details: [String] = []
        var worst: CaseLevel?
        func note(_ problemLevel: CaseLevel, _ text: String) {
            details.append(text)
            if worst == nil || (problemLevel == .must && worst != .must) { worst = problemLevel }
        }
        for (index, expectation) in expected.enumerated() {
            guard index < reply.frames.count else {
                note(expectation.level, "response \(index + 1) of \(expected.count) missing (\(expectation)): \(Evidence.ending(reply))")
                continue
            }
            let frame = reply.frames[index]
            guard let response = frame.response else {
                note(.must, "response \(index + 1) is not a valid response: \(frame.error.map { "\($0)" } ?? "unreadable")")
                details += Evidence.bodyDump(frame.body, error: frame.error)
                continue
            }
            if let problem = expectation.mismatch(response) { note(expectation.level, "response \(index + 1): \(problem)") }
        }
        if reply.frames.count > expected.count {
            note(.must, "\(reply.frames.count - expected.count) response(s) more than the \(expected.count) expected (conn.one-response)")
        }
        if let framingError = reply.framingError {
            note(.must, "the response stream broke framing: \(framingError)")
            details += Evidence.streamDiagnosis(connection.received, byteOrder: connection.byteOrder)
        }
        if mustClose, !reply.closed { note(.must, "the connection stayed open; it must be closed") }
        guard let worst else {
            return .passed("\(expected.count) response(s) as expected\(mustClose ? ", then closed" : "")")
        }
        // The weaker of the case's level and the problem's: a SHOULD problem in a MUST case warns.
        var outcome = CaseOutcome.violation(max(level, worst), details.first ?? "unexpected reply", details: details, sent: connection.sent)
        outcome.details.append(contentsOf: Evidence.hexDump(connection.received, around: 0, title: "received"))
        return outcome
    }
}

/// One response a case expects.
public enum Expectation: CustomStringConvertible {
    /// `out` and a result equal under `msg.value-equality`.
    case response(out: String, result: JSONValue)
    /// An error response with `code`; `level` SHOULD where sending it is only recommended.
    case error(WireError.Code, level: CaseLevel = .must)
    /// Any non-error response.
    case anySuccess

    public static func pong(_ params: JSONValue) -> Expectation { .response(out: "pong", result: params) }

    var level: CaseLevel {
        if case .error(_, let level) = self { return level }
        return .must
    }

    public var description: String {
        switch self {
        case .response(let out, let result): return "\(out) \(JSONWriter.string(result).prefix(80))"
        case .error(let code, _): return "error \(code)"
        case .anySuccess: return "a successful response"
        }
    }

    /// Why `response` does not meet this expectation, or `nil`.
    func mismatch(_ response: Response) -> String? {
        switch self {
        case .response(let out, let result):
            if response.out != out { return "expected out \"\(out)\", got \"\(response.out)\"\(response.errorResult.map { " (\($0))" } ?? "")" }
            if result.isSameValue(as: response.result) { return nil }
            return "result differs at \(result.firstDifference(from: response.result) ?? "/ (members differ)")"
        case .error(let code, _):
            guard let error = response.errorResult else { return "expected an error response \(code), got out \"\(response.out)\"" }
            return error.code == code.rawValue ? nil : "expected error code \(code), got \(error.code)"
        case .anySuccess:
            return response.errorResult.map { "expected success, got error \($0)" }
        }
    }
}

extension CaseLevel: Comparable {
    /// MUST < SHOULD < IMPLEMENTATION-DEFINED < INFORMATIONAL: `min` is the stricter.
    public static func < (lhs: CaseLevel, rhs: CaseLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
