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
/// before the response.
struct ClientRequestCheck {
    /// What the runner asked the client to send; `nil` in legacy mode (the client picks its own).
    var method: String?
    var params: JSONValue?
    var byteOrder: ByteOrder

    /// What came of reading the request.
    struct Reading {
        var request: Request?
        /// Every octet the client sent before the response, for the report.
        var received: [UInt8] = []
        /// What the request broke, one line each; empty when it is right.
        var problems: [String] = []
        /// The client closed its side (or the connection) before a complete request.
        var closed = false
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
                reading.problems.append("the request's framing breaks \(Self.describe(error))" + Self.prefixNote(reading.received, order: byteOrder))
                return reading
            }
            let remaining = Int(deadline.timeIntervalSinceNow * 1_000)
            guard remaining > 0, (try? connection.waitUntilReadable(timeoutMilliseconds: remaining)) == true else {
                reading.problems.append("no complete request within \(timeoutMilliseconds) ms (\(Self.octets(reading.received)))")
                return reading
            }
            let before = buffer.writerIndex
            let count = try? connection.read(into: &buffer)
            reading.received += buffer.getBytes(at: before, length: buffer.writerIndex - before) ?? []
            if count == nil || count == 0 {
                reading.closed = true
                reading.problems.append(reading.received.isEmpty ? "the client connected and closed without sending a request"
                                        : "the client closed inside its request frame (\(Self.octets(reading.received)))"
                                        + Self.prefixNote(reading.received, order: byteOrder))
                return reading
            }
        }
        guard let body else { return reading }
        do {
            let request = try Request(body: body)
            reading.request = request
            if let method, request.method != method {
                reading.problems.append("the request calls \(request.method.debugDescription), not \(method.debugDescription) as asked (lpj-client/1)")
            }
            if let params, !request.params.isSameValue(as: params) {
                reading.problems.append("the request's params differ from those asked at \(params.firstDifference(from: request.params) ?? "/"): sent \(String(JSONWriter.string(request.params).prefix(120))) (lpj-client/1)")
            }
        } catch {
            reading.problems.append("the request body breaks \(Self.describe(error))")
        }
        // Anything more before the response breaks "one request, then read its response".
        var extra = buffer.readableBytes
        var more = ByteBuffer()
        while let count = try? connection.read(into: &more, nonBlocking: true), count > 0, extra + more.readableBytes < 1 << 20 {}
        extra += more.readableBytes
        reading.received += more.readableBytesView
        if extra > 0 {
            reading.problems.append("\(extra) octet(s) sent after the request, before the response (lpj-client/1: one request, then its response)")
        }
        return reading
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
