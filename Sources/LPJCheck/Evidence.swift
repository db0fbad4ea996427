import LPJWire

/// The evidence a failure report shows: hex dumps, the likely cause of a bad length, a replay command.
public enum Evidence {
    /// A hex dump of up to 64 octets of `bytes` around `offset`, 16 per line with ASCII.
    public static func hexDump(_ bytes: [UInt8], around offset: Int, title: String) -> [String] {
        guard !bytes.isEmpty else { return ["\(title): no octets"] }
        let start = max(0, min(offset, bytes.count - 1) / 16 * 16 - 16)
        let end = min(bytes.count, start + 64)
        var lines = ["\(title) (\(bytes.count) octets), offsets \(start)..<\(end):"]
        for row in stride(from: start, to: end, by: 16) {
            let slice = bytes[row..<min(row + 16, end)]
            let hex = slice.map { hexPair($0) }.joined(separator: " ")
            let ascii = String(slice.map { (0x20...0x7e).contains($0) ? Character(UnicodeScalar($0)) : "." })
            lines.append("  \(String(row).leftPadded(6))  \(hex.padding(48))  \(ascii)")
        }
        return lines
    }

    /// A dump of a body that did not parse, around the parser's offset, with a guess at the cause.
    static func bodyDump(_ body: [UInt8], error: WireError?) -> [String] {
        var lines = hexDump(body, around: error?.offset ?? 0, title: "response body")
        if let error, error.rule == .bodyJSONText, error.offset == body.count {
            lines.append("likely cause: the body ends early, as when the length counts characters or UTF-16 units, not octets (frame.length-counts-octets)")
        }
        return lines
    }

    /// The most octets of a stream any diagnosis looks at: the largest response a connection keeps. Work
    /// is linear in the octets examined, so no reply, however long or broken, makes a report slow.
    public static let examinedLimit = FrameConfiguration.defaultMaxBodyLength + 2 * 65_536

    /// Where a response stream stops making sense: the first prefix whose frame is not a JSON text, read
    /// both ways, and whether a length counted in characters explains it.
    struct StreamBreak {
        /// The stream offset of the prefix.
        var offset: Int
        var prefix: LengthPrefixDiagnosis
        /// The body's octets and the characters its prefix counted, when that explains the break.
        var countedCharacters: (octets: Int, characters: Int)?
        /// How many octets stand between the last good frame and a whole frame that follows them, when
        /// that explains the break: octets that are no frame, such as a newline after each body.
        var strayOctets: Int?
    }

    /// The number of octets (1 to 8) to skip at `offset` of `examined` for a whole frame with a JSON body
    /// to begin there, or nil.
    static func strayOctets(_ examined: [UInt8], at offset: Int, byteOrder: ByteOrder) -> Int? {
        for skipped in 1...8 {
            let start = offset + skipped
            guard start + 4 <= examined.count else { return nil }
            let length = Int(byteOrder.value(examined[start], examined[start + 1], examined[start + 2], examined[start + 3]))
            guard length > 0, start + 4 + length <= examined.count else { continue }
            if (try? JSONParser.parse(Array(examined[(start + 4)..<(start + 4 + length)]))) != nil { return skipped }
        }
        return nil
    }

    /// The first prefix in `received` (up to `examinedLimit` octets) whose frame is not a JSON text, or nil.
    static func streamBreak(_ received: [UInt8], byteOrder: ByteOrder) -> StreamBreak? {
        let examined = received.count > examinedLimit ? Array(received[..<examinedLimit]) : received
        var offset = 0
        // Walk the frames that make sense, to find the first that does not: each body is parsed once.
        while offset + 4 <= examined.count {
            let length = Int(byteOrder.value(examined[offset], examined[offset + 1], examined[offset + 2], examined[offset + 3]))
            if offset + 4 + length > examined.count || length > 64 << 20 { break }
            if (try? JSONParser.parse(Array(examined[(offset + 4)..<(offset + 4 + length)]))) == nil { break }
            offset += 4 + length
        }
        guard offset + 4 <= examined.count else { return nil }
        let prefix = LengthPrefixDiagnosis(octets: Array(examined[offset..<(offset + 4)]), order: byteOrder, limit: 1 << 24)
        return StreamBreak(
            offset: offset, prefix: prefix, countedCharacters: characterCountedLength(examined, at: offset, declared: prefix.length),
            strayOctets: strayOctets(examined, at: offset, byteOrder: byteOrder))
    }

    /// What went wrong with a response stream whose framing broke, as report lines: the prefix shown in
    /// hex, as ASCII and byte-swapped, and whether a character-counted length explains it.
    static func streamDiagnosis(_ received: [UInt8], byteOrder: ByteOrder) -> [String] {
        streamDiagnosis(streamBreak(received, byteOrder: byteOrder), received: received, byteOrder: byteOrder)
    }

