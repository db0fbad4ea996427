import LPJWire

/// What the checker learns before the cases: does anything answer, in which byte order, with what limits.
public struct ServerProbe: Sendable {
    /// The server answered a little-endian ping with its pong.
    public var answersLittle = false
    /// The server answered a big-endian ping with its pong.
    public var answersBig = false
    /// What came back to the little-endian ping when it was not a pong, explained.
    public var notes: [String] = []
    /// The first order in which the server sent something back that was not a pong.
    public var answeringBadly: ByteOrder?
    /// The `lpj.describe` result, when the server has it.
    public var description: JSONValue?

    /// Why the server cannot be tested, or `nil` when it can.
    public var unusable: String?

    /// Probes `host:port`. `pinned` skips the byte-order search.
    public static func run(host: String, port: Int, pinned: ByteOrder?, timeoutMilliseconds: Int) -> ServerProbe {
        var probe = ServerProbe()
        for order in pinned.map({ [$0] }) ?? [.little, .big] {
            let context = CheckContext(target: CheckTarget(host: host, port: port, byteOrder: order, timeoutMilliseconds: timeoutMilliseconds))
            do {
                let (connection, reply) = try context.exchange(context.frame(Request(method: "ping", params: "probe")), halfClose: false, count: 1)
                connection.close()
                if reply.responses.first?.out == "pong" {
                    if order == .little { probe.answersLittle = true } else { probe.answersBig = true }
                } else {
                    var note = "\(order) ping: \(reply.frames.isEmpty ? Evidence.ending(reply) : "no pong")"
                    if reply.framingError != nil || !reply.frames.isEmpty {
                        note += "; " + Evidence.streamDiagnosis(connection.received, byteOrder: order).joined(separator: "; ")
                    }
                    probe.notes.append(note)
                    // Something came back: the server speaks, however badly. The cases will say how.
                    if !connection.received.isEmpty, probe.answeringBadly == nil { probe.answeringBadly = order }
                }
            } catch {
                probe.unusable = "cannot connect to \(host):\(port): \(error)"
                return probe
            }
        }
        guard let order = probe.byteOrder else {
            probe.unusable = "no pong from \(host):\(port) in \(pinned.map { "\($0)" } ?? "either byte order"): " + probe.notes.joined(separator: " | ")
            return probe
        }
        let context = CheckContext(target: CheckTarget(host: host, port: port, byteOrder: order, timeoutMilliseconds: timeoutMilliseconds))
        if let (connection, reply) = try? context.exchange(context.frame(Request(method: "lpj.describe", params: nil)), halfClose: false, count: 1) {
            connection.close()
            if let response = reply.responses.first, response.out == "lpj.description" { probe.description = response.result }
        }
        return probe
    }

    /// The order the cases will speak: little when it answers little, else big, else the order in which
    /// it at least sent something back.
    public var byteOrder: ByteOrder? { answersLittle ? .little : answersBig ? .big : answeringBadly }

    /// The target for the cases.
    public func target(host: String, port: Int, timeoutMilliseconds: Int) -> CheckTarget? {
        guard let byteOrder else { return nil }
        var target = CheckTarget(host: host, port: port, byteOrder: byteOrder, timeoutMilliseconds: timeoutMilliseconds)
        target.detectsByteOrder = answersLittle && answersBig
        if let limit = description?.objectValue?["maxBody"]?.numberValue?.int64Value {
            target.maxBody = Int(limit)
            target.maxBodyIsStated = true
        }
        if case .array(let names)? = description?.objectValue?["methods"] { target.methods = names.compactMap(\.stringValue) }
        return target
    }

    /// How the server chooses its byte order, as far as pings show.
    public var byteOrderSummary: String {
        switch (answersLittle, answersBig) {
        case (true, true): return "answers both orders (auto-detection)"
        case (true, false): return "little-endian"
        case (false, true): return "big-endian"
        case (false, false): return answeringBadly.map { "no valid pong in either order; answers \($0) pings with broken frames" } ?? "none"
        }
    }
}
