import LPJRandom
import Foundation
import LPJWire

extension CaseCatalog {
    /// Requests cut into pieces: one octet at a time, inside the prefix, at the prefix/body boundary,
    /// several frames at once, and seeded random splits (`frame.reads-are-partial`).
    static let segmentationCases: [CheckCase] = {
        var cases: [CheckCase] = []
        cases.append(CheckCase("segmentation.one-octet-at-a-time", "A ping sent one octet per write.",
                               rules: [.frameReadsArePartial], level: .must) { context in
            try splitExchange(context, params: "one octet at a time") { frame in frame.map { [$0] } }
        })
        for cut in 1...4 {
            let where_ = cut == 4 ? "at the prefix/body boundary" : "after \(cut) octet(s) of the prefix"
            cases.append(CheckCase("segmentation.split-\(cut == 4 ? "boundary" : "prefix-\(cut)")", "A ping split \(where_).",
                                   rules: [.frameReadsArePartial], level: .must) { context in
                try splitExchange(context, params: .string("split \(cut)")) { frame in [Array(frame[..<cut]), Array(frame[cut...])] }
            })
        }
        cases.append(CheckCase("segmentation.split-body", "A ping split in the middle of its body.",
                               rules: [.frameReadsArePartial, .frameBodyFollows], level: .must) { context in
            try splitExchange(context, params: "split in the body") { frame in [Array(frame[..<(frame.count / 2)]), Array(frame[(frame.count / 2)...])] }
        })
        cases.append(CheckCase("segmentation.random-splits", "Twenty pings cut at seeded random places (seed 20261124).",
                               rules: [.frameReadsArePartial, .connInOrder], level: .must) { context in
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
            let connection = try context.connect()
            defer { connection.close() }
            for piece in pieces {
                try connection.send(piece)
                usleep(1_000)
            }
            let reply = connection.read(count: requests.count, timeoutMilliseconds: context.target.timeoutMilliseconds)
            return context.judge(reply, expected: requests.map { .pong($0.params) }, level: .must, connection: connection)
        })
        return cases
    }()

    /// Sends a ping cut into the pieces `cut` makes, pausing between them so they arrive apart.
    static func splitExchange(_ context: CheckContext, params: JSONValue, cut: ([UInt8]) -> [[UInt8]]) throws -> CaseOutcome {
        let connection = try context.connect()
        defer { connection.close() }
        for piece in cut(context.frame(Request(method: "ping", params: params))) {
            try connection.send(piece)
            usleep(2_000)
        }
        let reply = connection.read(count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
        return context.judge(reply, expected: [.pong(params)], level: .must, connection: connection)
    }
}

