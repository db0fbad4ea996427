import LPJWire

/// Checks every frame a server sent as a response, whatever the case asked: a server is a sender, and
/// what it writes must be a well-formed frame holding UTF-8 JSON that is a valid response.
enum ResponseInspection {
    /// The sender requirements the frames of `reply` break, and how many frames can be trusted as
    /// responses: after a length counted in characters, the frames that follow are the leftovers of a
    /// misread body, not responses of their own.
    static func inspect(_ reply: ProbeConnection.Reply, connection: ProbeConnection) -> (violations: [Violation], trustedFrames: Int) {
        var violations: [Violation] = []
        var offset = 0
        for (index, frame) in reply.frames.enumerated() {
            defer { offset += 4 + frame.body.count }
            let which = "response \(index + 1)"
            if let error = frame.error {
                // Deeper than this checker parses: no requirement bounds the depth of a response (the
                // receiver's own limit is the receiver's), so it is not judged as broken.
                if error.rule == .bodyNestingLimit { continue }
                if let interleaved = interleavedViolation(connection.received, at: offset, order: connection.byteOrder, which: which) {
                    violations.append(interleaved)
                    return (violations, index)
                }
                if let counted = Evidence.characterCountedLength(connection.received, at: offset, declared: UInt32(frame.body.count)) {
                    violations.append(
                        Violation(
                            .lengthCountsOctetsSender,
                            "\(which): its prefix says \(frame.body.count), the number of characters of a body that is \(counted.octets) octets long"))
                    return (violations, index)
                }
                violations.append(Violation(requirement(for: error, body: frame.body), "\(which) is not a valid response: \(error)"))
            } else if let response = frame.response {
                violations += errorObjectViolations(response, which: which)
            }
        }
        if let framingError = reply.framingError {
            if let found = Evidence.streamBreak(connection.received, byteOrder: connection.byteOrder),
                let interleaved = interleavedViolation(
                    connection.received, at: found.offset, order: connection.byteOrder, which: "the frame at stream offset \(found.offset)")
            {
                return (violations + [interleaved], reply.frames.count)
            }
            violations.append(framingViolation(framingError, received: connection.received, order: connection.byteOrder))
        }
        return (violations, reply.frames.count)
    }

    /// The sender requirements the frames of `reply` break.
    static func senderViolations(_ reply: ProbeConnection.Reply, connection: ProbeConnection) -> [Violation] {
        inspect(reply, connection: connection).violations
    }

    /// When the frame at `offset` is followed not by its body but by more prefixes, and the bodies after
    /// them are exactly the frames those prefixes announce: the frames were interleaved.
    static func interleavedViolation(_ received: [UInt8], at offset: Int, order: ByteOrder, which: String) -> Violation? {
        let examined = received.count > Evidence.examinedLimit ? Array(received[..<Evidence.examinedLimit]) : received
        guard let found = FrameWalk.interleavedPrefixesThenBodies(examined, at: offset, order: order, limit: Evidence.examinedLimit) else { return nil }
        return Violation(
            .inOrderContiguous,
            "\(which): its prefix is followed by \(found.frames - 1) more prefix(es), then \(found.frames) JSON bodies of exactly the announced lengths: \(found.frames) response frames were written interleaved (prefixes first, bodies after), not each contiguously"
        )
    }

    /// The requirement a response body breaks, from the decoder's error.
    static func requirement(for error: WireError, body: [UInt8]) -> RequirementID {
        switch error.rule {
        case .bodyUTF8: return .utf8Sender
        case .bodyNoNonfinite: return .nonfiniteSender
        case .bodyNoBOM: return .bomSender
        case .bodyNoLoneSurrogates: return .loneSurrogateSender
        case .bodyObject: return .objectSender
        case .msgErrorResponse:
            guard let result = (try? JSONParser.parse(body))?.objectValue?["result"]?.objectValue else { return .errorForm }
            if result["code"]?.stringValue == nil { return .errorCode }
            if result["message"]?.stringValue == nil { return .errorMessage }
            return .errorForm
        case .msgResponse, .msgDuplicateMembers, .frameZeroLength: return .responseForm
        case .bodyJSONText where error.offset.map({ spellsNonfinite(body, near: $0) }) == true: return .nonfiniteSender
        default: return .jsonTextSender
        }
    }

