import Foundation
import LPJWire

extension CaseCatalog {
    /// Whether a server stops reading while it cannot write or cannot yet process (spec Section 7.2,
    /// `sec.buffer-bound.unwritten` and `.unprocessed`).
    ///
    /// The runner writes pipelined 60,000-octet pings without reading (`PipelineFlood`). What one
    /// connection can push into a server that has stopped reading is what the kernel buffers on both sides
    /// plus the server's own bounded queue: measured on Linux loopback, 3 to 7 MiB for the reference server
    /// and about 15 MiB for the Python one (a window of 128 requests). A server that lets 64 MiB through
    /// keeps reading into memory that grows with the peer's input. Afterwards every response is read back:
    /// one pong per ping, in order.
    static let backpressureCases: [CheckCase] = [
        CheckCase(
            "backpressure.unwritten",
            "Pipelined pings of 60,000-octet params written without reading any response: the server stops reading before 64 MiB (its writes are blocked), then every pong comes back in order.",
            covers: [.bufferBoundUnwritten, .pipelining, .inOrder], extraMilliseconds: 8_000
        ) { context in
            try unwrittenFlood(context)
        },
        CheckCase(
            "backpressure.unprocessed",
            "sleep 3000 ms, then pipelined pings of 60,000-octet params: while the sleep holds the pings up, the server stops reading before 32 MiB; then the slept comes first (the pongs behind it are not waited for: extension.sleep.in-order checks that order).",
            covers: [.bufferBoundUnprocessed, .pipelining, .inOrder], extraMilliseconds: 12_000
        ) { context in
            guard context.target.has("sleep") else { return .skipped("the server does not list sleep: no request the runner sends holds the ones behind it") }
            return try unprocessedFlood(context)
        },
    ]

    /// The most the flood writes: far above what kernel buffers and a bounded queue hold.
    static let floodTotalOctets = 64 * 1_048_576
    /// Absorbed while a sleep is outstanding, this much shows reading on (twice the largest bounded figure seen).
    static let floodUnprocessedOctets = 32 * 1_048_576
    /// A write that makes no progress for this long: the server has stopped reading.
    static let floodStallMilliseconds = 500
    static let floodSleepMilliseconds = 3_000

    static func mebibytes(_ octets: Int) -> String { String(format: "%.1f MiB", Double(octets) / 1_048_576) }

    static func flood(_ context: CheckContext, _ connection: ProbeConnection) -> PipelineFlood {
        PipelineFlood(
            connection: connection, paramsOctets: min(60_000, context.target.guaranteedBody - 64),
            totalOctets: floodTotalOctets, stallMilliseconds: floodStallMilliseconds)
    }

    /// Reads back what the flood asked for and judges the answers: a frame that is no valid response breaks
    /// the sender requirement of its form, and only that; a wrong pong breaks `conn.in-order`,
    /// responses that stop coming break `conn.pipelining.answer-all`; a connection the server closes while
    /// the runner was not reading is left to the slow-reader bound (`sec.slow-reader`), not judged here.
    /// A server that read everything (`violations` not empty) may take long to work through it: a pause
    /// in its answers is then reported, not charged.
    static func drainVerdict(
        _ context: CheckContext, _ flood: inout PipelineFlood, earlier: [Expectation], pongLimit: Int = .max, firstWait: Int,
        reading: String, violations: [Violation]
    ) -> CaseOutcome {
        let (responses, drained) = flood.drain(
            before: earlier.count, pongLimit: pongLimit, firstWaitMilliseconds: firstWait,
            silenceMilliseconds: context.target.timeoutMilliseconds, maxBody: context.target.maxBody + 65_536)
        var violations = violations
        for (index, expectation) in earlier.enumerated() where index < responses.count {
            violations += expectation.violations(responses[index])
        }
        let wanted = min(flood.framesStarted, pongLimit)
        let counted = "\(drained.pongs) of \(wanted) pongs"
        if let malformed = drained.malformed {
            // Answers that are no responses say nothing about order or buffering (a pong without its
            // result is too small to fill any buffer): their form is the fault.
            return .broke([malformed], sent: Array(flood.connection.sent.prefix(4_096)))
        }
        if let wrong = drained.wrong {
            violations.append(Violation(.inOrder, "\(wrong) (after \(counted) came back in order)"))
        } else if drained.timedOut, !violations.isEmpty {
            violations[0].summary += "; then \(counted) came back before a pause of \(context.target.timeoutMilliseconds) ms"
        } else if drained.timedOut {
            violations.append(
                Violation(
                    .pipelining,
                    "after \(counted) nothing more came for \(context.target.timeoutMilliseconds) ms, the connection open: every pipelined request is answered")
            )
        }
        guard violations.isEmpty else { return .broke(violations, sent: Array(flood.connection.sent.prefix(4_096))) }
        if drained.closed {
            return .passed("\(reading); the server closed the connection after \(counted) (a slow-reader bound; judged by sec.slow-reader, not here)")
        }
        if earlier.isEmpty { return .passed("\(reading); then all \(wanted) pongs came back in order") }
        return .passed("\(reading); then the answer to the request before them came\(wanted > 0 ? ", and \(wanted) pongs in order" : "")")
    }

