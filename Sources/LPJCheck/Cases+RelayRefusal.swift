import Foundation
import LPJWire

extension CaseCatalog {
    /// A relay to an address reserved for documentation is refused at once (`ext.relay.refused-upstream`,
    /// `ext.relay.documentation-refused`).
    ///
    /// A runner cannot know an operator's allow-list, but no allow-list admits 192.0.2.0/24,
    /// 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32: a relay to one of them must be answered
    /// `invalid-params`, rule `ext.relay`, with a message naming the address, without connecting. An
    /// `upstream-error` or `timeout` answer (or none) shows the server tried to connect.
    static let relayRefusalCases: [CheckCase] = [
        CheckCase(
            "extension.relay.refused-upstream",
            "relay to 192.0.2.1, 198.51.100.1, 203.0.113.1 and 2001:db8::1 (documentation addresses, timeout_ms 1000): each answered invalid-params at once, rule ext.relay, the message naming the address.",
            covers: [.relayRefusedUpstream, .relayDocumentationRefused], extraMilliseconds: 4_000
        ) { context in
            guard context.target.has("relay") else { return .skipped("the server does not list relay") }
            return try documentationUpstreams(context)
        }
    ]

    static let documentationAddresses = ["192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1"]

    static func documentationUpstreams(_ context: CheckContext) throws -> CaseOutcome {
        let wait = context.target.timeoutMilliseconds + 1_000
        for address in documentationAddresses {
            let connection = try context.connect()
            defer { connection.close() }
            let params = #"{"host":"\#(address)","port":9001,"in":"ping","params":"documentation","timeout_ms":1000}"#
            let (reply, elapsed, delivery) = try relayCall(context, on: connection, params, waitMilliseconds: wait)
            let upstream = "\(address):9001"
            guard let response = reply.responses.first else {
                let judged = context.judge(reply, expected: [.error(.invalidParams, .relayRefusedUpstream)], connection: connection, delivery: delivery)
                return judged.verdict == .passed ? .broke(.relayRefusedUpstream, "no answer to a relay to \(upstream)", sent: connection.sent) : judged
            }
            /// The relay was not refused: what came back instead, and the two requirements that broke.
            func notRefused(_ answered: String) -> CaseOutcome {
                .broke(
                    [
                        Violation(.relayDocumentationRefused, "a relay to \(upstream), an address reserved for documentation, was answered \(answered)"),
                        Violation(.relayRefusedUpstream, "a refused upstream is answered invalid-params at once, without connecting"),
                    ],
                    sent: connection.sent)
            }
            if let error = response.errorResult, error.code == WireError.Code.upstreamError.rawValue || error.code == WireError.Code.timeout.rawValue {
                return notRefused(
                    "\(error.code) after \(elapsed) ms (\"\(error.message.prefix(100))\"): the server tried to connect; it must refuse the upstream with invalid-params"
                )
            }
            if response.errorResult == nil {
                return notRefused("out \"\(response.out)\": no upstream there can answer, and the server must refuse it with invalid-params")
            }
            let judged = context.judge(reply, expected: [.error(.invalidParams, .relayRefusedUpstream)], connection: connection, delivery: delivery)
            if judged.verdict != .passed {
                var judged = subjectFirst(judged, [.relayRefusedUpstream])
                judged.summary = "relay to \(upstream): " + judged.summary
                return judged
            }
            let error = response.errorResult!
            if error.rule != "ext.relay" {
                return .broke(
                    .relayRefusedUpstream, "the refusal of \(upstream) has rule \(error.rule.map { "\"\($0)\"" } ?? "(none)"), not \"ext.relay\"",
                    sent: connection.sent)
            }
            if !error.message.contains(address) {
                return .broke(
                    .relayRefusedUpstream, "the refusal of \(upstream) does not name the address: \"\(error.message.prefix(120))\"", sent: connection.sent)
            }
        }
        return .passed("each of \(documentationAddresses.joined(separator: ", ")) refused with invalid-params, rule ext.relay, naming the address")
    }
}
