import LPJWire

/// Walks an octet stream frame by frame without parsing bodies: where each complete frame is.
enum FrameWalk {
    /// The body lengths of the complete frames at the start of `stream`, stopping at an oversized length
    /// or at a frame the stream does not hold whole.
    static func completeFrameLengths(_ stream: [UInt8], order: ByteOrder, limit: Int) -> [Int] {
        var lengths: [Int] = []
        var offset = 0
        while offset + 4 <= stream.count {
            let length = Int(order.value(stream[offset], stream[offset + 1], stream[offset + 2], stream[offset + 3]))
            guard length <= limit, offset + 4 + length <= stream.count else { break }
            lengths.append(length)
            offset += 4 + length
        }
        return lengths
    }

    /// The octets that frames of these body lengths occupy.
    static func completeFramesOctets(_ lengths: [Int]) -> Int { lengths.reduce(0) { $0 + 4 + $1 } }
}

extension FrameWalk {
    /// The bodies of the complete frames at the start of `stream`.
    static func bodies(_ stream: [UInt8], order: ByteOrder, limit: Int) -> [[UInt8]] {
        var offset = 0
        return completeFrameLengths(stream, order: order, limit: limit).map { length in
            defer { offset += 4 + length }
            return Array(stream[(offset + 4)..<(offset + 4 + length)])
        }
    }
}

extension Array where Element == UInt8 {
    /// The offset of the leftmost `[` or `{` whose nesting level — 1 plus the arrays and objects open
    /// before it — is `limit + 1`, or nil when the body stays within `limit` (`body.nesting-limit`).
    /// Octets inside strings do not count; the scan does not validate the JSON.
    func depth(limit: Int) -> Int? {
        var level = 0
        var inString = false
        var escaped = false
        for (offset, octet) in enumerated() {
            if inString {
                if escaped { escaped = false } else if octet == 0x5c { escaped = true } else if octet == 0x22 { inString = false }
                continue
            }
            switch octet {
            case 0x22: inString = true
            case 0x5b, 0x7b:
                level += 1
                if level > limit { return offset }
            case 0x5d, 0x7d: level -= 1
            default: break
            }
        }
        return nil
    }
}

extension FrameWalk {
    /// Frames written interleaved from `offset`: `k` (2 or more) 4-octet prefixes back to back, then `k`
    /// bodies back to back, each body exactly its prefix's length and a JSON text — the stream a sender
    /// makes when it writes the prefixes of several ready frames before their bodies
    /// (`conn.in-order.contiguous`). Read frame by frame, the first "body" then starts with the other
    /// frames' prefixes. Returns `k` and the octets the interleaved frames occupy, or nil.
    ///
    /// Only a `k` whose first body starts where a JSON text can start is parsed, so the work stays near
    /// linear in the octets examined.
    static func interleavedPrefixesThenBodies(_ stream: [UInt8], at offset: Int, order: ByteOrder, limit: Int) -> (frames: Int, octets: Int)? {
        var lengths: [Int] = []
        var position = offset
        while position + 4 <= stream.count, lengths.count < 4_096 {
            let length = Int(order.value(stream[position], stream[position + 1], stream[position + 2], stream[position + 3]))
            guard length > 0, length <= limit else { break }
            lengths.append(length)
            position += 4
            guard lengths.count >= 2, position < stream.count, stream[position] == 0x7b || stream[position] == 0x5b else { continue }
            var body = position
            let parsed = lengths.allSatisfy { length in
                defer { body += length }
                guard body + length <= stream.count else { return false }
                return (try? JSONParser.parse(Array(stream[body..<(body + length)]))) != nil
            }
            if parsed { return (lengths.count, body - offset) }
        }
        return nil
    }
}
