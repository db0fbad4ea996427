import Foundation
import LPJWire

extension CaseCatalog {
    /// The spec's recommended defaults: byte order, body limit, idle time-out, slow-sender bound. A server
    /// may be configured away from each of them, so they are judged only when the user says the server
    /// runs with its default configuration (`--defaults`); the server's statements decide when it makes
    /// them, the wire otherwise.
    static let defaultCases: [CheckCase] = [
        CheckCase(
            "defaults.byte-order",
            "Unconfigured, the server speaks little-endian: the probe's pings in little-endian are answered, and lpj.describe does not state \"big\".",
            covers: [.littleDefault, .littleSupport]
        ) { context in
            if let reason = notDefaults(context) { return reason }
            let stated = context.target.stated("byteOrder")?.stringValue
            if stated == "big" {
                return .broke(
                    .littleDefault,
                    "lpj.describe states byteOrder \"big\" for the server's default configuration: unconfigured, an implementation uses little-endian")
            }
            if context.target.byteOrder == .big, !context.target.detectsByteOrder {
                return .broke(
                    .littleDefault, "in its default configuration the server answers only big-endian pings: unconfigured, an implementation uses little-endian")
            }
            return .passed("little-endian unconfigured" + (context.target.detectsByteOrder ? " (detected per connection, both orders answered)" : ""))
        },
        CheckCase(
            "defaults.max-body",
            "Unconfigured, the body limit is at least 1,048,576 octets: as lpj.describe states it, or a ping of exactly 1,048,576 octets answered.",
            covers: [.maxSizeDefault], extraMilliseconds: 2_000
        ) { context in
            if let reason = notDefaults(context) { return reason }
            let recommended = FrameConfiguration.defaultMaxBodyLength
            if context.target.maxBodyIsStated {
                let limit = context.target.maxBody
                return limit < recommended
                    ? .broke(.maxSizeDefault, "lpj.describe states maxBody \(limit) for the default configuration, under the recommended \(recommended)")
                    : .passed("maxBody \(limit) stated unconfigured")
            }
            let (body, params) = CheckContext.harmlessPing(bodyLength: recommended)
            let delivery = Delivery.oneWrite(context.frame(body))
            let (connection, reply) = try context.exchange(delivery, count: 1, extraMilliseconds: 1_000)
            defer { connection.close() }
            if let response = reply.responses.first, response.out == "pong", response.result.isSameValue(as: params) {
                return .passed("a body of \(recommended) octets answered unconfigured")
            }
            let seen = reply.responses.first.map { String(JSONWriter.string($0.json()).prefix(120)) } ?? Evidence.ending(reply)
            return .broke(
                .maxSizeDefault,
                "a ping of exactly \(recommended) octets got no pong in the default configuration (\(seen)): the default limit should be at least \(recommended)",
                sent: Array(connection.sent.prefix(64)))
        },
        CheckCase(
            "defaults.idle-timeout",
            "Unconfigured, the idle time-out is none or at least 30 s: as lpj.describe states it, or a connection idle for 30 s still answered.",
            covers: [.idleDefault], extraMilliseconds: 30_500
        ) { context in
            if let reason = notDefaults(context) { return reason }
            if let stated = statedDefault(context, "idleTimeoutMs", atLeast: 30_000, .idleDefault, whenNone: "no idle time-out, as stated") { return stated }
            let connection = try context.connect()
            defer { connection.close() }
            let watched = PeerState.watch(connection.socket, milliseconds: 30_000)
            if watched.state != .open {
                return .broke(
                    .idleDefault,
                    "the server ended a connection idle for \(watched.waited) ms in its default configuration: the default idle time-out should be at least 30 s"
                )
            }
            let delivery = Delivery.oneWrite(context.frame(Request(method: "ping", params: "after 30 s")))
            do { try delivery.send(on: connection) } catch {
                return .broke(.idleDefault, "a connection idle for 30 s could not take a ping (\(error)): the default idle time-out should be at least 30 s")
            }
            let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            if reply.frames.isEmpty, reply.closed {
                return .broke(
                    .idleDefault,
                    "the server closed a connection idle for 30 s in its default configuration (\(Evidence.ending(reply))): the default idle time-out should be at least 30 s"
                )
            }
            return context.judge(reply, expected: [.pong("after 30 s", .idleDefault)], connection: connection, delivery: delivery)
        },
        CheckCase(
            "defaults.slow-sender",
            "Unconfigured, the slow-sender bound is at least 10 s: as lpj.describe states it, or a ping sent one octet every 400 ms (10 s in all) answered.",
            covers: [.slowSenderDefault, .slowSenderMinimum], extraMilliseconds: 10_500
        ) { context in
            if let reason = notDefaults(context) { return reason }
            if let stated = statedDefault(
                context, "slowSenderMs", atLeast: 10_000, .slowSenderDefault,
                whenNone: "no slow-sender bound stated (bounds.statements judges that)")
            {
                return stated
            }
            return try drippedFrame(context)
        },
    ]

