/// Why a length prefix is implausible, worked out from its four octets (`order.mismatch-diagnosis`).
///
///     7b 22 69 6e   read little-endian: 1,852,383,867   as ASCII: {"in   -> text written into the stream
///     00 00 00 25   read little-endian:   620,756,992   swapped: 37      -> the peer writes big-endian
public struct LengthPrefixDiagnosis: Hashable, Sendable, CustomStringConvertible {
    /// The four prefix octets as they arrived.
    public var octets: [UInt8]
    /// The order they were read in.
    public var order: ByteOrder
    /// The length in that order.
    public var length: UInt32
    /// The length in the other order.
    public var swappedLength: UInt32
    /// The limit the length was checked against.
    public var limit: Int

    public init(octets: [UInt8], order: ByteOrder, limit: Int) {
        precondition(octets.count == 4, "a length prefix is four octets")
        self.octets = octets
        self.order = order
        self.limit = limit
        self.length = order.value(octets[0], octets[1], octets[2], octets[3])
        self.swappedLength = order.swapped.value(octets[0], octets[1], octets[2], octets[3])
    }

    /// The four octets as printable ASCII, when every one of them is printable (0x20 through 0x7e).
    public var asciiText: String? {
        guard octets.allSatisfy({ (0x20...0x7e).contains($0) }) else { return nil }
        return String(decoding: octets, as: UTF8.self)
    }

    /// The length is over the limit and reads within it in the other byte order. A small length written in
    /// the other order reads as at least 2^24 (its low octet lands on top); a length just over the limit
    /// is a disagreement about the limit, not about the order.
    public var isPlausibleInOtherOrder: Bool {
        Int(length) > limit && Int(swappedLength) <= limit && length >= 1 << 24
    }

    /// The likeliest explanations, most specific first; empty when the length is within the limit.
    public var likelyCauses: [String] {
        guard Int(length) > limit else { return [] }
        var causes: [String] = []
        if let text = asciiText {
            causes.append("looks like text written into the stream without a length prefix (\"\(text)\")")
        }
        if isPlausibleInOtherOrder {
            causes.append(
                "plausible in the other byte order: read \(order.swapped) it is \(swappedLength); is the peer using \(order.swapped) (native on its host) prefixes?"
            )
        }
        return causes
    }

    public var description: String {
        let hex = octets.map { hexByte($0) }.joined(separator: " ")
        var text = "length prefix \(hex) read \(order) is \(length)"
        if Int(length) > limit { text += ", over the limit of \(limit)" }
        for cause in likelyCauses { text += "; " + cause }
        return text
    }
}

/// Two lowercase hex digits: `0x7b` is `"7b"`.
public func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}
