import Foundation
import LPJWire
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension CaseCatalog {
    /// Whether responses leave in one write: a server that writes the prefix alone meets Nagle's algorithm
    /// and the client's delayed ACK, and every call stalls for tens of milliseconds (`frame.single-write`).
    static let timingCases: [CheckCase] = [
        CheckCase(
            "timing.single-write",
            "Forty sequential pings (past the quick-ACK start of a connection): does any response's first read hold the 4-octet prefix alone? If so, eight more with every segment acknowledged at once: does the body still lag the prefix?",
            covers: [.singleWrite, .singleWriteNoGap], extraMilliseconds: 4_000
        ) { context in
            let connection = try context.connect()
            defer { connection.close() }
            var prefixAlone = 0
            var slowest = 0.0
            for index in 0..<40 {
                let start = Date()
                guard let pong = try timedPing(connection, index, context: context, acknowledgeAtOnce: false) else {
                    return .broke(.oneResponse, "no response to sequential ping \(index + 1) within \(context.target.timeoutMilliseconds) ms")
                }
                if case .failed(let outcome) = pong { return outcome }
                if case .answered(let gap) = pong, gap != nil { prefixAlone += 1 }
                slowest = max(slowest, Date().timeIntervalSince(start) * 1000)
            }
            guard prefixAlone > 0 else { return .passed("every response arrived whole (slowest call \(Int(slowest)) ms)") }
            var violations = [
                Violation(.singleWrite, "\(prefixAlone) of 40 responses arrived as a 4-octet prefix first, the body later (slowest call \(Int(slowest)) ms)")
            ]
            var details = [
                "likely cause: prefix and body written in two writes; with Nagle on, the body waits for the client's delayed ACK (about 40 ms on Linux)"
            ]
            if let gaps = try gapsWithImmediateAcks(connection, context: context) {
                details.append(
                    "with every segment acknowledged at once (TCP_QUICKACK), the body followed its prefix after \(gaps.map { "\($0)" }.joined(separator: ", ")) ms"
                )
                let sorted = gaps.sorted()
                if sorted.count >= 4, sorted[sorted.count / 2] >= noGapThresholdMilliseconds {
                    details[0] = "likely cause: prefix and body written in two writes with a pause (a timer, a flush, a cork) between them"
                    violations.append(
                        Violation(
                            .singleWriteNoGap,
                            "the body follows its prefix \(sorted[sorted.count / 2]) ms later (median of \(sorted.count) responses that arrived split), even when the runner acknowledges every segment at once: not Nagle's algorithm waiting for an ACK, but a delay between the two writes"
                        ))
                }
            }
            return .broke(violations, details: details)
        }
    ]

    /// A median gap (prefix to body) at least this long, with every segment acknowledged at once, is a
    /// delay the sender made: loopback delivers a body written right after its prefix within a millisecond.
    static let noGapThresholdMilliseconds = 20

    /// What one sequential ping got.
    enum TimedPing {
        /// The pong; `gap` is the milliseconds between a prefix that arrived alone and its body.
        case answered(gap: Int?)
        case failed(CaseOutcome)
    }

    /// Sends ping `index` and reads its response, timing the body when the prefix arrives alone; nil when
    /// nothing arrives in time. `acknowledgeAtOnce` asks the kernel to acknowledge each segment at once.
    static func timedPing(_ connection: ProbeConnection, _ index: Int, context: CheckContext, acknowledgeAtOnce: Bool) throws -> TimedPing? {
        if acknowledgeAtOnce { quickAck(connection) }
        try connection.send(Request(method: "ping", params: .number(JSONNumber(index))))
        guard try connection.socket.waitUntilReadable(timeoutMilliseconds: context.target.timeoutMilliseconds) else { return nil }
        var first = ByteBuffer()
        _ = try connection.readSome(into: &first)
        let prefixAt = ContinuousClock.now
        let alone = first.readableBytes == 4
        if alone, acknowledgeAtOnce { quickAck(connection) }
        let reply = connection.continueReading(first, count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
        let gap = ContinuousClock.now - prefixAt
        guard reply.responses.first?.out == "pong" else {
            return .failed(context.judge(reply, expected: [.pong(.number(JSONNumber(index)))], connection: connection, delivery: .oneWrite(connection.sent)))
        }
        return .answered(gap: alone ? Int(gap.components.seconds * 1_000 + gap.components.attoseconds / 1_000_000_000_000_000) : nil)
    }

    /// The prefix-to-body gaps of eight more pings, each segment acknowledged at once, so that Nagle's
    /// algorithm in the sender never waits; nil where the runner cannot ask for immediate ACKs.
    static func gapsWithImmediateAcks(_ connection: ProbeConnection, context: CheckContext) throws -> [Int]? {
        #if os(Linux)
        var gaps: [Int] = []
        for index in 40..<48 {
            guard case .answered(let gap)? = try timedPing(connection, index, context: context, acknowledgeAtOnce: true) else { return gaps }
            if let gap { gaps.append(gap) }
        }
        return gaps
        #else
        return nil
        #endif
    }

    /// Asks the kernel to acknowledge received segments at once rather than delay the ACK (Linux
    /// `TCP_QUICKACK`, which the kernel clears again by itself, so it is set before every read).
    static func quickAck(_ connection: ProbeConnection) {
        #if os(Linux)
        var on: Int32 = 1
        _ = setsockopt(connection.socket.descriptor, Int32(IPPROTO_TCP), 12 /* TCP_QUICKACK */, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }
}