    /// The verdict a time bound `lpj.describe` states gives at once on its recommended default (at least
    /// `recommended` ms), or nil when the server states none and the wire must be asked.
    static func statedDefault(
        _ context: CheckContext, _ member: String, atLeast recommended: Int, _ requirement: RequirementID,
        whenNone: String
    ) -> CaseOutcome? {
        switch context.target.statedBound(member) {
        case .milliseconds(let ms) where ms < recommended:
            return .broke(requirement, "lpj.describe states \(member) \(ms) for the default configuration, under the recommended \(recommended)")
        case .milliseconds(let ms):
            return .passed("\(member) \(ms) stated unconfigured")
        case .none:
            return .passed(whenNone)
        case .invalid(let text):
            return .skipped("lpj.describe states \(member) \(text) (bounds.statements judges that)")
        case .unstated:
            return nil
        }
    }

    /// Why a default is not judged: the user has not said that the server runs its default configuration.
    static func notDefaults(_ context: CheckContext) -> CaseOutcome? {
        context.target.runsDefaults
            ? nil
            : .skipped("a recommended default, judged only with --defaults (when the server runs with its default configuration)")
    }

    /// A ping of 26 octets sent one octet every 400 ms: 10 s from its first octet to its last. A server
    /// whose slow-sender bound is at least the recommended 10 s answers it.
    static func drippedFrame(_ context: CheckContext) throws -> CaseOutcome {
        let overhead = context.frame(Request(method: "ping", params: "")).count
        let params = JSONValue.string(String(repeating: "d", count: max(0, 26 - overhead)))
        let frame = context.frame(Request(method: "ping", params: params))
        let pieces = frame.map { [$0] }
        let connection = try context.connect()
        defer { connection.close() }
        let start = ContinuousClock.now
        for (index, piece) in pieces.enumerated() {
            if index > 0 { usleep(400_000) }
            do { try connection.send(piece) } catch {
                let elapsed = Int((ContinuousClock.now - start).milliseconds)
                var violations = [
                    Violation(
                        .slowSenderDefault,
                        "the server ended the connection \(elapsed) ms into a frame whose octets came every 400 ms (\(error)): the default slow-sender bound should be at least 10 s"
                    )
                ]
                if elapsed < 2_000 {
                    violations.append(Violation(.slowSenderMinimum, "closed \(elapsed) ms into a frame whose octets kept coming every 400 ms: never under 2 s"))
                }
                return .broke(violations, sent: connection.sent)
            }
        }
        let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
        if reply.frames.isEmpty, reply.closed {
            return .broke(
                .slowSenderDefault,
                "the server closed the connection, without answering, after a frame sent one octet every 400 ms for \(Int((ContinuousClock.now - start).milliseconds)) ms: the default slow-sender bound should be at least 10 s",
                sent: connection.sent)
        }
        return context.judge(
            reply, expected: [.pong(params, .slowSenderDefault)], connection: connection, delivery: Delivery(pieces: pieces, pauseMilliseconds: 400))
    }
}
