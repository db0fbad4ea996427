import LPJWire

/// Whether a case's connections met a refusal of the kind a server at its connection limit makes
/// (`sec.connection-limit.refuse`): a connection whose first frame from the server is an `overloaded`
/// error, or that the server closed or reset after the checker wrote to it but before sending anything.
///
/// Read from the case's `WireLog`s. A server may still count connections the runner closed a moment
/// ago, since nothing bounds how soon it must notice a client's close; such a refusal says nothing about
/// the case's octets, so the runner runs the case once more before it charges anything.
enum RefusalEvidence {
    /// Whether any of `wire`'s connections was refused.
    static func metRefusal(_ wire: [WireLog]) -> Bool {
        wire.contains(where: refused)
    }

    /// Whether the server refused `log`'s connection: closed it unanswered after the checker wrote, or
    /// answered its first frame `overloaded`.
    static func refused(_ log: WireLog) -> Bool {
        let received = log.events.filter { $0.kind == .received }.flatMap(\.octets)
        if received.isEmpty {
            guard let wrote = log.events.firstIndex(where: { $0.kind == .sent }) else { return false }
            return log.events[wrote...].contains { $0.kind == .peerClosed || $0.kind == .peerReset }
        }
        return firstFrameIsOverloaded(received)
    }

    /// Whether the first frame of `received`, its prefix read in either byte order, is an `overloaded` error.
    static func firstFrameIsOverloaded(_ received: [UInt8]) -> Bool {
        guard received.count > 4 else { return false }
        for order in [ByteOrder.little, .big] {
            let body = FrameWalk.bodies(received, order: order, limit: received.count).first ?? []
            if let json = try? JSONParser.parse(body), let response = try? Response(json: json),
                response.errorResult?.code == WireError.Code.overloaded.rawValue
            {
                return true
            }
        }
        return false
    }
}
