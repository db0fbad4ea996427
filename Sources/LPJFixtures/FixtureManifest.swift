import LPJWire

/// The manifest (`fixtures/manifest.json`): every fixture's ID, file, checksum, class, rules, and what the
/// reference codec reads from it. Its format is specified in `fixtures/README.md` and
/// `fixtures/manifest.schema.json`.
public enum FixtureManifest {
    /// The format's name and version, written into every manifest.
    public static let format = "lpj-fixtures/1"

    /// The manifest of `fixtures` as a JSON value.
    public static func json(_ fixtures: [Fixture]) -> JSONValue {
        .object([
            "$schema": "./manifest.schema.json",
            "format": .string(format),
            "protocol": "lpj/1",
            "spec": "../spec/lpj.md",
            "generatedBy": "lpj fixtures generate",
            "defaults": .object([
                "receiverLimit": .number(JSONNumber(FrameConfiguration.defaultMaxBodyLength)),
                "maxDepth": .number(JSONNumber(JSONParser.Options.defaultMaxDepth)),
            ]),
            "fixtures": .array(fixtures.map(entry)),
        ])
    }

    /// The manifest's bytes: two-space indentation, UTF-8, a final newline.
    public static func bytes(_ fixtures: [Fixture]) -> [UInt8] {
        JSONWriter.bytes(json(fixtures), style: .pretty) + [0x0A]
    }

    static func entry(_ fixture: Fixture) -> JSONValue {
        let definition = fixture.definition
        var members: [JSONObject.Member] = [
            .init("id", .string(definition.id)),
            .init("description", .string(definition.summary)),
            .init("file", .string(fixture.file)),
            .init("octets", .number(JSONNumber(definition.wire.count))),
            .init("sha256", .string(fixture.sha256)),
            .init("direction", .string(definition.direction.rawValue)),
            .init("byteOrder", .string(definition.byteOrder.rawValue)),
            .init("class", .string(definition.classification.rawValue)),
            .init("rules", .array(definition.rules.map { .string($0.rawValue) })),
            .init("receiverLimit", .number(JSONNumber(definition.receiverLimit))),
            .init("receiverByteOrder", .string(definition.receiverByteOrder.rawValue)),
            .init("frames", .array(fixture.reading.frames.map(frame))),
        ]
        if let stop = fixture.reading.stop { members.append(.init("stop", refusal(stop))) }
        if definition.direction == .clientToServer {
            members.append(.init("responses", .array(zip(definition.responses, fixture.acceptedOffsets).map { response($0, offsets: $1) })))
        }
        members.append(.init("connection", .string(definition.connection.rawValue)))
        return .object(JSONObject(members))
    }

    static func frame(_ frame: StreamReading.Frame) -> JSONValue {
        var members: [JSONObject.Member] = [.init("octets", .number(JSONNumber(frame.octets)))]
        if let refusal = frame.refusal {
            members.append(.init("reject", self.refusal(refusal)))
        } else if let json = frame.json {
            members.append(.init("message", json))
        }
        return .object(JSONObject(members))
    }

    static func refusal(_ error: WireError) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init("code", .string(error.code.rawValue)),
            .init("rule", .string(error.rule.rawValue)),
        ]
        if let offset = error.offset { members.append(.init("offset", .number(JSONNumber(offset)))) }
        return .object(JSONObject(members))
    }

    static func response(_ expected: ExpectedResponse, offsets: [Int]?) -> JSONValue {
        switch expected {
        case .response(let response):
            return response.json()
        case .error(let code, let level):
            var members: [JSONObject.Member] = [.init("error", .string(code.rawValue))]
            if let offsets { members.append(.init("offsets", .array(offsets.map { .number(JSONNumber($0)) }))) }
            if level != .must { members.append(.init("level", .string(level.rawValue))) }
            return .object(JSONObject(members))
        }
    }
}
