import Foundation
import LPJRandom
import LPJWire

extension CaseCatalog {
    /// Requests cut into pieces that arrive apart: one octet at a time, inside the prefix, at the
    /// prefix/body boundary, in the body, and seeded random splits (`frame.reads-are-partial`).
    ///
    /// The pieces are 150 ms apart, long enough for a server that reads once per frame to see a short
    /// read even on a busy machine; every case stays under about a second of pauses.
    static let segmentationCases: [CheckCase] = {
        var cases: [CheckCase] = []
        let pause = 150
        cases.append(
            CheckCase(
                "segmentation.one-octet-at-a-time", "A ping sent one octet per write, 10 ms apart.",
                covers: [.readsArePartial]
            ) { context in
                try splitExchange(context, params: "one octet at a time", pause: 10) { frame in frame.map { [$0] } }
            })
        for cut in 1...4 {
            let splitPoint = cut == 4 ? "at the prefix/body boundary" : "after \(cut) octet(s) of the prefix"
            cases.append(
                CheckCase(
                    "segmentation.split-\(cut == 4 ? "boundary" : "prefix-\(cut)")", "A ping split \(splitPoint), the pieces \(pause) ms apart.",
                    covers: [.readsArePartial]
                ) { context in
                    try splitExchange(context, params: .string("split \(cut)"), pause: pause) { frame in [Array(frame[..<cut]), Array(frame[cut...])] }
                })
        }
        cases.append(
            CheckCase(
                "segmentation.split-body", "A ping split in the middle of its body, the pieces \(pause) ms apart.",
                covers: [.readsArePartial]
            ) { context in
                try splitExchange(context, params: "split in the body", pause: pause) { frame in
                    [Array(frame[..<(frame.count / 2)]), Array(frame[(frame.count / 2)...])]
                }
            })
        cases.append(
            CheckCase(
                "segmentation.large-body-in-pieces", "A ping of 20,000 octets in four pieces \(pause) ms apart.",
                covers: [.readsArePartial]
            ) { context in
                let body = CheckContext.harmlessPing(bodyLength: 20_000)
                let frame = context.frame(body.body)
                let quarter = frame.count / 4
                let delivery = Delivery(
                    pieces: (0..<4).map { Array(frame[($0 * quarter)..<($0 == 3 ? frame.count : ($0 + 1) * quarter)]) }, pauseMilliseconds: pause)
                let (connection, reply) = try context.exchange(delivery, count: 1)
                defer { connection.close() }
                return context.judge(reply, expected: [.pong(body.params, .readsArePartial)], connection: connection, delivery: delivery)
            })
        cases.append(
            CheckCase(
                "segmentation.frame-and-a-half",
                "A ping and the first half of a second in one write, the rest \(pause) ms later: the octets after the first frame are kept.",
                covers: [.keepsNextFrame]
            ) { context in
                let first = context.frame(Request(method: "ping", params: "first"))
                let second = context.frame(Request(method: "ping", params: "second"))
                let delivery = Delivery(pieces: [first + second[..<(second.count / 2)], Array(second[(second.count / 2)...])], pauseMilliseconds: pause)
                let (connection, reply) = try context.exchange(delivery, count: 2)
                defer { connection.close() }
                return context.judge(
                    reply, expected: [.pong("first", .keepsNextFrame), .pong("second", .keepsNextFrame)], connection: connection, delivery: delivery)
            })
        cases.append(
            CheckCase(
                "segmentation.random-splits", "Twenty pings cut at seeded random places (seed 20261124), 5 ms apart.",
                covers: [.readsArePartial, .inOrder], extraMilliseconds: 1_000
            ) { context in
                var generator = SplitMix64(seed: 20_261_124)
                let requests = (0..<20).map { Request(method: "ping", params: .number(JSONNumber($0))) }
                let stream = requests.flatMap { context.frame($0) }
                var pieces: [[UInt8]] = []
                var start = 0
                while start < stream.count {
                    let length = Int(generator.next() % 23) + 1
                    pieces.append(Array(stream[start..<min(stream.count, start + length)]))
                    start += length
                }
                let delivery = Delivery(pieces: pieces, pauseMilliseconds: 5)
                let (connection, reply) = try context.exchange(delivery, count: requests.count)
                defer { connection.close() }
                return context.judge(reply, expected: requests.map { .pong($0.params, .readsArePartial) }, connection: connection, delivery: delivery)
            })
        return cases
    }()

    /// Sends a ping cut into the pieces `cut` makes, `pause` ms apart.
    static func splitExchange(_ context: CheckContext, params: JSONValue, pause: Int, cut: ([UInt8]) -> [[UInt8]]) throws -> CaseOutcome {
        let delivery = Delivery(pieces: cut(context.frame(Request(method: "ping", params: params))), pauseMilliseconds: pause)
        let (connection, reply) = try context.exchange(delivery, count: 1)
        defer { connection.close() }
        return context.judge(reply, expected: [.pong(params, .readsArePartial)], connection: connection, delivery: delivery)
    }
}
