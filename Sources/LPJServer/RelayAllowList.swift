import Foundation

/// The upstreams `relay` may connect to (`ext.relay.upstreams`), given by `--relay-allow HOST:PORT`.
///
/// With no entry the server relays to loopback only: `127.0.0.0/8`, `::1` and `localhost`, on any port.
/// Entries replace that default: `HOST:PORT` allows one upstream, `HOST:*` every port of a host, `*:PORT`
/// one port of any host (IPv6 literals in brackets: `[::1]:9001`). Whatever the entries say, an address
/// in a block reserved for documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)
/// is refused (`ext.relay.documentation-refused`). A refused upstream is answered `invalid-params` before
/// any connection is tried (`ext.relay.refused-upstream`); a host name is compared as written, never
/// resolved first.
public struct RelayAllowList: Sendable, Hashable {
    /// One `--relay-allow` entry; `nil` is the `*` wildcard.
    public struct Entry: Sendable, Hashable {
        public var host: String?
        public var port: Int?

        /// Parses `HOST:PORT`, `HOST:*`, `*:PORT` or `[IPv6]:PORT`.
        public init(parsing text: String) throws {
            guard let colon = text.lastIndex(of: ":") else { throw RelayAllowListError(text, "has no :PORT") }
            var host = String(text[..<colon])
            let port = String(text[text.index(after: colon)...])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw RelayAllowListError(text, "has no host") }
            self.host = host == "*" ? nil : host.lowercased()
            if port == "*" {
                self.port = nil
            } else {
                guard let number = Int(port), (1...65_535).contains(number) else { throw RelayAllowListError(text, "has a port that is not * or 1 to 65535") }
                self.port = number
            }
        }

        func admits(host: String, port: Int) -> Bool {
            (self.host == nil || self.host == host.lowercased()) && (self.port == nil || self.port == port)
        }
    }

    /// The entries; empty means loopback only.
    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Why `host`:`port` is refused, as the message of the `invalid-params` answer, or `nil` when allowed.
    public func refusal(host: String, port: Int) -> String? {
        let upstream = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        if let block = Self.documentationBlock(of: host) {
            return "upstream \(upstream) is not allowed: \(block) is reserved for documentation"
        }
        if entries.isEmpty {
            return Self.isLoopback(host) ? nil : "upstream \(upstream) is not allowed: this server relays to loopback addresses only"
        }
        return entries.contains { $0.admits(host: host, port: port) } ? nil : "upstream \(upstream) is not allowed by this server's --relay-allow list"
    }

    /// The documentation block (RFC 5737, RFC 3849) holding the address literal `host`, if it is one.
    static func documentationBlock(of host: String) -> String? {
        if let octets = ipv4(host) {
            switch (octets[0], octets[1], octets[2]) {
            case (192, 0, 2): return "192.0.2.0/24"
            case (198, 51, 100): return "198.51.100.0/24"
            case (203, 0, 113): return "203.0.113.0/24"
            default: return nil
            }
        }
        if let octets = ipv6(host) {
            if octets[0] == 0x20, octets[1] == 0x01, octets[2] == 0x0d, octets[3] == 0xb8 { return "2001:db8::/32" }
            // An IPv4-mapped address (::ffff:192.0.2.1) is the IPv4 address.
            if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xff, octets[11] == 0xff {
                return documentationBlock(of: octets[12...].map(String.init).joined(separator: "."))
            }
        }
        return nil
    }

    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        if let octets = ipv4(host) { return octets[0] == 127 }
        if let octets = ipv6(host) { return octets == [UInt8](repeating: 0, count: 15) + [1] }
        return false
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}

/// A `--relay-allow` entry that cannot be read.
public struct RelayAllowListError: Error, CustomStringConvertible {
    public var description: String
    init(_ text: String, _ problem: String) { description = "--relay-allow \(text) \(problem) (expected HOST:PORT, HOST:*, *:PORT or [IPv6]:PORT)" }
}
