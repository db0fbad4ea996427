/// A `WireLog` for people: one line per event with its time, who did what, and the octets as a hex and
/// ASCII dump, 16 per line.
///
///     connection 1
///          0.100 ms  connected
///          0.113 ms  sent 2 octets
///                      0000  20 00                                             .
///        150.607 ms  received 37 octets
///                      0000  21 00 00 00 7b 22 6f 75 74 22 3a 22 70 6f 6e 67   !...{"out":"pong
///        ...
///        150.724 ms  closed by the client
extension WireLog {
    /// The lines, dumping at most `octetLimit` octets of each event.
    public func lines(octetLimit: Int = 256) -> [String] {
        var lines = ["connection \(connection)"]
        for event in events {
            let time = String(format: "%10.3f ms", event.milliseconds)
            lines.append("\(time)  \(event.sentence)")
            let shown = event.octets.prefix(octetLimit)
            for row in stride(from: 0, to: shown.count, by: 16) {
                let slice = shown[row..<min(row + 16, shown.count)]
                let hex = slice.map { Evidence.hexPair($0) }.joined(separator: " ")
                let ascii = String(slice.map { (0x20...0x7e).contains($0) ? Character(UnicodeScalar($0)) : "." })
                lines.append(String(repeating: " ", count: 24) + String(row).leftPadded(6) + "  " + hex.padding(48) + "  " + ascii)
            }
            if event.octetCount > shown.count {
                lines.append(
                    String(repeating: " ", count: 24) + "(\(event.octetCount - shown.count) more octets"
                        + (event.octets.count < event.octetCount ? ", not all kept" : "") + ")")
            }
        }
        return lines
    }
}

extension WireEvent {
    /// What happened, from the client's side: "sent 19 octets", "closed by the server".
    public var sentence: String {
        switch kind {
        case .connected: return "connected"
        case .sent: return "sent \(octetCount) octet\(octetCount == 1 ? "" : "s")"
        case .received: return "received \(octetCount) octet\(octetCount == 1 ? "" : "s")"
        case .halfClosed: return "half-closed by the client (shut down its sending side)"
        case .closed: return "closed by the client"
        case .peerClosed: return "closed by the server (end of stream)"
        case .peerReset: return "reset by the server (ECONNRESET)"
        }
    }
}
