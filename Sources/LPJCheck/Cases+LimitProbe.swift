import Foundation
import LPJWire

extension CaseCatalog {
    /// Finds the largest body the server accepts, from prefixes alone: a length over the limit is refused
    /// at once (`frame.oversize-close`), a length within it makes the server wait for the body.
    static let limitProbeCases: [CheckCase] = [
        CheckCase(
            "size.limit-probe",
            "Binary search, by prefixes alone, for the largest body length the server waits for; it must equal the limit lpj.describe states.",
            covers: [.maxSizeMinimum, .describeMaxBody], extraMilliseconds: 12_000
        ) { context in
            var accepted = FrameConfiguration.minimumMaxBodyLength
            if context.target.maxBodyIsStated {
                // The stated limit is checked at its edge: it waits for exactly the limit, refuses one more.
                let limit = context.target.maxBody
                guard limit >= accepted else {
                    return .broke(.maxSizeMinimum, "lpj.describe states a limit of \(limit), under the 65,536 every receiver accepts")
                }
                let waitsAtLimit = try waitsForBody(context, length: limit)
                let waitsOver = try waitsForBody(context, length: limit + 1)
                if waitsAtLimit && !waitsOver { return .passed("waits for a body of exactly \(limit) octets and refuses \(limit + 1), as lpj.describe states") }
                if !waitsAtLimit, try !waitsForBody(context, length: accepted) {
                    return .broke(.maxSizeMinimum, "a prefix announcing \(accepted) octets was refused at once: every receiver must accept 65,536")
                }
                return .broke(
                    .describeMaxBody,
                    waitsAtLimit
                        ? "lpj.describe states maxBody \(limit), but the server also waits for a body of \(limit + 1) octets"
                        : "lpj.describe states maxBody \(limit), but the server refuses a prefix announcing \(limit) octets at once",
                    details: [
                        "prefix announcing \(limit): \(waitsAtLimit ? "waited for the body" : "refused at once")",
                        "prefix announcing \(limit + 1): \(waitsOver ? "waited for the body" : "refused at once")",
                    ])
            }
            guard try waitsForBody(context, length: accepted) else {
                return .broke(.maxSizeMinimum, "a prefix announcing \(accepted) octets was refused at once: every receiver must accept 65,536")
            }
            var refused = 256 << 20
            if try waitsForBody(context, length: refused) {
                guard context.target.maxBodyIsStated else {
                    return .informational("waits for a body of \(refused) octets: the limit is over 256 MiB, or there is none")
                }
                return .broke(.describeMaxBody, "lpj.describe states maxBody \(context.target.maxBody), but the server waits for a body of \(refused) octets")
            }
            while refused - accepted > 1 {
                let middle = accepted + (refused - accepted) / 2
                if try waitsForBody(context, length: middle) { accepted = middle } else { refused = middle }
            }
            let found = "the largest body length accepted is \(accepted)"
            guard context.target.maxBodyIsStated else { return .informational(found + " (the server does not state its limit)") }
            if accepted == context.target.maxBody { return .passed(found + ", as lpj.describe states") }
            return .broke(.describeMaxBody, found + ", but lpj.describe states \(context.target.maxBody)")
        }
    ]

    /// Whether the server, given only a prefix announcing `length`, keeps waiting for the body (accepted)
    /// rather than answering or closing at once (refused). On a server that detects the byte order, a
    /// ping goes first, so that the probe prefix is read in the order already detected.
    static func waitsForBody(_ context: CheckContext, length: Int) throws -> Bool {
        let connection = try context.connect()
        defer { connection.close() }
        if context.target.detectsByteOrder {
            try connection.send(Request(method: "ping", params: "order"))
            guard connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds).responses.first?.out == "pong" else { return false }
        }
        try connection.send(FrameEncoder(byteOrder: context.target.byteOrder).prefix(forLength: length))
        let reply = connection.read(count: 1, timeoutMilliseconds: 250)
        return reply.timedOut && reply.frames.isEmpty && !reply.closed
    }
}
