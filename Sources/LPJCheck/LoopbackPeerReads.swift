import Foundation
import LPJSockets

/// Whether the program at the other end of a loopback connection has read what was sent to it, from the
/// kernel's table of TCP sockets. In `/proc/net/tcp` and `/proc/net/tcp6` the peer's socket is the line
/// whose local port is our remote port and whose remote port is our local port; its `rx_queue` (the
/// second half of `tx_queue:rx_queue`, hex) counts the octets that arrived and that it has not read yet:
///
///     sl  local_address rem_address   st tx_queue rx_queue ...
///      3: 0100007F:A6D9 0100007F:838B 01 00000000:00000001 ...   ← one octet unread
///
/// `lpj check-client` waits for that count to reach 0 before a split reply's second piece, so that the
/// client's first read really returns part of a frame (`frame.reads-are-partial`), however busy the
/// machine: a pause alone lets a client scheduled late find every piece in one read.
public enum LoopbackPeerReads {
    /// The octets the peer of `socket` has received and not read; nil when its socket is not in the
    /// table (not loopback, another network namespace, or closed).
    public static func unread(by socket: Socket) -> Int? {
        let ours = socket.localPort
        let theirs = socket.remotePort
        guard ours > 0, theirs > 0 else { return nil }
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: a /proc file states no size, and the table can be long.
            guard let handle = FileHandle(forReadingAtPath: table), let data = try? handle.readToEnd() else { continue }
            try? handle.close()
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 4, port(fields[1]) == theirs, port(fields[2]) == ours else { continue }
                return fields[4].split(separator: ":").last.flatMap { Int($0, radix: 16) }
            }
        }
        return nil
    }

    /// Waits at least `minimumMilliseconds`, then until the peer has read everything sent to it or
    /// `boundMilliseconds` have passed; whether it read everything (false when it could not be seen).
    public static func waitUntilRead(by socket: Socket, minimumMilliseconds: Int, boundMilliseconds: Int) -> Bool {
        let start = ContinuousClock.now
        usleep(UInt32(minimumMilliseconds) * 1_000)
        while ContinuousClock.now - start < .milliseconds(boundMilliseconds) {
            guard let unread = unread(by: socket) else { return false }
            if unread == 0 { return true }
            usleep(500)
        }
        return false
    }

    /// The port of `0100007F:A6D9` (IPv4) or a 32-digit IPv6 address and port, hex.
    static func port(_ address: Substring) -> Int? {
        address.split(separator: ":").last.flatMap { Int($0, radix: 16) }
    }
}
