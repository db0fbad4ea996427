import LPJWire

/// A fixture as the manifest records it: the catalog's definition, plus what the reference codec read
/// from its bytes and their checksum.
public struct Fixture: Sendable {
    public var definition: FixtureDefinition
    public var reading: StreamReading
    /// For each of `definition.responses`: the offsets the spec accepts when it is an `invalid-utf8` or
    /// `invalid-json` error (spec Section 4.1), derived from the frame's octets; `nil` for other responses.
    public var acceptedOffsets: [[Int]?]

    /// The fixture's file, relative to the fixtures folder.
    public var file: String { "wire/\(definition.id).bin" }
    /// SHA-256 of the wire bytes, lowercase hex.
    public var sha256: String { SHA256.hexDigest(definition.wire) }

    /// Reads the definition's bytes with the reference codec and checks that the codec and the catalog agree.
    /// Throws `FixtureError.catalogDisagrees` naming the fixture and the disagreement.
    public init(_ definition: FixtureDefinition) throws {
        self.definition = definition
        self.reading = StreamReading(
            wire: definition.wire, direction: definition.direction,
            framing: FrameConfiguration(byteOrder: definition.receiverByteOrder, maxBodyLength: definition.receiverLimit))
        self.acceptedOffsets = Self.acceptedOffsets(definition.responses, reading)
        if let problem = disagreement() ?? offsetDisagreement() { throw FixtureError.catalogDisagrees(id: definition.id, problem) }
    }

    /// Codes whose error responses carry an offset the spec pins down (`msg.error-response.offset-required`).
    static let offsetCodes: Set<WireError.Code> = [.invalidUTF8, .invalidJSON]

    static func acceptedOffsets(_ responses: [ExpectedResponse], _ reading: StreamReading) -> [[Int]?] {
        responses.enumerated().map { index, response in
            guard case .error(let code, _) = response, offsetCodes.contains(code), index < reading.frames.count else { return nil }
            return BodyDefect.find(in: reading.frames[index].body)?.offsets
        }
    }

    /// The first error response whose accepted offsets are missing or leave out the reference's own, or `nil`.
    func offsetDisagreement() -> String? {
        for (index, response) in definition.responses.enumerated() {
            guard case .error(let code, _) = response, Self.offsetCodes.contains(code) else { continue }
            guard index < reading.frames.count, let offsets = acceptedOffsets[index] else {
                return "response \(index) is a \(code) error, but the spec finds no defect in frame \(index)"
            }
            let body = reading.frames[index].body
            let defect = BodyDefect.find(in: body)
            guard defect?.code == code else {
                return "response \(index) is a \(code) error, but by spec Section 4.1 frame \(index) is \(defect.map { "\($0.code)" } ?? "fine")"
            }
            guard let reported = reading.frames[index].refusal?.offset, offsets.contains(reported) else {
                return
                    "frame \(index): the reference reports offset \(reading.frames[index].refusal?.offset.map(String.init) ?? "none"), the spec accepts \(offsets)"
            }
        }
        return nil
    }

    /// Codes a server gives to messages the codec accepts: they come from dispatch, not from decoding.
    static let dispatchCodes: Set<WireError.Code> = [.unknownMethod, .invalidParams]

    /// The first way the catalog and the codec disagree, or `nil`.
    func disagreement() -> String? {
        let refusal = reading.firstRefusal
        switch definition.classification {
        case .mustAccept:
            if let refusal { return "must-accept, but the codec refuses it: \(refusal)" }
            if definition.rejection != nil { return "must-accept fixtures name no rejection" }
        case .mustReject:
            if definition.rejection == nil { return "must-reject fixtures name their rejection code" }
        case .implementationDefined:
            break
        }
        if let expected = definition.rejection, !Self.dispatchCodes.contains(expected), refusal?.code != expected {
            return "expected the codec to refuse with \(expected), but it \(refusal.map { "refused with \($0)" } ?? "accepted everything")"
        }
        if reading.stop != nil, definition.connection != .closed {
            return "the stream stops at \(reading.stop!.code), so the connection must be closed"
        }
        guard definition.direction == .clientToServer else {
            return definition.responses.isEmpty ? nil : "server-to-client fixtures expect no responses"
        }
        let oversizeReply = reading.stop?.code == .frameTooLarge ? 1 : 0
        guard definition.responses.count == reading.frames.count + oversizeReply else {
            return
                "\(reading.frames.count) complete frames\(oversizeReply == 1 ? " and an oversize reply" : "") need \(reading.frames.count + oversizeReply) responses, the catalog lists \(definition.responses.count)"
        }
        for (index, frame) in reading.frames.enumerated() {
            switch (frame.refusal, definition.responses[index]) {
            case (let refusal?, .error(let code, _)) where refusal.code == code:
                continue
            case (let refusal?, _):
                return "frame \(index) is refused with \(refusal.code), so response \(index) must be that error"
            case (nil, .error(let code, _)) where Self.dispatchCodes.contains(code):
                continue
            case (nil, .error(let code, _)):
                return "frame \(index) decodes, so response \(index) cannot be a \(code) error"
            case (nil, .response(let response)):
                guard let request = try? Request(json: frame.json!), request.method == "ping" else { continue }
                if response.out != "pong" || !request.params.isSameValue(as: response.result) {
                    return "response \(index) must echo the ping's params"
                }
            }
        }
        return nil
    }
}

/// Why the fixtures could not be generated or verified.
public enum FixtureError: Error, CustomStringConvertible, Equatable {
    case catalogDisagrees(id: String, String)

    public var description: String {
        switch self {
        case .catalogDisagrees(let id, let problem): return "fixture \(id): the catalog and the codec disagree: \(problem)"
        }
    }
}
