import LPJWire

/// A `frame-too-large` answer whose message names, as the refused length, the value the request's 4
/// prefix octets have in the other byte order: `00 00 00 24` sent big-endian and refused as 603,979,776
/// octets. The server read that prefix in the wrong order; when earlier prefixes of the same connection
/// were read right, it switched order in mid-connection.
enum PrefixMisreading {
    /// The violation when `response` refuses the frame whose prefix was `prefix` (written in `order`) as
    /// too large, naming the prefix's other-order reading; nil otherwise. `position` is the request's place
    /// among those the case sent on the connection (0 for the first).
    static func violation(_ response: Response, prefix: [UInt8], position: Int, order: ByteOrder, detects: Bool) -> Violation? {
        guard prefix.count == 4, let error = response.errorResult, error.code == WireError.Code.frameTooLarge.rawValue else { return nil }
        let meant = order.value(prefix[0], prefix[1], prefix[2], prefix[3])
        let misread = order.swapped.value(prefix[0], prefix[1], prefix[2], prefix[3])
        guard misread != meant, mentions(error.message, misread) else { return nil }
        let hex = prefix.map(hexByte).joined(separator: " ")
        let which = position == 0 ? "the prefix of the first request sent" : "the prefix of request \(position + 1), after \(position) read \(order)"
        return Violation(
            requirement(order: order, detects: detects),
            "\(which), \(hex) (\(meant) octets \(order)), was refused as \(misread) octets: \(marker) \(order.swapped)")
    }

    /// The words every misreading violation says, by which a judge knows the connection closed by rule.
    static let marker = "the server read it"

    /// The requirement a server breaks when it reads a prefix of a connection in the other byte order:
    /// a detected order must hold for the whole connection, big-endian mode covers every prefix, and a
    /// little-endian server must read little-endian.
    static func requirement(order: ByteOrder, detects: Bool) -> RequirementID {
        detects ? .autoWholeConnection : order == .big ? .bigEveryPrefix : .littleSupportConfigured
    }

    /// The 4 prefix octets of each frame of `bytes`, in order, as far as they frame the octets.
    static func prefixes(of bytes: [UInt8], order: ByteOrder) -> [[UInt8]] {
        var prefixes: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            prefixes.append(Array(bytes[offset..<(offset + 4)]))
            offset += 4 + Int(order.value(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]))
        }
        return prefixes
    }

    /// Whether `message` states `number` as a whole number (not as part of a longer one).
    static func mentions(_ message: String, _ number: UInt32) -> Bool {
        message.split(whereSeparator: { !$0.isNumber }).contains { $0 == String(number)[...] }
    }
}

extension Expectation {
    /// Whether the expected response is the refusal of an oversized frame.
    var expectsFrameTooLarge: Bool {
        if case .error(.frameTooLarge, _) = kind { return true } else { return false }
    }
}
