import Foundation

/// How a case hands its octets to the server: in which pieces, with which pause between them, and
/// whether it then shuts down its sending direction.
///
/// The shape matters as much as the octets: a server that reads once per frame fails only when a
/// frame arrives in pieces far enough apart, and one that drops output on half-close fails only when
/// the client half-closes. Keeping the shape lets the runner repeat it with harmless octets and tell a
/// failure of delivery from a failure of content.
public struct Delivery: Sendable {
    /// Written one after another, in order.
    public var pieces: [[UInt8]]
    /// Milliseconds between two pieces.
    public var pauseMilliseconds: Int
    /// Shut down the sending direction after the last piece.
    public var halfClose: Bool

    public init(pieces: [[UInt8]], pauseMilliseconds: Int = 0, halfClose: Bool = false) {
        self.pieces = pieces
        self.pauseMilliseconds = pauseMilliseconds
        self.halfClose = halfClose
    }

    /// Everything in one write.
    public static func oneWrite(_ bytes: [UInt8], halfClose: Bool = false) -> Delivery {
        Delivery(pieces: [bytes], halfClose: halfClose)
    }

    /// Every octet.
    public var bytes: [UInt8] { pieces.flatMap { $0 } }

    /// Whether the octets arrive in more than one piece.
    public var isSplit: Bool { pieces.count > 1 }

    /// The same piece boundaries, pause and half-close applied to `stream`, which has the same length.
    public func reshaped(_ stream: [UInt8]) -> Delivery {
        var result: [[UInt8]] = []
        var start = 0
        for piece in pieces {
            let end = min(stream.count, start + piece.count)
            if start < end { result.append(Array(stream[start..<end])) }
            start = end
        }
        if start < stream.count { result.append(Array(stream[start...])) }
        return Delivery(pieces: result, pauseMilliseconds: pauseMilliseconds, halfClose: halfClose)
    }

    /// Sends every piece on `connection`, pausing in between, then half-closes if asked.
    func send(on connection: ProbeConnection) throws {
        for (index, piece) in pieces.enumerated() {
            if index > 0, pauseMilliseconds > 0 { usleep(UInt32(pauseMilliseconds) * 1_000) }
            try connection.send(piece)
        }
        if halfClose { connection.halfClose() }
    }

    /// How the octets went out, for a report: "one write", "3 pieces 150 ms apart, then half-close".
    public var summary: String {
        var text = pieces.count == 1 ? "one write" : "\(pieces.count) pieces \(pauseMilliseconds) ms apart"
        if halfClose { text += ", then half-close" }
        return text
    }
}
