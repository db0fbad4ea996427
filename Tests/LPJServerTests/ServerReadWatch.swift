import Foundation
import LPJSockets

/// Waits, on an observed event rather than a sleep, until a server process has read everything a test
/// sent on a loopback connection: the client's send queue is empty (the server's kernel has every octet,
/// `SIOCOUTQ`) and the receive queue of the server's end is empty (the server's own `read` took them:
/// the `rx_queue` column of `/proc/net/tcp` or `tcp6`, on the line from the server's port to the
/// client's). Tests that must make a server see a short read — half a prefix now, the rest later —
/// send the first part, wait here, then send the rest.
enum ServerReadWatch {
    /// `true` once the server has read all that was sent on `socket`; `false` after `timeoutMilliseconds`.
    static func waitUntilRead(_ socket: Socket, serverPort: Int, timeoutMilliseconds: Int = 5_000) -> Bool {
        let clientPort = socket.localPort
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1_000)
        while Date() < deadline {
            if unsent(socket) == 0, unread(serverPort: serverPort, clientPort: clientPort) == 0 { return true }
            usleep(1_000)  // polling an observed condition, bounded by the deadline
        }
        return false
    }

    /// `true` once `condition` holds; `false` after `timeoutMilliseconds`. For conditions observed in the
    /// kernel's tables, which send no event.
    static func waitUntil(timeoutMilliseconds: Int = 5_000, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1_000)
        while Date() < deadline {
            if condition() { return true }
            usleep(1_000)  // polling an observed condition, bounded by the deadline
        }
        return condition()
    }

    /// TCP connections whose local port is `port` and whose local end is still open: established, or
    /// closed by the peer only (`CLOSE_WAIT`). The listening socket is not counted.
    static func openConnections(localPort port: Int) -> Int {
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let data = try? FileHandle(forReadingAtPath: table)?.readToEnd() else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, self.port(of: fields[1]) == port else { continue }
                if fields[3] == "01" || fields[3] == "08" { count += 1 }
            }
        }
        return count
    }

    /// Octets the client's kernel has not yet handed to the peer.
    static func unsent(_ socket: Socket) -> Int {
        var count: Int32 = 0
        return ioctl(socket.descriptor, UInt(TIOCOUTQ), &count) == 0 ? Int(count) : -1
    }

    /// Octets waiting in the server's receive queue for the connection, or nil when no such line exists.
    static func unread(serverPort: Int, clientPort: Int) -> Int? {
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: procfs files report size 0, and a sized read stops after the first page.
            guard let data = try? FileHandle(forReadingAtPath: table)?.readToEnd() else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 4, port(of: fields[1]) == serverPort, port(of: fields[2]) == clientPort,
                    let queues = fields[4].split(separator: ":").last, let unread = Int(queues, radix: 16)
                else { continue }
                return unread
            }
        }
        return nil
    }

    /// The port of `0100007F:1F90`.
    static func port(of address: Substring) -> Int? { address.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
}
