import Foundation
import LPJFixtures
import LPJWire
import NIOCore
import Testing

@Suite("Fixtures")
struct FixtureSetTests {
    static let set = Result { try FixtureSet.generate() }

    @Test("the committed fixtures match the generator byte for byte and by SHA-256")
    func committedFixturesVerify() throws {
        let set = try Self.set.get()
        #expect(set.problems(in: RepositoryPaths.fixtures) == [])
        // One committed wire file per generated fixture: an empty generator and an empty manifest agree too.
        let committed = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.fixtures.appendingPathComponent("wire").path)
        #expect(!set.fixtures.isEmpty)
        #expect(set.fixtures.count == committed.count, "\(set.fixtures.count) fixtures generated, \(committed.count) wire files committed")
    }

    @Test("changing any one octet of a fixture fails verification with that fixture's ID")
    func tamperedByteIsCaught() throws {
        let set = try Self.set.get()
        let copy = try Self.copyOfFixtures()
        defer { try? FileManager.default.removeItem(at: copy) }
        for fixture in set.fixtures.filter({ $0.definition.wire.count < 100 }).prefix(12) {
            let url = copy.appendingPathComponent(fixture.file)
            var bytes = try Array(Data(contentsOf: url))
            let original = bytes
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: url)
            let problems = set.problems(in: copy)
            #expect(problems.count == 2, "\(problems)")
            #expect(problems.allSatisfy { $0.hasPrefix(fixture.definition.id + ":") }, "\(problems)")
            try Data(original).write(to: url)
        }
        #expect(set.problems(in: copy) == [])
    }

    @Test("a missing fixture, an extra file and an edited manifest are each reported")
    func otherDamage() throws {
        let set = try Self.set.get()
        let copy = try Self.copyOfFixtures()
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.removeItem(at: copy.appendingPathComponent(set.fixtures[0].file))
        try Data([1, 2, 3]).write(to: copy.appendingPathComponent("wire/stray.bin"))
        let manifest = copy.appendingPathComponent("manifest.json")
        let edited = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "\"must-accept\"", with: "\"must-reject\"")
        try edited.write(to: manifest, atomically: true, encoding: .utf8)
        let problems = set.problems(in: copy)
        #expect(problems.contains { $0.hasPrefix(set.fixtures[0].definition.id + ": ") && $0.hasSuffix("is missing") })
        #expect(problems.contains { $0.contains("wire/stray.bin belongs to no fixture") })
        #expect(problems.contains { $0.hasPrefix("manifest.json differs") })
    }

    @Test("every fixture reads the same whole, one octet at a time, and split at every offset (frame.reads-are-partial)")
    func splitReading() throws {
        for fixture in try Self.set.get().fixtures where fixture.definition.wire.count <= 4_096 {
            let definition = fixture.definition
            let framing = FrameConfiguration(byteOrder: definition.receiverByteOrder, maxBodyLength: definition.receiverLimit)
            let whole = Self.frames(definition.wire.map { [$0] }, framing: framing)
            #expect(whole.bodies.count == fixture.reading.frames.count, "\(definition.id)")
            #expect(whole.stop?.code == fixture.reading.stop?.code, "\(definition.id)")
            for cut in stride(from: 0, through: definition.wire.count, by: 3) {
                let split = Self.frames([Array(definition.wire[..<cut]), Array(definition.wire[cut...])], framing: framing)
                #expect(split.bodies == whole.bodies && split.stop == whole.stop, "\(definition.id) cut at \(cut)")
            }
        }
    }

    @Test("the generator refuses a catalog that contradicts the codec")
    func contradictionsAreRefused() {
        typealias F = FixtureDefinition
        let frame = { (text: String) in FrameEncoder().frame(Array(text.utf8)) }
        let bad: [F] = [
            F(
                "request.bad.accepts-garbage", "x", direction: .clientToServer, .mustAccept, rules: [], wire: frame("{"),
                responses: [.error(.invalidJSON)]),
            F(
                "request.bad.wrong-code", "x", direction: .clientToServer, .mustReject, rules: [], wire: frame("{"),
                rejection: .invalidUTF8, responses: [.error(.invalidUTF8)]),
            F(
                "request.bad.wrong-echo", "x", direction: .clientToServer, .mustAccept, rules: [],
                wire: frame(#"{"in":"ping","params":1}"#), responses: [.pong(2)]),
            F(
                "request.bad.missing-response", "x", direction: .clientToServer, .mustAccept, rules: [],
                wire: frame(#"{"in":"ping","params":1}"#), responses: []),
            F(
                "request.bad.open-after-oversize", "x", direction: .clientToServer, .mustReject, rules: [],
                wire: [0xff, 0xff, 0xff, 0xff], rejection: .frameTooLarge, responses: [.error(.frameTooLarge, level: .should)]),
            // The codec calls this invalid-json at the literal; spec Section 4.1 calls it invalid-utf8 at the ff.
            F(
                "request.bad.offsets-disagree", "x", direction: .clientToServer, .mustReject, rules: [],
                wire: FrameEncoder().frame(Array(#"{"in":tru"#.utf8) + [0xff]), rejection: .invalidJSON,
                responses: [.error(.invalidJSON)]),
        ]
        for definition in bad {
            #expect(throws: FixtureError.self, "\(definition.id)") { try Fixture(definition) }
        }
        let twice = F(
            "request.ok", "x", direction: .clientToServer, .mustAccept, rules: [],
            wire: frame(#"{"in":"ping","params":1}"#), responses: [.pong(1)])
        #expect(throws: FixtureError.catalogDisagrees(id: "request.ok", "the ID is used twice")) {
            try FixtureSet.generate(from: [twice, twice])
        }
    }

    @Test("every invalid-utf8 and invalid-json response lists its accepted offsets, which hold the reference's")
    func offsetsListed() throws {
        for fixture in try Self.set.get().fixtures {
            for (index, response) in fixture.definition.responses.enumerated() {
                guard case .error(let code, _) = response else { continue }
                let offsets = fixture.acceptedOffsets[index]
                guard code == .invalidJSON || code == .invalidUTF8 else {
                    #expect(offsets == nil, "\(fixture.definition.id)")
                    continue
                }
                let listed = try #require(offsets, "\(fixture.definition.id)")
                #expect(!listed.isEmpty && listed.count <= 2 && listed == listed.sorted(), "\(fixture.definition.id)")
                #expect(listed.contains(fixture.reading.frames[index].refusal?.offset ?? -1), "\(fixture.definition.id)")
            }
        }
    }

    @Test("the README's generated parts follow the fixtures, and missing markers are reported")
    func readmeParts() throws {
        let set = try Self.set.get()
        let readme = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(set.readme.replacingGeneratedParts(in: readme) == readme)
        let chosen = set.fixtures.filter { $0.definition.classification == .implementationDefined }.map(\.definition.id)
        let list = try #require(set.readme.parts.first { $0.name == "implementation-defined" }).text
        #expect(chosen.allSatisfy { list.contains("`\($0)`") } && !list.contains("size-1mib"))
        let decoded = set.fixtures.filter { $0.definition.direction == .clientToServer && $0.definition.classification == .mustAccept }
        #expect(readme.contains("\(set.fixtures.count) files checked, \(decoded.count) fixtures decoded, 0 failed"))
        let copy = try Self.copyOfFixtures()
        defer { try? FileManager.default.removeItem(at: copy) }
        let unmarked = readme.replacingOccurrences(of: "<!-- example-output:begin -->", with: "")
        try unmarked.write(to: copy.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        #expect(set.problems(in: copy).contains { $0.hasPrefix("README.md: the markers") })
    }

    @Test("IDs are stable-looking and unique, every rule cited exists, every file name follows its ID")
    func catalogShape() throws {
        let known = Set(RuleID.all)
        for fixture in try Self.set.get().fixtures {
            let id = fixture.definition.id
            #expect(id.range(of: #"^[a-z0-9]+(\.[a-z0-9-]+)+$"#, options: .regularExpression) != nil, "\(id)")
            #expect(fixture.file == "wire/\(id).bin")
            #expect(!fixture.definition.rules.isEmpty, "\(id) cites no rule")
            for rule in fixture.definition.rules { #expect(known.contains(rule), "\(id) cites unknown \(rule)") }
        }
    }

    // MARK: - Helpers

    static func copyOfFixtures() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("lpj-fixtures-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: RepositoryPaths.fixtures, to: copy)
        return copy
    }

    static func frames(_ pieces: [[UInt8]], framing: FrameConfiguration) -> (bodies: [[UInt8]], stop: WireError?) {
        var decoder = FrameDecoder(configuration: framing)
        var buffer = ByteBuffer()
        var bodies: [[UInt8]] = []
        do {
            for piece in pieces {
                buffer.writeBytes(piece)
                while let body = try decoder.decode(buffer: &buffer) { bodies.append(Array(body.readableBytesView)) }
            }
            while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { bodies.append(Array(body.readableBytesView)) }
            return (bodies, nil)
        } catch {
            return (bodies, error as? WireError)
        }
    }
}
