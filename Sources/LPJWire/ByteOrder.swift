/// The order of the four octets of a length prefix on the wire.
///
///     length 37:   little  25 00 00 00     big  00 00 00 25
///
/// `struct.pack("I", n)` in the legacy peers means the *host's* order, so a legacy peer on s390x
/// writes big-endian prefixes (`order.native-is-legacy`). LPJ pins little-endian (`order.little-default`).
public enum ByteOrder: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case little
    case big

    /// The order of this machine's `UInt32`, i.e. what `struct.pack("I", n)` gives here.
    public static var host: ByteOrder { UInt32(1).littleEndian == 1 ? .little : .big }

    /// The other order.
    public var swapped: ByteOrder { self == .little ? .big : .little }

    public var description: String { rawValue + "-endian" }

    /// The value of four prefix octets read in this order.
    @inlinable
    public func value(_ p0: UInt8, _ p1: UInt8, _ p2: UInt8, _ p3: UInt8) -> UInt32 {
        switch self {
        case .little: return UInt32(p0) | UInt32(p1) << 8 | UInt32(p2) << 16 | UInt32(p3) << 24
        case .big: return UInt32(p0) << 24 | UInt32(p1) << 16 | UInt32(p2) << 8 | UInt32(p3)
        }
    }

    /// The four octets that carry `length` in this order.
    @inlinable
    public func octets(of length: UInt32) -> [UInt8] {
        let le = [
            UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8),
            UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24),
        ]
        return self == .little ? le : le.reversed()
    }
}

/// How an endpoint chooses the byte order of a connection.
///
/// `native` resolves to the host's order (`order.native-is-legacy`); `auto` decides per connection from the
/// first prefix (`order.auto-algorithm`).
public enum ByteOrderMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case little
    case big
    case native
    case auto

    /// The order this mode fixes up front, or `nil` for `auto`, which waits for the first prefix.
    public var fixedOrder: ByteOrder? {
        switch self {
        case .little: return .little
        case .big: return .big
        case .native: return .host
        case .auto: return nil
        }
    }

    public var description: String { rawValue }
}

/// The outcome of `order.auto-algorithm` on one prefix.
public struct ByteOrderDetection: Hashable, Sendable {
    /// The order chosen for the connection.
    public var order: ByteOrder
    /// Both readings were within the limit and differed; little-endian won by rule.
    public var isAmbiguous: Bool

    /// Decides the byte order of a connection from its first prefix `p0 p1 p2 p3`, given the receiver's limit:
    ///
    ///     LE == BE               -> little (the readings agree: 00 00 00 00, 01 00 00 01, ...)
    ///     exactly one <= limit   -> that one
    ///     both <= limit          -> little, ambiguous (with a limit under 16 MiB: prefixes 00 xx yy 00)
    ///     neither                -> little (the frame is oversized either way)
    public static func detect(_ p0: UInt8, _ p1: UInt8, _ p2: UInt8, _ p3: UInt8, limit: Int) -> ByteOrderDetection {
        let little = Int(ByteOrder.little.value(p0, p1, p2, p3))
        let big = Int(ByteOrder.big.value(p0, p1, p2, p3))
        if little == big { return .init(order: .little, isAmbiguous: false) }
        switch (little <= limit, big <= limit) {
        case (true, false): return .init(order: .little, isAmbiguous: false)
        case (false, true): return .init(order: .big, isAmbiguous: false)
        case (true, true): return .init(order: .little, isAmbiguous: true)
        case (false, false): return .init(order: .little, isAmbiguous: false)
        }
    }
}
