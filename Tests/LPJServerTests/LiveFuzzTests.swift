import Foundation
import LPJFixtures
import LPJRandom
import LPJServer
import LPJWire
import Testing

/// Random frames, valid and not, against a live server: mutations of the request fixtures and plain
/// noise, each on its own connection that half-closes after sending. Every connection must end (the
/// server answers what it can and closes, `conn.half-close`), every octet that comes back must decode
/// as responses, a fresh ping must get its pong between batches, and the server must exit cleanly.
@Suite("live fuzzing", .serialized)
struct LiveFuzzTests {
    static let inputsPerModel = 150

    /// One hostile or valid input, from the fixtures' wire bytes and the seeded `generator`.
    static func input(_ generator: inout SplitMix64, fixtures: [[UInt8]]) -> [UInt8] {
        var bytes = fixtures.randomElement(using: &generator)!
        switch Int.random(in: 0..<8, using: &generator) {
        case 0:  // flip octets
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
        case 1:  // cut anywhere
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
        case 2:  // a random prefix, sometimes huge
            let prefix = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes = prefix + bytes.dropFirst(min(4, bytes.count))
        case 3:  // two fixtures back to back, the second cut
            let second = fixtures.randomElement(using: &generator)!
            bytes += second.prefix(Int.random(in: 0...second.count, using: &generator))
        case 4:  // noise
            bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case 5:  // a well-framed body of noise
            let body = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes = FrameEncoder(byteOrder: .little).frame(body)
        case 6:  // a valid ping with random params
            let params: JSONValue = .array((0..<Int.random(in: 0...5, using: &generator)).map { _ in .number(JSONNumber(Int.random(in: -1000...1000, using: &generator))) })
            bytes = FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: params).body())
        default:  // the fixture as it is
            break
        }
        return bytes
    }

    @Test("random frames on 150 connections: every connection ends, every reply decodes, pings still pong",
          arguments: ServerModel.allCases)
    func randomFrames(model: ServerModel) throws {
        let fixtures = try FixtureSet.generate().fixtures
            .filter { $0.definition.direction == .clientToServer && $0.definition.receiverByteOrder == .little }
            .map(\.definition.wire)
        var generator = SplitMix64(seed: 0x11FE_F022 &+ UInt64(ServerModel.allCases.firstIndex(of: model)!))
        let server = try ServerProcess(model: model)
        var hung = 0
        var undecodable: [String] = []
        for index in 0..<Self.inputsPerModel {
            let bytes = Self.input(&generator, fixtures: fixtures)
            let connection = try server.connect()
            try? connection.send(bytes)
            connection.halfClose()
            let reply = try connection.read(timeoutMilliseconds: 5_000)
            connection.close()
            if !reply.closed && reply.fault == nil { hung += 1 }
            if let fault = reply.fault { undecodable.append("input \(index): \(fault)") }
            if index % 25 == 24 {
                let probe = try server.connect()
                try probe.send(Request(method: "ping", params: .number(JSONNumber(index))))
                #expect(try probe.read(count: 1).responses.first == Response(out: "pong", result: .number(JSONNumber(index))),
                        "\(model): no pong after input \(index)")
                probe.close()
            }
        }
        #expect(hung == 0, "\(model): \(hung) connections neither answered nor closed within 5 s")
        #expect(undecodable.isEmpty, "\(model): \(undecodable.prefix(3))")
        #expect(server.stop() == 0, "\(model): the server did not exit cleanly")
    }
}
