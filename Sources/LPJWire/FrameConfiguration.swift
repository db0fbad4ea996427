/// The limits and byte order of one endpoint's framing, with the spec's defaults.
public struct FrameConfiguration: Hashable, Sendable {
    /// The least limit any receiver may have (`frame.max-size-minimum`).
    public static let minimumMaxBodyLength = 65_536
    /// The reference default (`frame.max-size-configurable`): 1 MiB.
    public static let defaultMaxBodyLength = 1_048_576
    /// The largest length a 4-octet prefix can carry.
    public static let largestEncodableLength = Int(UInt32.max)

    /// How the byte order of a connection is chosen. Default: `.little` (`order.little-default`).
    public var byteOrder: ByteOrderMode
    /// The largest body accepted, in octets; `maxBodyLength + 1` is refused.
    public var maxBodyLength: Int

    public init(byteOrder: ByteOrderMode = .little, maxBodyLength: Int = FrameConfiguration.defaultMaxBodyLength) {
        precondition(
            maxBodyLength >= 0 && maxBodyLength <= FrameConfiguration.largestEncodableLength,
            "maxBodyLength must fit a 32-bit prefix")
        self.byteOrder = byteOrder
        self.maxBodyLength = maxBodyLength
    }
}
