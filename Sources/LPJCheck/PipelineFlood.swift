import Foundation
import LPJSockets
import LPJWire
import NIOCore

/// Pipelined `ping` requests written to a server without reading its responses, to see whether it keeps
/// reading (`sec.buffer-bound`): a server that stops reading makes the runner's writes stall once the
/// kernel's buffers on both sides are full; one that reads on lets every write through.
///
/// On the wire: frames `{"in":"ping","params":"000017:aaaa…"}`, each `params` a 6-digit sequence number,
/// a colon and filler up to `paramsOctets`, written back to back. Each frame's write must finish within
/// `stallMilliseconds`; the flood ends when `totalOctets` went out, when a write stalls, or (`untilAnswer`)
/// as soon as anything arrives from the server. `drain` then reads every response back without keeping
/// them, finishing the frame a stall cut, and checks each pong's sequence number.
struct PipelineFlood {
    /// How the writing ended.
    enum Ending: Equatable {
        /// Every octet of `totalOctets` went out: the server kept reading.
        case allWritten
        /// A write made no progress for `stallMilliseconds`: the server stopped reading.
        case stalled
        /// The server sent something (the answer to a request written before the flood).
        case answered
        /// The case's deadline came first.
        case outOfTime
    }

    let connection: ProbeConnection
    let paramsOctets: Int
    let totalOctets: Int
    let stallMilliseconds: Int
    /// Octets written so far, the flood's frames only.
    private(set) var written = 0
    /// Frames whose first octet went out (the last may be cut by a stall).
    private(set) var framesStarted = 0
    /// Octets of the last frame a stall cut, still to be written.
    private var remainder: [UInt8] = []

    init(connection: ProbeConnection, paramsOctets: Int, totalOctets: Int, stallMilliseconds: Int) {
        self.connection = connection
        self.paramsOctets = paramsOctets
        self.totalOctets = totalOctets
        self.stallMilliseconds = stallMilliseconds
        filler = [UInt8](repeating: UInt8(ascii: "a"), count: max(0, paramsOctets - 7))
    }

    /// The filler after the sequence number, made once (building 60,000 characters per frame is slow).
    private let filler: [UInt8]

    /// The `params` of ping number `sequence`, as the octets between its quotes.
    func params(_ sequence: Int) -> [UInt8] {
        Array(String(format: "%06d:", sequence).utf8) + filler
    }

