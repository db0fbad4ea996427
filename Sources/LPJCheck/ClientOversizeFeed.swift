import Foundation
import LPJSockets

/// What follows a prefix no limit admits, in the case that tells a client with a limit from one without:
///
///     ff ff ff ff                      4,294,967,295 announced: over every limit but "none"
///     7b 22 6f 75 74 22 3a ...         {"out":"pong","result":"aaaa... then 1 KiB of body every 20 ms
///
/// A client with a limit refuses the length as soon as it has the prefix, without waiting for body
/// octets (`frame.limit-before-allocation.before-reading`), and closes (`frame.oversize-close`): it
/// ends at once. A client without one (or with a limit of 4,294,967,295, which refuses nothing) keeps
/// reading the body, which keeps coming, so its own idle time-out does not end it either. The feed
/// stops when the client ends or the bound passes; a client still running then applies no limit
/// (`conn.client-limit.limit`).
enum ClientOversizeFeed {
    /// How long a client may take to refuse: far more than reading 4 octets and deciding takes, far less
    /// than the time-outs clients use for a silent server.
    static let boundMilliseconds = 2_000
    static let interval: useconds_t = 20_000
    static let opening = Array(#"{"out":"pong","result":""#.utf8)
    static let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1_024)

    /// What the feed saw.
    struct Watch {
        /// The client ended within the bound.
        var ended: Bool
        /// Body octets written after the prefix (the client may not have read them all).
        var fed: Int
        var milliseconds: Int
    }

    /// Writes body octets to `connection` until `process` ends or `boundMilliseconds` pass. A write the
    /// client does not take (its buffers full, or its side closed) is dropped: only the process's ending
    /// decides.
    static func feed(_ connection: Socket, while process: ClientProcess, boundMilliseconds: Int) -> Watch {
        let start = Date()
        var fed = 0
        var writing = true
        var piece = opening
        func elapsed() -> Int { Int(Date().timeIntervalSince(start) * 1_000) }
        while !process.hasEnded, elapsed() < boundMilliseconds {
            if writing {
                do {
                    try connection.writeAll(piece, timeoutMilliseconds: 0)
                    fed += piece.count
                    piece = chunk
                } catch let stalled as SocketWriteStalled {
                    // The client is not reading: what did not fit is dropped (the body's content is never judged).
                    fed += stalled.written
                    piece = chunk
                } catch {
                    writing = false  // closed or reset by the client
                }
            }
            usleep(interval)
        }
        return Watch(ended: process.hasEnded, fed: fed, milliseconds: elapsed())
    }
}
