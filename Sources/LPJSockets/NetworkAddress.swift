#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP endpoint the sockets can use: an IPv4 or IPv6 address with its port, as `getaddrinfo` resolves
/// a host name or literal (`127.0.0.1`, `::1`, `localhost`, a name from /etc/hosts or DNS).
public struct NetworkAddress: Sendable {
    /// `AF_INET` or `AF_INET6`.
    public let family: Int32
    let storage: sockaddr_storage
    let length: socklen_t

    /// Every TCP address `host` resolves to, in the resolver's order of preference, with `port`.
    /// `passive`: for a listener (an empty host then means every local address).
    public static func resolve(host: String, port: Int, passive: Bool = false) throws -> [NetworkAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        var status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        if status != 0 {
            // A loopback-only machine has no configured address of a family: still resolve literals of it.
            hints.ai_flags &= ~AI_ADDRCONFIG
            status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        }
        guard status == 0, let first = list else {
            throw SocketError("cannot resolve \(host): " + String(cString: gai_strerror(status)), errno: EINVAL)
        }
        defer { freeaddrinfo(first) }
        var addresses: [NetworkAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr, current.pointee.ai_family == AF_INET || current.pointee.ai_family == AF_INET6 {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(current.pointee.ai_addrlen))) }
                addresses.append(NetworkAddress(family: current.pointee.ai_family, storage: storage, length: current.pointee.ai_addrlen))
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw SocketError("cannot resolve \(host): no IPv4 or IPv6 address", errno: EINVAL) }
        return addresses
    }

    /// Calls `body` with the address as the `sockaddr` pointer and length the socket calls take.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }
}

/// `HOST:PORT` as users type it: `127.0.0.1:7000`, `localhost:7000`, `[::1]:7000` (IPv6 literals in
/// brackets, as in URLs).
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`; `nil` unless it has a host and a port from 1 to 65,535 (0 too when `allowZero`).
    public init?(_ text: String, allowZero: Bool = false) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let number = Int(port), (allowZero ? 0 : 1)...65_535 ~= number else { return nil }
        self.init(host: String(host), port: number)
    }

    /// `host:port`, with an IPv6 literal in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
