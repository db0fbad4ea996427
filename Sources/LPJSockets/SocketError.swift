#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call on a socket: which call, the `errno`, and its text.
public struct SocketError: Error, Hashable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    /// `ECONNREFUSED`: nobody listens at the address.
    public var isConnectionRefused: Bool { errno == ECONNREFUSED }

    public var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// A bounded write that ran out of time: the peer stopped reading (its receive window stayed full)
/// after `written` of `total` octets.
public struct SocketWriteStalled: Error, Hashable, Sendable, CustomStringConvertible {
    public var written: Int
    public var total: Int
    public var timeoutMilliseconds: Int

    public init(written: Int, total: Int, timeoutMilliseconds: Int) {
        self.written = written
        self.total = total
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public var description: String {
        "the server stopped reading after \(written) of \(total) octets (no room to send more within \(timeoutMilliseconds) ms)"
    }
}