    /// `{"out":"pong","result":"<params>"}`: the pong to ping number `sequence` as most servers write it.
    func pongBody(_ sequence: Int) -> [UInt8] {
        Array(#"{"out":"pong","result":""#.utf8) + params(sequence) + Array(#""}"#.utf8)
    }

    /// Whether `body` holds exactly `octets` (compared as memory: fast in a debug build too).
    static func same(_ body: ByteBuffer, _ octets: [UInt8]) -> Bool {
        body.readableBytes == octets.count
            && body.withUnsafeReadableBytes { left in
                octets.withUnsafeBytes { right in memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
            }
    }

    /// Writes frames until the total, a stall, the deadline, or (`untilAnswer`) a readable socket.
    mutating func write(untilAnswer: Bool = false) -> Ending {
        let socket = connection.socket
        while written < totalOctets {
            if untilAnswer, (try? socket.waitUntilReadable(timeoutMilliseconds: 0)) == true { return .answered }
            let left = CaseDeadline.remainingMilliseconds ?? Int.max
            if left < stallMilliseconds + 1_000 { return .outOfTime }
            let frame = connection.frame(Array(#"{"in":"ping","params":""#.utf8) + params(framesStarted) + Array(#""}"#.utf8))
            framesStarted += 1
            do {
                try connection.write(frame, timeoutMilliseconds: stallMilliseconds)
                written += frame.count
            } catch let stalled as SocketWriteStalled {
                written += stalled.written
                remainder = Array(frame.dropFirst(stalled.written))
                return .stalled
            } catch {
                framesStarted -= 1
                return .stalled
            }
        }
        return .allWritten
    }

    /// What reading the responses back found.
    struct Drained {
        /// Pongs that came back with the expected sequence number, in order.
        var pongs = 0
        /// The first response that was not the expected pong, described.
        var wrong: String?
        /// The first frame that is no valid response at all (a pong without its result, say), as the
        /// sender requirement it breaks: the answer came, in its place, and its form is what is wrong.
        var malformed: Violation?
        /// The server closed the connection before every response came.
        var closed = false
        /// Nothing came for the silence time-out before every response came.
        var timedOut = false
    }

    /// Reads `before` responses to requests written before the flood (returned, in order), then one pong
    /// per frame started (at most `pongLimit`), in order, while writing what is left of a cut frame. Keeps no pong body; each
    /// silence may last `silenceMilliseconds` (plus `firstWaitMilliseconds` before the first frame).
    mutating func drain(before: Int, pongLimit: Int = .max, firstWaitMilliseconds: Int, silenceMilliseconds: Int, maxBody: Int) -> (
        earlier: [Response], drained: Drained
    ) {
        let socket = connection.socket
        var decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: connection.byteOrder == .little ? .little : .big, maxBodyLength: maxBody))
        var buffer = ByteBuffer()
        var earlier: [Response] = []
        var drained = Drained()
        var frames = 0
        var silenceEnd = ContinuousClock.now + .milliseconds(silenceMilliseconds + firstWaitMilliseconds)
        while frames < before + min(framesStarted, pongLimit) {
            if !remainder.isEmpty {
                do {
                    try connection.write(remainder, timeoutMilliseconds: 0)
                    remainder = []
                } catch let stalled as SocketWriteStalled {
                    remainder.removeFirst(stalled.written)
                } catch {
                    remainder = []
                }
            }
            do {
                while let body = try decoder.decode(buffer: &buffer) {
                    // A greeting (`CheckTarget.greeting`) is no answer to the flood: set aside, as `ProbeConnection.read` does.
                    if let greeting = connection.greetingToSetAside.first {
                        let isGreeting = Self.same(body, greeting)
                        connection.greetingToSetAside = isGreeting ? Array(connection.greetingToSetAside.dropFirst()) : []
                        if isGreeting { continue }
                    }
                    if frames >= before, Self.same(body, pongBody(frames - before)) {
                        // The common spelling of the expected pong, matched without parsing 60,000 octets.
                        drained.pongs += 1
                        frames += 1
                        continue
                    }
                    let parsed = Result { try Response(body: body) }
                    let response = try? parsed.get()
                    if case .failure(let error as WireError) = parsed {
                        let bytes = Array(body.readableBytesView)
                        drained.malformed = Violation(
                            ResponseInspection.requirement(for: error, body: bytes),
                            "response \(frames + 1) is not a valid response: \(error)")
                    }
                    if frames < before {
                        if let response {
                            earlier.append(response)
                        } else {
                            drained.wrong = "response \(frames + 1) is not a valid response"; return (earlier, drained)
                        }
                    } else {
                        let sequence = frames - before
                        let expected = String(decoding: params(sequence), as: UTF8.self)
                        guard let response, response.out == "pong", response.result == .string(expected) else {
                            let got =
                                response.map { "out \"\($0.out)\", result \(JSONWriter.string($0.result).prefix(24))…" } ?? "a frame that is not a response"
                            drained.wrong = "the response to ping \(sequence) (params \"\(expected.prefix(10))…\") is \(got)"
                            return (earlier, drained)
                        }
                        drained.pongs += 1
                    }
                    frames += 1
                }
            } catch {
                drained.wrong = "the responses break the framing: \(error)"
                return (earlier, drained)
            }
            buffer.discardReadBytes()
            let remaining = min(Int((silenceEnd - ContinuousClock.now).milliseconds), CaseDeadline.remainingMilliseconds ?? Int.max)
            guard remaining > 0 else { drained.timedOut = true; return (earlier, drained) }
            guard (try? socket.waitUntilReadable(timeoutMilliseconds: min(remaining, remainder.isEmpty ? remaining : 10))) == true else { continue }
            guard let count = try? connection.readSome(into: &buffer, maximum: 262_144), count > 0 else {
                drained.closed = true
                return (earlier, drained)
            }
            silenceEnd = ContinuousClock.now + .milliseconds(silenceMilliseconds + (frames == 0 ? firstWaitMilliseconds : 0))
        }
        return (earlier, drained)
    }
}
