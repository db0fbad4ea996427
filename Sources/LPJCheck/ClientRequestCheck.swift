import Foundation
import LPJSockets
import LPJWire
import NIOCore

/// Reads the one request a client under test sends and checks it against what a sender must do:
///
///     25 00 00 00 {"in":"split.at-1","params":{...}}     one frame: prefix in the agreed order, length in octets,
///                                                         UTF-8 JSON, an object with "in" and "params"
///
/// then, under `lpj-client/1`, the method and params the runner asked for, and nothing more sent
/// before the response. Each problem names the sender requirement it breaks; what only the convention
/// asks (the method and params asked for, one request and no more) names none.
struct ClientRequestCheck {
    /// What the runner asked the client to send; `nil` in legacy mode (the client picks its own).
    var method: String?
    var params: JSONValue?
    var byteOrder: ByteOrder

    /// The rules every request is checked against, in every case: the client side of their coverage.
    static let rulesChecked: [RuleID] = [
        .framePrefixSize, .frameBodyFollows, .frameLengthCountsOctets, .bodyUTF8, .bodyNoBOM,
        .bodyJSONText, .bodyObject, .bodyNoLoneSurrogates, .bodyNoNonfinite, .msgRequest,
    ]

    /// One thing wrong with the request: what the runner saw, and the requirement it breaks (`nil` when
    /// only `lpj-client/1` asks for it).
    struct Problem {
        var text: String
        var requirement: RequirementID?
    }

    /// What came of reading the request.
    struct Reading {
        var request: Request?
        /// Every octet the client sent before the response, for the report.
        var received: [UInt8] = []
        /// What the request broke; empty when it is right.
        var problems: [Problem] = []
        /// The client closed its side (or the connection) before a complete request.
        var closed = false

        /// The problems that break a requirement, as violations.
        var violations: [Violation] { problems.compactMap { problem in problem.requirement.map { Violation($0, problem.text) } } }
    }

