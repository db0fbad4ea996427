import NIOCore

/// Puts the 4-octet length prefix in front of a body.
///
///     body {"out":"pong","result":null} (29 octets), little-endian:
///     1d 00 00 00  7b 22 6f 75 74 22 ...
///
/// Prefix and body always end up in one contiguous buffer, so a sender can hand them to the kernel in one
/// write (`frame.single-write`).
public struct FrameEncoder: Hashable, Sendable {
    /// The order of the prefix this encoder writes.
    public var byteOrder: ByteOrder

    public init(byteOrder: ByteOrder = .little) {
        self.byteOrder = byteOrder
    }

    /// The whole frame for `body`. Traps on a body longer than `UInt32.max`, which no prefix can carry.
    public func frame(_ body: some Collection<UInt8>) -> [UInt8] {
        var frame = prefix(forLength: body.count)
        frame.append(contentsOf: body)
        return frame
    }

    /// The four prefix octets announcing `length`.
    public func prefix(forLength length: Int) -> [UInt8] {
        precondition(
            length >= 0 && length <= FrameConfiguration.largestEncodableLength,
            "a body of \(length) octets does not fit a 32-bit length prefix")
        return byteOrder.octets(of: UInt32(length))
    }

    /// Appends prefix and body to `buffer`.
    public func write(_ body: some Collection<UInt8>, to buffer: inout ByteBuffer) {
        buffer.writeBytes(prefix(forLength: body.count))
        buffer.writeBytes(body)
    }

    /// Appends a frame whose body `writeBody` writes straight into `buffer`, then patches the prefix:
    /// no intermediate copy of the body.
    public func write(to buffer: inout ByteBuffer, body writeBody: (inout ByteBuffer) throws -> Void) rethrows {
        let prefixIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        try writeBody(&buffer)
        let length = buffer.writerIndex - prefixIndex - 4
        precondition(length <= FrameConfiguration.largestEncodableLength, "body does not fit a 32-bit prefix")
        buffer.setInteger(UInt32(length), at: prefixIndex, endianness: byteOrder == .little ? .little : .big)
    }
}