    /// Whether the error point `offset` lies in a non-finite number in any spelling (`+Inf`, `-inf`,
    /// `Infinity`, `NaN`, `nan`, ...): the word of letters around it, after an optional sign, begins with
    /// `inf` or `nan` in any case. (`-` starts a number, so the error point of `-inf` is its `i`; a
    /// misspelt literal is refused at its first wrong letter, the `a` of `nan`.)
    static func spellsNonfinite(_ body: [UInt8], near offset: Int) -> Bool {
        func isLetter(_ octet: UInt8) -> Bool { (0x41...0x5a).contains(octet) || (0x61...0x7a).contains(octet) }
        func isSign(_ octet: UInt8) -> Bool { octet == UInt8(ascii: "-") || octet == UInt8(ascii: "+") }
        guard offset >= 0, offset <= body.count else { return false }
        var start = offset
        while start > 0, isLetter(body[start - 1]) { start -= 1 }
        if start < body.count, isSign(body[start]) { start += 1 }
        let word = body[start...].prefix(3).map { $0 | 0x20 }
        return word == Array("inf".utf8) || word == Array("nan".utf8)
    }

    /// An error response's `result`: a registered code, a string message, an integer offset, a rule.
    static func errorObjectViolations(_ response: Response, which: String) -> [Violation] {
        guard let error = response.errorResult, let object = response.result.objectValue else { return [] }
        var violations: [Violation] = []
        if WireError.Code(registered: error.code) == nil {
            violations.append(Violation(.errorCodeRegistered, "\(which): error code \"\(error.code)\" is not in the registry"))
        }
        if let offset = object["offset"], offset.numberValue?.int64Value == nil {
            violations.append(Violation(.errorForm, "\(which): \"offset\" must be an integer, found \(JSONWriter.string(offset).prefix(40))"))
        }
        if let rule = object["rule"] {
            if let text = rule.stringValue {
                if !knownRuleIDs.contains(text) {
                    violations.append(Violation(.errorRuleID, "\(which): \"rule\" is \"\(text.prefix(40))\", not a rule ID of this specification"))
                }
            } else {
                violations.append(Violation(.errorForm, "\(which): \"rule\" must be a string, found \(JSONWriter.string(rule).prefix(40))"))
            }
        }
        if object["rule"] == nil {
            violations.append(Violation(.errorRule, "\(which): the error response names no \"rule\""))
        }
        if error.code == WireError.Code.frameTooLarge.rawValue, object["offset"] != nil {
            violations.append(Violation(.oversizeNoOffset, "\(which): a frame-too-large response carries an offset, but no body was read"))
        }
        return violations
    }

    /// Whether the first prefix of `received`, read in the other byte order, frames a JSON body exactly
    /// (a server that writes its prefixes in the wrong order).
    static func swappedReadingFits(_ received: [UInt8], order: ByteOrder) -> Bool {
        guard received.count >= 4 else { return false }
        let swapped = Int(order.swapped.value(received[0], received[1], received[2], received[3]))
        guard swapped > 0, 4 + swapped <= received.count else { return false }
        return (try? JSONParser.parse(Array(received[4..<(4 + swapped)]))) != nil
    }

    /// Whether the stream starts with an 8-octet length (a C `long` or Python's native `"L"`) that frames
    /// a JSON body exactly.
    static func widePrefixFits(_ received: [UInt8], order: ByteOrder) -> Bool {
        guard received.count >= 8 else { return false }
        for wide in [ByteOrder.little, .big] {
            let octets = wide == .little ? Array(received[0..<8]) : Array(received[0..<8].reversed())
            let length = octets.enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
            guard length > 0, length <= received.count - 8 else { continue }
            if (try? JSONParser.parse(Array(received[8..<(8 + length)]))) != nil { return true }
        }
        return false
    }

    /// Every rule and requirement ID of the inventory: what an error response's `rule` may name.
    static let knownRuleIDs: Set<String> = Set(RuleID.all.map(\.rawValue) + ["sec.slow-reader"]).union(RequirementCatalog.byID.keys)

    /// A response stream whose framing broke: the wrong byte order, a length counted in characters, or
    /// a body that does not follow its prefix.
    static func framingViolation(_ error: WireError, received: [UInt8], order: ByteOrder) -> Violation {
        let found = Evidence.streamBreak(received, byteOrder: order)
        let text = Evidence.streamDiagnosis(found, received: received, byteOrder: order).joined(separator: "; ")
        let requirement: RequirementID
        if widePrefixFits(received, order: order) {
            requirement = .prefixSizeSender
        } else if swappedReadingFits(received, order: order) {
            requirement = .sameOrderServer
        } else if found?.countedCharacters != nil {
            requirement = .lengthCountsOctetsSender
        } else if found?.prefix.isPlausibleInOtherOrder == true {
            requirement = .sameOrderServer
        } else {
            requirement = .bodyFollowsSender
        }
        return Violation(requirement, "the response stream broke framing: \(error)" + (text.isEmpty ? "" : " (\(text))"))
    }
}