    /// Reads one request frame from `connection` within `timeoutMilliseconds`, then what else is already
    /// waiting, and checks them.
    func read(from connection: Socket, timeoutMilliseconds: Int) -> Reading {
        var reading = Reading()
        var decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: byteOrder == .little ? .little : .big))
        var buffer = ByteBuffer()
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1_000)
        var body: ByteBuffer?
        while body == nil {
            do {
                body = try decoder.decode(buffer: &buffer)
                if body != nil { break }
            } catch {
                reading.problems.append(
                    Problem(
                        text: "the request's framing breaks \(Self.describe(error))" + Self.prefixNote(reading.received, order: byteOrder),
                        requirement: "frame.prefix-size.sender"))
                return reading
            }
            let remaining = Int(deadline.timeIntervalSinceNow * 1_000)
            guard remaining > 0, (try? connection.waitUntilReadable(timeoutMilliseconds: remaining)) == true else {
                reading.problems.append(
                    lengthProblem(reading.received)
                        ?? Problem(
                            text: "no complete request within \(timeoutMilliseconds) ms (\(Self.octets(reading.received)))",
                            requirement: reading.received.count >= 4 ? .bodyFollowsSender : nil))
                return reading
            }
            let before = buffer.writerIndex
            let count = try? connection.read(into: &buffer)
            reading.received += buffer.getBytes(at: before, length: buffer.writerIndex - before) ?? []
            if count == nil || count == 0 {
                reading.closed = true
                if reading.received.isEmpty {
                    reading.problems.append(Problem(text: "the client connected and closed without sending a request", requirement: nil))
                } else {
                    reading.problems.append(
                        lengthProblem(reading.received)
                            ?? Problem(
                                text: "the client closed inside its request frame (\(Self.octets(reading.received)))"
                                    + Self.prefixNote(reading.received, order: byteOrder),
                                requirement: reading.received.count >= 4 ? .bodyFollowsSender : "frame.prefix-size.sender"))
                }
                return reading
            }
        }
        guard let body else { return reading }
        // Anything more before the response: read it now, so that a length that does not count the
        // body's octets shows as such.
        var extra = buffer.readableBytes
        var more = ByteBuffer()
        while let count = try? connection.read(into: &more, nonBlocking: true), count > 0, extra + more.readableBytes < 1 << 20 {}
        extra += more.readableBytes
        reading.received += more.readableBytesView
        do {
            let request = try Request(body: body)
            reading.request = request
            if let method, request.method != method {
                reading.problems.append(
                    Problem(
                        text: "the request calls \(request.method.debugDescription), not \(method.debugDescription) as asked (lpj-client/1)", requirement: nil))
            }
            if let params, !request.params.isSameValue(as: params) {
                reading.problems.append(
                    Problem(
                        text:
                            "the request's params differ from those asked at \(params.firstDifference(from: request.params) ?? "/"): sent \(String(JSONWriter.string(request.params).prefix(120))) (lpj-client/1)",
                        requirement: nil))
            }
        } catch {
            if let problem = lengthProblem(reading.received) {
                reading.problems.append(problem)
                return reading
            }
            reading.problems.append(Problem(text: "the request body breaks \(Self.describe(error))", requirement: Self.senderRequirement(error)))
        }
        if extra > 0 {
            reading.problems.append(
                lengthProblem(reading.received)
                    ?? Problem(
                        text: "\(extra) octet(s) sent after the request, before the response (lpj-client/1: one request, then its response)", requirement: nil))
        }
        return reading
    }

    /// `frame.length-counts-octets.sender`, when the octets after the prefix are one whole request but
    /// the prefix announces another number of them:
    ///
    ///     60 00 00 00 {"in":"m","params":"é..."}     96 announced, 98 octets follow: 96 is the characters
    func lengthProblem(_ received: [UInt8]) -> Problem? {
        guard received.count > 4 else { return nil }
        let announced = Int(byteOrder.value(received[0], received[1], received[2], received[3]))
        let body = Array(received[4...])
        guard announced != body.count, (try? Request(body: ByteBuffer(bytes: body))) != nil else { return nil }
        let text = String(decoding: body, as: UTF8.self)
        var counted = ""
        if announced == text.unicodeScalars.count {
            counted = ": \(announced) is its count of characters (code points)"
        } else if announced == text.utf16.count {
            counted = ": \(announced) is its count of UTF-16 code units"
        }
        return Problem(
            text: "the request's prefix announces \(announced) octets, but the request that follows is \(body.count) octets long\(counted)",
            requirement: .lengthCountsOctetsSender)
    }

    /// The sender requirement a request body that fails to parse breaks: the `.sender` item of the rule
    /// the reader names, `msg.request.client` for a request without `in` or `params`.
    static func senderRequirement(_ error: Error) -> RequirementID? {
        guard let rule = (error as? WireError)?.rule else { return nil }
        if rule == .msgRequest || rule == .msgDuplicateMembers { return "msg.request.client" }
        if rule == .frameZeroLength { return .jsonTextSender }
        let sender = RequirementID(rule.rawValue + ".sender")
        return RequirementCatalog.requirement(sender) != nil ? sender : nil
    }

    static func describe(_ error: Error) -> String {
        guard let wire = error as? WireError else { return "\(error)" }
        return "\(wire.rule): \(wire.code)\(wire.offset.map { " at offset \($0)" } ?? ""): \(wire.message)"
    }

    static func octets(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "no octets" : "\(bytes.count) octet(s): " + bytes.prefix(16).map(hexByte).joined(separator: " ") + (bytes.count > 16 ? " ..." : "")
    }

    /// What the first four octets say when read as a prefix, when they look wrong.
    static func prefixNote(_ bytes: [UInt8], order: ByteOrder) -> String {
        guard bytes.count >= 4 else { return "" }
        let diagnosis = LengthPrefixDiagnosis(octets: Array(bytes.prefix(4)), order: order, limit: FrameConfiguration.defaultMaxBodyLength)
        guard let cause = diagnosis.likelyCauses.first else { return "" }
        return "; likely cause: \(cause)"
    }
}