    /// The report lines for a break already found in `received`.
    static func streamDiagnosis(_ found: StreamBreak?, received: [UInt8], byteOrder: ByteOrder) -> [String] {
        guard received.count >= 4 else { return ["received only \(received.count) octet(s): \(received.map(hexPair).joined(separator: " "))"] }
        guard let found else { return [] }
        let diagnosis = found.prefix
        var lines = [
            "prefix at stream offset \(found.offset): \(diagnosis.octets.map(hexPair).joined(separator: " ")) = \(diagnosis.length) read \(byteOrder), \(diagnosis.swappedLength) byte-swapped\(diagnosis.asciiText.map { ", ASCII \"\($0)\"" } ?? "")"
        ]
        lines += diagnosis.likelyCauses.map { "likely cause: " + $0 }
        if let stray = found.strayOctets {
            let octets = received[found.offset..<(found.offset + stray)].map(hexPair).joined(separator: " ")
            lines.append(
                "likely cause: \(stray) stray octet(s) \(octets) at stream offset \(found.offset), after a whole frame: a whole frame begins after them (frame.body-follows.sender)"
            )
        }
        if let counted = found.countedCharacters {
            lines.append(
                "likely cause: length counted in characters: the body is \(counted.octets) octets but \(counted.characters) characters (frame.length-counts-octets)"
            )
        }
        if received.count > examinedLimit {
            lines.append("(diagnosis of the first \(examinedLimit) of \(received.count) octets received)")
        }
        return lines
    }

    /// When the body after the prefix at `offset` is a JSON text of `declared` characters (Unicode scalars,
    /// grapheme clusters or UTF-16 units, the three ways languages count them) but more octets.
    ///
    /// One pass over the octets finds where each count reaches `declared`; only those ends (at most three)
    /// are parsed, so the work is linear in the octets received, never one parse per candidate end.
    static func characterCountedLength(_ received: [UInt8], at offset: Int, declared: UInt32) -> (octets: Int, characters: Int)? {
        let start = offset + 4
        let wanted = Int(declared)
        guard start < received.count, wanted > 0 else { return nil }
        // A text of `wanted` characters is at most 4 octets each.
        let available = received[start..<min(received.count, start + min(wanted, examinedLimit) * 4)]
        let text = String(decoding: available, as: UTF8.self)
        var ends: [Int] = []
        func octets<View: Collection>(of view: View, reaching count: Int, end: (View.Index) -> Int) -> Int? {
            guard count <= view.count else { return nil }
            return end(view.index(view.startIndex, offsetBy: count))
        }
        let utf8 = text.utf8
        let offsetOf = { (index: String.Index) in utf8.distance(from: utf8.startIndex, to: index) }
        if let end = octets(of: text.unicodeScalars, reaching: wanted, end: offsetOf) { ends.append(end) }
        if let end = octets(of: text.utf16, reaching: wanted, end: offsetOf) { ends.append(end) }
        if let end = octets(of: text, reaching: wanted, end: offsetOf) { ends.append(end) }
        // The decoded text may hold replacement characters for broken octets: offsets into it are only
        // offsets into the stream when it decoded losslessly up to them.
        var seen = Set<Int>()
        for end in ends where end != wanted && end <= available.count && seen.insert(end).inserted {
            let body = Array(received[start..<(start + end)])
            guard body.elementsEqual(utf8.prefix(end)), (try? JSONParser.parse(body)) != nil else { continue }
            return (end, wanted)
        }
        return nil
    }

    /// How a reply ended, for "missing response" lines.
    static func ending(_ reply: ProbeConnection.Reply) -> String {
        if reply.endless { return "endless stream: more octets came back than any response holds, and reading stopped" }
        if reply.reset { return "the connection was reset" }
        if reply.closed { return "the server closed the connection" }
        if let error = reply.framingError { return "framing broke: \(error)" }
        if let start = reply.notAResponse {
            return "a frame whose body begins \(start.prefix(8).map(hexPair).joined(separator: " ")), a control octet no JSON text begins with"
        }
        return "no answer before the time-out"
    }

    /// The command that repeats what a failed case sent. Where one write on one connection is enough (no
    /// second write, no pause, no half-close), a POSIX shell one-liner (`shellReplay`); otherwise
    /// `lpj replay CASE HOST:PORT --report REPORT.json`, which repeats the case's wire log from the JSON
    /// report: every connection, write boundary, pause and half-close (`ReplayReportFile`: the report's
    /// file, once known, replaces `REPORT.json`).
    public static func replayCommand(wire: [WireLog], sent: [UInt8]?, address: String, host: String, port: Int, caseID: String) -> String? {
        let events = wire.flatMap(\.events)
        let writes = events.filter { $0.kind == .sent }
        if wire.count == 1, writes.count == 1, !events.contains(where: { $0.kind == .halfClosed }),
            writes[0].octets.count == writes[0].octetCount, writes[0].octetCount <= 2_048
        {
            return shellReplay(writes[0].octets, host: host, port: port)
        }
        if !writes.isEmpty { return "lpj replay \(caseID) \(address) " + ReplayReportFile.option(ReplayReportFile.placeholder) }
        guard let sent else { return nil }
        return sent.count <= 2_048 ? shellReplay(sent, host: host, port: port) : "lpj replay \(caseID) \(address)"
    }

    /// A one-line command that writes `bytes` to `host`:`port` in one write and shows the reply in hex, for
    /// any POSIX shell (dash too) on a system with bash and coreutils, as every Debian has: `printf` with
    /// 3-digit octal escapes (dash's printf has no `\x`), bash's `/dev/tcp` for the connection (no `nc`,
    /// which is not installed by default; python3 is not either), `od` for the dump. It waits 3 s for the reply (then SIGKILL, which a blocked SIGTERM cannot stop).
    public static func shellReplay(_ bytes: [UInt8], host: String, port: Int) -> String {
        let escaped = bytes.map { byte -> String in
            switch byte {
            case 0x20...0x7e where byte != 0x27 && byte != 0x5c && byte != 0x25: return String(UnicodeScalar(byte))
            default: return "\\" + String(byte, radix: 8).leftPadded(3).replacingOccurrences(of: " ", with: "0")
            }
        }.joined()
        return "printf '\(escaped)' | bash -c 'exec 3<>/dev/tcp/\(host)/\(port); cat >&3; exec timeout -s KILL 3 cat <&3' | od -A d -t x1z -v"
    }

    static func hexPair(_ byte: UInt8) -> String { hexByte(byte) }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
