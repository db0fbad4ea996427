import Foundation
import LPJBench
import LPJFixtures
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

    @Test(
        "random frames on 150 connections: every connection ends, every reply decodes, pings still pong",
        arguments: ServerModel.allCases)
    func randomFrames(model: ServerModel) throws {
        let fixtures = try FixtureSet.generate().fixtures
            .filter { $0.definition.direction == .clientToServer && $0.definition.receiverByteOrder == .little }
            .map(\.definition.wire)
        var inputs = HostileInput(seed: 0x11FE_F022 &+ UInt64(ServerModel.allCases.firstIndex(of: model)!), frames: fixtures)
        let server = try ServerProcess(model: model)
        var hung = 0
        var undecodable: [String] = []
        for index in 0..<Self.inputsPerModel {
            let bytes = inputs.next()
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
                #expect(
                    try probe.read(count: 1).responses.first == Response(out: "pong", result: .number(JSONNumber(index))),
                    "\(model): no pong after input \(index)")
                probe.close()
            }
        }
        #expect(hung == 0, "\(model): \(hung) connections neither answered nor closed within 5 s")
        #expect(undecodable.isEmpty, "\(model): \(undecodable.prefix(3))")
        #expect(server.stop() == 0, "\(model): the server did not exit cleanly")
    }
}
