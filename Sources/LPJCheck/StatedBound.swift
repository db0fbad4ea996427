import LPJSockets
import LPJWire

#if canImport(Glibc)
import Glibc
#endif

/// A time bound as `lpj.describe` states it in one of its optional members (`idleTimeoutMs`,
/// `slowSenderMs`, `slowReaderMs`): absent, `null` (no bound), a whole number of milliseconds, or a
/// value the table does not allow.
enum StatedBound: Equatable {
    case unstated
    case none
    case milliseconds(Int)
    case invalid(String)

    init(_ value: JSONValue?) {
        guard let value else { self = .unstated; return }
        if case .null = value { self = .none; return }
        if let ms = value.numberValue?.int64Value, ms >= 0, ms <= Int64(Int32.max) {
            self = .milliseconds(Int(ms))
            return
        }
        self = .invalid(String(JSONWriter.string(value).prefix(40)))
    }
}

extension CheckTarget {
    /// The bound the server states in `member`.
    func statedBound(_ member: String) -> StatedBound {
        description == nil ? .unstated : StatedBound(stated(member))
    }
}

/// Whether the server has ended the connection, seen in the kernel's TCP state rather than by reading:
/// the responses waiting in the receive buffer stay unread. `.open` while established; `.finished` once
/// the server's FIN came (CLOSE_WAIT); `.reset` once the connection is gone (a reset).
enum PeerState: Equatable {
    case open, finished, reset

    init(_ socket: Socket) {
        var info = [UInt8](repeating: 0, count: 256)
        var length = socklen_t(info.count)
        let result = info.withUnsafeMutableBytes { getsockopt(socket.descriptor, Int32(IPPROTO_TCP), 11 /* TCP_INFO */, $0.baseAddress, &length) }
        // tcpi_state, the first octet: 1 ESTABLISHED, 8 CLOSE_WAIT, 7 CLOSE (after a reset).
        guard result == 0 else { self = .reset; return }
        switch info[0] {
        case 1: self = .open
        case 8: self = .finished
        default: self = .reset
        }
    }

    /// Watches `socket` every 50 ms until the server ends the connection or `milliseconds` pass (cut to
    /// the case's deadline); the state then, and the milliseconds waited.
    static func watch(_ socket: Socket, milliseconds: Int) -> (state: PeerState, waited: Int) {
        let start = ContinuousClock.now
        let limit = CaseDeadline.clamp(milliseconds)
        while true {
            let state = PeerState(socket)
            let waited = Int((ContinuousClock.now - start).milliseconds)
            if state != .open || waited >= limit { return (state, waited) }
            usleep(UInt32(min(50, limit - waited)) * 1_000)
        }
    }
}
