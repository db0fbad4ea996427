import LPJWire
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One log record, one line on standard error, written with one `write` so that lines of several
/// threads or worker processes never interleave:
///
///     2026-12-02T07:20:00.123Z debug lpj.serve: protocol error, answered error invalid-json model=event-loop offset=1 peer=127.0.0.1:51234 pid=4242 rule=body.json-text
///
/// An ISO 8601 UTC timestamp with milliseconds, the level, the label, the message, then the metadata
/// sorted by key, with the writing process's id (a worker's own, after a fork).
struct ServerLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata.merging(event.metadata ?? [:]) { $1 }
        fields["pid"] = "\(getpid())"
        var text = "\(Self.timestamp()) \(event.level) \(label): \(event.message)"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { text += " \(key)=\(value)" }
        text += "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Now, as `2026-12-02T07:20:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = now.tv_nsec / 1_000_000
        let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}

extension ServerConfiguration {
    /// The server's logger: standard error, at the configured level, naming the model in every line.
    var logger: Logger {
        let level = logLevel
        var logger = Logger(label: "lpj.serve") { ServerLogHandler(label: $0, logLevel: level) }
        logger.logLevel = level
        logger[metadataKey: "model"] = "\(model.rawValue)"
        return logger
    }
}

extension Logger {
    /// The logger for one connection: every line names the peer.
    func forConnection(peer: String) -> Logger {
        var logger = self
        logger[metadataKey: "peer"] = "\(peer)"
        return logger
    }

    /// Logs the protocol errors among `steps` (debug): each error response with its rule and offset and
    /// the response sent, and a close for a frame that cannot be read on (`closing`).
    func protocolErrors(in steps: [ServerConnection.Step], closing: WireError?) {
        guard logLevel <= .debug else { return }
        for step in steps {
            switch step {
            case .dispatch(.respond(let response)):
                guard let error = response.errorResult else { continue }
                debug("protocol error, answered error \(error.code)", metadata: Self.fields(rule: error.rule, offset: error.offset))
            case .finish(let response?):
                guard let error = response.errorResult else { continue }
                debug("protocol error, answered error \(error.code) and closing", metadata: Self.fields(rule: error.rule, offset: error.offset))
            case .finish(nil):
                guard let closing else { continue }
                debug(
                    "protocol error, closing without a response: \(closing.message)",
                    metadata: Self.fields(rule: closing.rule.rawValue, offset: closing.offset))
            case .dispatch(.close):
                debug("closing without a response")
            default:
                continue
            }
        }
    }

    private static func fields(rule: String?, offset: Int?) -> Logger.Metadata {
        var fields: Logger.Metadata = [:]
        if let rule { fields["rule"] = "\(rule)" }
        if let offset { fields["offset"] = "\(offset)" }
        return fields
    }
}

/// `HOST:PORT` of the other end of a connected socket (`[::1]:PORT` for IPv6), or `?` if unknown.
func peerAddress(of descriptor: Int32) -> String {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    return withUnsafeMutablePointer(to: &storage) { pointer -> String in
        guard pointer.withMemoryRebound(to: sockaddr.self, capacity: 1, { getpeername(descriptor, $0, &length) }) == 0 else { return "?" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(pointer.pointee.ss_family) {
        case AF_INET:
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var ip = address.pointee.sin_addr
                inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                return
                    "\(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(UInt16(bigEndian: address.pointee.sin_port))"
            }
        case AF_INET6:
            return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                var ip = address.pointee.sin6_addr
                inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                return
                    "[\(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))]:\(UInt16(bigEndian: address.pointee.sin6_port))"
            }
        default:
            return "?"
        }
    }
}

/// `HOST:PORT` of a NIO address (`[::1]:PORT` for IPv6), or `?`.
func peerAddress(_ address: SocketAddress?) -> String {
    guard let address, let host = address.ipAddress, let port = address.port else { return "?" }
    if case .v6 = address { return "[\(host)]:\(port)" }
    return "\(host):\(port)"
}
