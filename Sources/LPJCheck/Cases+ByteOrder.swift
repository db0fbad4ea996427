import LPJWire

extension CaseCatalog {
    /// Byte-order detection, for a server that answers both orders: decided once per connection, from
    /// that connection's first prefix, and kept for all of it (`order.auto-detect`).
    static let byteOrderCases: [CheckCase] = [
        CheckCase("byte-order.auto-per-connection", "A big-endian connection and a little-endian one at the same time: each answered in its own order, the first again after the second.",
                  covers: [.autoFirstFrameOnly, .autoWholeConnection]) { context in
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
                return .broke(.autoFirstFrameOnly, "a little-endian connection opened while a big-endian one was open was not answered little-endian: the order is not decided per connection",
                              details: [other.summary] + other.details, sent: little.sent)
            }
            try big.send(Request(method: "ping", params: "big again"))
            let again = big.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
            let outcome = context.judge(again, expected: [.pong("big again", .autoWholeConnection)], connection: big, delivery: .oneWrite(big.sent))
            return outcome.verdict == .passed ? .passed("each connection keeps the order its first prefix showed") : outcome
        },
        CheckCase("byte-order.auto-keeps-order", "After a big-endian ping, a big-endian frame of 256 octets (00 00 01 00, which read little-endian would be 65,536 and within the limit): still read big-endian.",
                  covers: [.autoWholeConnection]) { context in
            guard context.target.detectsByteOrder else { return .skipped("the server does not detect the byte order") }
            let connection = try context.connect(byteOrder: .big)
            defer { connection.close() }
            let ping = CheckContext.harmlessPing(bodyLength: 256)
            let delivery = Delivery(pieces: [FrameEncoder(byteOrder: .big).frame(Request(method: "ping", params: "first").body()),
                                             FrameEncoder(byteOrder: .big).frame(ping.body)], pauseMilliseconds: 50)
            try delivery.send(on: connection)
            let reply = connection.read(count: 2, timeoutMilliseconds: context.target.timeoutMilliseconds)
            return context.judge(reply, expected: [.pong("first", .autoAlgorithm), .pong(ping.params, .autoWholeConnection)], connection: connection, delivery: delivery)
        },
    ]
}
