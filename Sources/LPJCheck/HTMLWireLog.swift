import Foundation
import LPJWire

/// A case's wire log as HTML: per connection, one table row per event, in order, with its time, who did
/// what, how many octets, and a hex and ASCII dump of the octets kept:
///
///     ms     event               octets  octets as sent or read
///     0.1    checker connected
///     0.2    checker → server    41      0000  25 00 00 00 7b 22 69 6e  22 3a 22 70 69 6e 67 22  %...{"in":"ping"
///     1.3    server → checker    39      0000  23 00 00 00 7b 22 6f 75  ...
///     2.0    server closed (EOF)
enum HTMLWireLog {
    /// The most octets of one event dumped on a page; the JSON report keeps the rest (up to `WireLog.octetLimit`).
    static let dumpLimit = 16 * 1_024

    /// Every connection of a case; a sentence when it opened none (or the run kept no log).
    static func render(_ logs: [WireLog]) -> String {
        guard !logs.isEmpty else {
            return "<p class=\"muted\">No wire log: the case opened no connection, or the report was written without one.</p>"
        }
        return logs.map(connection).joined(separator: "\n")
    }

    /// One connection: a heading with its totals and how it ended, then the event table.
    static func connection(_ log: WireLog) -> String {
        let sent = log.events.filter { $0.kind == .sent }
        let received = log.events.filter { $0.kind == .received }
        let ending = log.events.last { [.closed, .peerClosed, .peerReset].contains($0.kind) }.map { label($0.kind) } ?? "still open when the case ended"
        let totals =
            "sent \(sent.map(\.octetCount).reduce(0, +)) octets in \(sent.count) write(s), received \(received.map(\.octetCount).reduce(0, +)) octets in \(received.count) read(s); ended: \(ending)"
        var html = "<h3 id=\"connection-\(log.connection)\">Connection \(log.connection)</h3>\n<p class=\"muted\">\(Markup.escape(totals))</p>\n"
        html +=
            "<table class=\"wire\">\n<tr><th class=\"num\">ms</th><th>event</th><th class=\"num\">octets</th><th>octets as sent or read (hex, then ASCII)</th></tr>\n"
        for event in log.events { html += row(event) + "\n" }
        return html + "</table>"
    }

    /// One event.
    static func row(_ event: WireEvent) -> String {
        let rowClass: String
        switch event.kind {
        case .sent: rowClass = "ev-sent"
        case .received: rowClass = "ev-received"
        case .closed, .peerClosed, .peerReset, .halfClosed: rowClass = "ev-end"
        case .connected: rowClass = "ev-connected"
        }
        let carries = event.kind == .sent || event.kind == .received
        var count = carries ? String(event.octetCount) : ""
        if carries, event.octets.count < event.octetCount {
            count += event.octets.isEmpty ? " (none kept)" : " (\(event.octets.count) kept)"
        }
        let time = String(format: "%.1f", event.milliseconds)
        return "<tr class=\"\(rowClass)\"><td class=\"num\">\(time)</td><td class=\"nowrap\">\(Markup.escape(label(event.kind)))</td>"
            + "<td class=\"num\">\(count)</td><td>" + (carries ? dump(event.octets, of: event.octetCount) : "") + "</td></tr>"
    }

    /// Who did what, in words.
    static func label(_ kind: WireEvent.Kind) -> String {
        switch kind {
        case .connected: return "checker connected"
        case .sent: return "checker → server"
        case .received: return "server → checker"
        case .halfClosed: return "checker half-closed (shut down its sending side)"
        case .closed: return "checker closed"
        case .peerClosed: return "server closed (EOF)"
        case .peerReset: return "server reset (ECONNRESET)"
        }
    }

    /// Sixteen octets a line: offset, hex in two groups of eight, then the printable ASCII (`.` for the
    /// rest); up to `dumpLimit` octets, then a line saying how many more there were.
    static func dump(_ octets: [UInt8], of total: Int) -> String {
        let shown = octets.prefix(dumpLimit)
        let width = max(4, String(max(shown.count - 1, 0), radix: 16).count)
        var lines: [String] = []
        var offset = 0
        while offset < shown.count {
            let line = Array(shown[offset..<min(offset + 16, shown.count)])
            var hex = line.enumerated().map { ($0.offset == 8 ? " " : "") + hexByte($0.element) }.joined(separator: " ")
            hex += String(repeating: " ", count: max(0, 48 - hex.count))
            let ascii = String(line.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "." })
            let position = String(offset, radix: 16)
            lines.append(String(repeating: "0", count: width - position.count) + position + "  " + hex + "  " + ascii)
            offset += 16
        }
        if total > shown.count {
            let why =
                octets.count > shown.count ? "not shown here (the JSON report keeps them)" : "not kept (past \(WireLog.octetLimit / 1_024) KiB per direction)"
            lines.append("… \(total - shown.count) more octets \(why)")
        }
        return "<pre>" + Markup.escape(lines.joined(separator: "\n")) + "</pre>"
    }
}