    static func unwrittenFlood(_ context: CheckContext) throws -> CaseOutcome {
        let connection = try context.connect()
        defer { connection.close() }
        var flood = flood(context, connection)
        let start = ContinuousClock.now
        let ending = flood.write()
        let elapsed = Int((ContinuousClock.now - start).milliseconds)
        switch ending {
        case .outOfTime:
            return .skipped("the case ran out of time after \(mebibytes(flood.written)) written in \(elapsed) ms: the server reads too slowly to tell")
        case .allWritten:
            let violation = Violation(
                .bufferBoundUnwritten,
                "the server read all \(mebibytes(flood.written)) (\(flood.framesStarted) pings of \(flood.paramsOctets)-octet params) in \(elapsed) ms while the runner read none of its responses: it keeps reading requests whose responses it cannot write"
            )
            return drainVerdict(context, &flood, earlier: [], firstWait: 0, reading: "", violations: [violation])
        case .stalled, .answered:
            return drainVerdict(
                context, &flood, earlier: [], firstWait: 0,
                reading: "the server stopped reading after \(mebibytes(flood.written)) (\(flood.framesStarted) pings) while its responses went unread",
                violations: [])
        }
    }

    static func unprocessedFlood(_ context: CheckContext) throws -> CaseOutcome {
        let connection = try context.connect()
        defer { connection.close() }
        let sleep = sleepBody(#"{"ms":\#(floodSleepMilliseconds)}"#)
        try connection.send(context.frame(sleep))
        var flood = flood(context, connection)
        let start = ContinuousClock.now
        let ending = flood.write(untilAnswer: true)
        let elapsed = Int((ContinuousClock.now - start).milliseconds)
        let slept = Expectation(.response(out: "slept", result: ["ms": .number(JSONNumber(floodSleepMilliseconds))]), .inOrder)
        let firstWait = floodSleepMilliseconds
        let duringSleep = "while a sleep of \(floodSleepMilliseconds) ms held them up"
        switch ending {
        case .outOfTime:
            return .skipped("the case ran out of time after \(mebibytes(flood.written)) written in \(elapsed) ms: the server reads too slowly to tell")
        case .allWritten,
            .answered where flood.written >= floodUnprocessedOctets:
            let violation = Violation(
                .bufferBoundUnprocessed,
                "the server read \(mebibytes(flood.written)) of pipelined pings (\(flood.framesStarted) of \(flood.paramsOctets)-octet params) in \(elapsed) ms \(duringSleep): it keeps reading requests it cannot process yet"
            )
            return drainVerdict(context, &flood, earlier: [slept], pongLimit: 0, firstWait: firstWait, reading: "", violations: [violation])
        case .answered:
            return drainVerdict(
                context, &flood, earlier: [slept], pongLimit: 0, firstWait: firstWait,
                reading: "the sleep ended after \(mebibytes(flood.written)) had been read, less than \(mebibytes(floodUnprocessedOctets))", violations: [])
        case .stalled:
            return drainVerdict(
                context, &flood, earlier: [slept], pongLimit: 0, firstWait: firstWait,
                reading: "the server stopped reading after \(mebibytes(flood.written)) (\(flood.framesStarted) pings) \(duringSleep)", violations: [])
        }
    }
}
