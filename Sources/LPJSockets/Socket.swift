import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP socket: one file descriptor, owned. The plain POSIX calls the blocking server models and
/// the blocking client are made of; no framing here (that is `LPJWire`'s job).
public final class Socket: @unchecked Sendable {
    /// The file descriptor; -1 once closed.
    public private(set) var descriptor: Int32

    public init(descriptor: Int32) { self.descriptor = descriptor }
    deinit { close() }

    /// Gives up ownership: the caller closes the descriptor from now on.
    public func release() -> Int32 {
        defer { descriptor = -1 }
        return descriptor
    }

    /// A listening socket bound to `host:port` (port 0: the kernel picks), with `SO_REUSEADDR`: the first
    /// address `host` resolves to (an IPv4 or IPv6 literal, or a name). An IPv6 listener takes IPv6 only.
    public static func listen(host: String, port: Int, backlog: Int32 = 1024) throws -> Socket {
        let address = try NetworkAddress.resolve(host: host, port: port, passive: true)[0]
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        let socket = Socket(descriptor: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        guard address.withSockaddr({ Glibc.bind(fd, $0, $1) }) == 0 else { throw SocketError("bind \(HostPort(host: host, port: port))") }
        guard Glibc.listen(fd, backlog) == 0 else { throw SocketError("listen") }
        return socket
    }

    /// A connected socket to `host:port`, giving up after `timeoutMilliseconds` in all: each address `host`
    /// resolves to is tried in turn (IPv6 and IPv4), and the last failure is reported.
    public static func connect(host: String, port: Int, timeoutMilliseconds: Int) throws -> Socket {
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        var lastError: Error = SocketError("connect \(HostPort(host: host, port: port))", errno: ETIMEDOUT)
        for address in try NetworkAddress.resolve(host: host, port: port) {
            let remaining = deadline - monotonicMilliseconds()
            guard remaining > 0 else { break }
            do {
                return try connect(to: address, name: HostPort(host: host, port: port), timeoutMilliseconds: remaining)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    static func connect(to address: NetworkAddress, name: HostPort, timeoutMilliseconds: Int) throws -> Socket {
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        let socket = Socket(descriptor: fd)
        if address.withSockaddr({ Glibc.connect(fd, $0, $1) }) != 0 {
            guard errno == EINPROGRESS else { throw SocketError("connect \(name)") }
            guard try socket.poll(events: Int16(POLLOUT), timeoutMilliseconds: timeoutMilliseconds) else {
                throw SocketError("connect \(name)", errno: ETIMEDOUT)
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw SocketError("connect \(name)", errno: error) }
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return socket
    }

    /// The next connection, or `nil` when interrupted by a signal.
    public func accept() throws -> Socket? {
        let fd = Glibc.accept(descriptor, nil, nil)
        if fd < 0 {
            if errno == EINTR || errno == EAGAIN || errno == ECONNABORTED { return nil }
            throw SocketError("accept")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return Socket(descriptor: fd)
    }

    /// Makes `accept` return at once when nobody is waiting (several processes share one listener).
    public func setNonBlocking() {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// The local port (after binding to port 0), IPv4 or IPv6.
    public var localPort: Int {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return withUnsafeBytes(of: address) { bytes in
            // sin_port and sin6_port sit at the same offset, in network order.
            Int(UInt16(bytes[2]) << 8 | UInt16(bytes[3]))
        }
    }

    /// The peer's port, IPv4 or IPv6; 0 when not connected.
    public var remotePort: Int {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard status == 0 else { return 0 }
        return withUnsafeBytes(of: address) { bytes in Int(UInt16(bytes[2]) << 8 | UInt16(bytes[3])) }
    }

    /// `TCP_NODELAY`: send small segments at once (no Nagle).
    public func setNoDelay(_ on: Bool = true) {
        var flag: Int32 = on ? 1 : 0
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &flag, socklen_t(MemoryLayout<Int32>.size))
    }

    /// `TCP_QUICKACK` (Linux): acknowledge at once instead of delaying, until the kernel re-arms delayed ACKs.
    public func requestQuickAck() {
        #if os(Linux)
        var flag: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), 12 /* TCP_QUICKACK */, &flag, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Reads what is there (up to `maximum` octets) into `buffer`: the count, 0 at EOF.
    /// With `nonBlocking`, returns `nil` when nothing is waiting.
    public func read(into buffer: inout ByteBuffer, maximum: Int = 65_536, nonBlocking: Bool = false) throws -> Int? {
        let flags = nonBlocking ? Int32(MSG_DONTWAIT) : 0
        while true {
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maximum) { pointer in
                result = Glibc.recv(descriptor, pointer.baseAddress, maximum, flags)
                return max(result, 0)
            }
            if result >= 0 { return result }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SocketError("recv")
            }
        }
    }

    /// Writes every octet of `bytes`, retrying short writes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                throw SocketError("send")
            }
            offset += written
        }
    }

    /// Writes every octet of `bytes`.
    public func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Writes the readable bytes of `buffer`.
    public func writeAll(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { try writeAll($0) }
    }

    /// Writes every octet of `bytes` within `timeoutMilliseconds`, however slowly the peer reads: each
    /// `send` takes only what fits (`MSG_DONTWAIT`), and `poll` waits for room until the deadline. A peer
    /// that stops reading makes this throw `SocketWriteStalled` with how many octets went out, never block.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws {
        let deadline = Self.monotonicMilliseconds() + max(0, timeoutMilliseconds)
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if written >= 0 {
                offset += written
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                let remaining = deadline - Self.monotonicMilliseconds()
                guard remaining > 0, try poll(events: Int16(POLLOUT), timeoutMilliseconds: remaining) else {
                    throw SocketWriteStalled(written: offset, total: bytes.count, timeoutMilliseconds: timeoutMilliseconds)
                }
            default: throw SocketError("send")
            }
        }
    }

    /// Writes every octet of `bytes` within `timeoutMilliseconds` (see `writeAll(_:timeoutMilliseconds:)`).
    public func writeAll(_ bytes: [UInt8], timeoutMilliseconds: Int) throws {
        try bytes.withUnsafeBytes { try writeAll($0, timeoutMilliseconds: timeoutMilliseconds) }
    }

    /// `SO_LINGER` with a zero time-out: `close` then discards unsent octets and sends a reset (RST)
    /// instead of the orderly FIN; the peer's next read or write fails with `ECONNRESET`.
    public func setResetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// `SO_RCVBUF`: the kernel's receive buffer for this socket (set on a listener before `listen`, its
    /// connections inherit it), so a peer that writes to a socket nobody reads fills it sooner.
    public func setReceiveBufferSize(_ octets: Int) {
        var size = Int32(clamping: octets)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Milliseconds on the monotonic clock, for deadlines.
    static func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1_000 + Int(now.tv_nsec) / 1_000_000
    }

    /// Waits until `events` are ready: `true` when ready, `false` on time-out (-1 waits forever).
    public func poll(events: Int16, timeoutMilliseconds: Int) throws -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while true {
            let result = Glibc.poll(&entry, 1, Int32(clamping: timeoutMilliseconds))
            if result < 0 {
                if errno == EINTR { continue }
                throw SocketError("poll")
            }
            return result > 0
        }
    }

    /// Waits until a read would not block: `true` when readable (data or EOF), `false` on time-out.
    public func waitUntilReadable(timeoutMilliseconds: Int) throws -> Bool {
        try poll(events: Int16(POLLIN), timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Shuts down the write side: the peer reads EOF after what was sent.
    public func shutdownWrite() { _ = Glibc.shutdown(descriptor, Int32(SHUT_WR)) }

    public func close() {
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
