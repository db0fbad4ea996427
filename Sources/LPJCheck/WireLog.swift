import Foundation

/// What one connection of a case put on the wire and took off it, in order, with times: the record the
/// HTML report shows and `lpj replay` repeats.
///
/// Octets are kept up to `WireLog.octetLimit` per direction; past it an event keeps its count
/// (`octetCount`) but not its octets, so a 64 MiB flood is logged as its size, not its content.
public struct WireLog: Sendable, Equatable {
    /// The most octets kept per direction of one connection.
    public static let octetLimit = 64 * 1_024

    /// 1 for the case's first connection, 2 for its second, and so on.
    public var connection: Int
    public var events: [WireEvent]

    public init(connection: Int, events: [WireEvent] = []) {
        self.connection = connection
        self.events = events
    }
}

/// One thing that happened on a connection, `milliseconds` after the case began.
public struct WireEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The checker connected.
        case connected
        /// The checker wrote `octets` in one write.
        case sent
        /// One read returned `octets`.
        case received
        /// The checker shut down its sending side (a half-close: the server reads end of stream).
        case halfClosed
        /// The checker closed the connection.
        case closed
        /// The server closed: a read returned end of stream.
        case peerClosed
        /// The server reset the connection (ECONNRESET).
        case peerReset
    }

    public var kind: Kind
    /// Since the case began, in milliseconds (fractions kept).
    public var milliseconds: Double
    /// The octets sent or received, when kept (see `WireLog.octetLimit`).
    public var octets: [UInt8]
    /// How many octets this event carried; larger than `octets.count` when they were not all kept.
    public var octetCount: Int

    public init(kind: Kind, milliseconds: Double, octets: [UInt8] = [], octetCount: Int? = nil) {
        self.kind = kind
        self.milliseconds = milliseconds
        self.octets = octets
        self.octetCount = octetCount ?? octets.count
    }
}
