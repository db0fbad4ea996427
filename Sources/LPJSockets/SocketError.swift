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
