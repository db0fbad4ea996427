import LPJWire

extension CaseCatalog {
    /// Byte-order detection, for a server that answers both orders: decided once per connection, from
    /// that connection's first prefix, and kept for all of it (`order.auto-detect`).
    static let byteOrderCases: [CheckCase] = [
        CheckCase(
            "byte-order.configured",
            "The byte order the server is configured with (--byte-order, or \"auto\" stated by lpj.describe; else the order it answers): two pings on a fresh connection, the second after the first's answer, each answered in that order; for auto, once in each order.",
            covers: [.littleSupportConfigured, .bigEveryPrefix, .nativeResolve, .autoFirstFrameOnly]
        ) { context in
            let mode = configuredMode(context.target)
            var broken: [String] = []
            var malformed: [Violation] = []
            var details: [String] = []
            for order in mode.mode.fixedOrder.map({ [$0] }) ?? [ByteOrder.little, .big] {
                let connection = try context.connect(byteOrder: order)
                defer { connection.close() }
                var answered = 0
                for index in 1...2 {
                    try connection.send(Request(method: "ping", params: .string("\(order) \(index)")))
                    let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
                    // A JSON body framed in this order: the order is right, the answer's form is not.
                    if let frame = reply.frames.first, (try? JSONParser.parse(frame.body)) != nil,
                        let form = CheckContext.malformedAnswer(reply, to: "the \(order) ping \(index)")
                    {
                        malformed.append(form)
                        answered += 1
                        continue
                    }
                    guard reply.responses.first?.out == "pong" else {
                        let what = reply.frames.isEmpty ? Evidence.ending(reply) : "no pong"
                        broken.append(
                            answered == 0
                                ? "a fresh connection's first \(order) ping got \(what)"
                                : "the first \(order) ping of the connection was answered, the second (a later prefix, written the same way) got \(what)")
                        details +=
                            Evidence.streamDiagnosis(connection.received, byteOrder: order)
                            + Evidence.hexDump(connection.received, around: 0, title: "received on the \(order) connection")
                        break
                    }
                    answered += 1
                }
            }
            guard !broken.isEmpty else {
                if !malformed.isEmpty { return .broke(malformed, details: details) }
                return .passed("\(mode.describedForReport): every prefix read and written in that order")
            }
            let summary = "\(mode.describedForReport): " + broken.joined(separator: "; ")
            return .broke(configuredRequirement(mode, target: context.target), summary + resolutionNote(mode, target: context.target), details: details)
        },
        CheckCase(
            "byte-order.auto-per-connection",
            "A big-endian connection and a little-endian one at the same time: each answered in its own order, the first again after the second.",
            covers: [.autoFirstFrameOnly, .autoWholeConnection]
        ) { context in
            guard context.target.detectsByteOrder else { return .skipped("the server does not detect the byte order") }
            let big = try context.connect(byteOrder: .big)
            defer { big.close() }
            try big.send(Request(method: "ping", params: "big first"))
            let first = big.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            guard first.responses.first?.out == "pong" else {
                return context.judge(first, expected: [.pong("big first", .autoAlgorithm)], connection: big, delivery: .oneWrite(big.sent))
            }
            let delivery = Delivery.oneWrite(FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: "little meanwhile").body()))
            let (little, reply) = try context.exchange(delivery, count: 1, byteOrder: .little)
            defer { little.close() }
            let other = context.judge(reply, expected: [.pong("little meanwhile", .autoFirstFrameOnly)], connection: little, delivery: delivery)
            if other.verdict != .passed {
                return .broke(
                    .autoFirstFrameOnly,
                    "a little-endian connection opened while a big-endian one was open was not answered little-endian: the order is not decided per connection",
                    details: [other.summary] + other.details, sent: little.sent)
            }
            try big.send(Request(method: "ping", params: "big again"))
            let again = big.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            let outcome = context.judge(again, expected: [.pong("big again", .autoWholeConnection)], connection: big, delivery: .oneWrite(big.sent))
            return outcome.verdict == .passed ? .passed("each connection keeps the order its first prefix showed") : outcome
        },
        CheckCase(
            "byte-order.auto-keeps-order",
            "After a big-endian ping, a big-endian frame of 256 octets (00 00 01 00, which read little-endian would be 65,536 and within the limit): still read big-endian.",
            covers: [.autoWholeConnection]
        ) { context in
            guard context.target.detectsByteOrder else { return .skipped("the server does not detect the byte order") }
            let connection = try context.connect(byteOrder: .big)
            defer { connection.close() }
            let ping = CheckContext.harmlessPing(bodyLength: 256)
            let delivery = Delivery(
                pieces: [
                    FrameEncoder(byteOrder: .big).frame(Request(method: "ping", params: "first").body()),
                    FrameEncoder(byteOrder: .big).frame(ping.body),
                ], pauseMilliseconds: 50)
            try delivery.send(on: connection)
            let reply = connection.read(count: 2, timeoutMilliseconds: context.target.timeoutMilliseconds)
            return context.judge(
                reply, expected: [.pong("first", .autoAlgorithm), .pong(ping.params, .autoWholeConnection)], connection: connection, delivery: delivery)
        },
    ]
}

/// The byte order a server is taken to be configured with, and what breaking it is called.
extension CaseCatalog {
    /// The mode to verify: the user's `--byte-order`; else "auto" when the server states it (its statement
    /// is its configuration, `msg.describe.byte-order`) or answers both orders; else the order it answers.
    static func configuredMode(_ target: CheckTarget) -> ConfiguredByteOrder {
        if let configured = target.configuredByteOrder { return ConfiguredByteOrder(mode: configured, source: .user) }
        if target.stated("byteOrder")?.stringValue == "auto" { return ConfiguredByteOrder(mode: .auto, source: .statement) }
        if target.detectsByteOrder { return ConfiguredByteOrder(mode: .auto, source: .answers) }
        return ConfiguredByteOrder(mode: target.byteOrder == .little ? .little : .big, source: .answers)
    }

    /// The requirement a server breaks when it does not speak its configured mode.
    static func configuredRequirement(_ mode: ConfiguredByteOrder, target: CheckTarget) -> RequirementID {
        switch mode.mode {
        case .little: return .littleSupportConfigured
        case .big: return .bigEveryPrefix
        case .native: return .nativeResolve
        case .auto: return .autoFirstFrameOnly
        }
    }

    /// For "native": which order the server speaks instead, and what it states.
    static func resolutionNote(_ mode: ConfiguredByteOrder, target: CheckTarget) -> String {
        switch mode.mode {
        case .native:
            let stated = target.stated("byteOrder")?.stringValue.map { ", and lpj.describe states \"\($0)\"" } ?? ""
            return
                "; this host is \(ByteOrder.host), so \"native\" must behave exactly as \(ByteOrder.host), but the server answers \(target.byteOrder) pings\(stated)"
        case .auto where mode.source == .statement:
            return
                "; lpj.describe states \"auto\", so each connection's order must come from its own first prefix (an order kept from another connection, or no detection at all, breaks it)"
        case .auto:
            return "; an auto-detecting server decides each connection from its own first prefix, never from other connections"
        default:
            return ""
        }
    }
}

/// A byte-order mode and where the runner learned it.
struct ConfiguredByteOrder {
    enum Source { case user, statement, answers }
    var mode: ByteOrderMode
    var source: Source

    var describedForReport: String {
        switch source {
        case .user: return "configured \(mode) (--byte-order \(mode))"
        case .statement: return "stated \"\(mode)\" by lpj.describe"
        case .answers: return "speaks \(mode) (the probe's answers)"
        }
    }
}
