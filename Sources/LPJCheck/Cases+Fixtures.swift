import LPJFixtures
import LPJWire

extension CaseCatalog {
    /// One case per client-to-server fixture: its exact octets through the socket (re-framed for a
    /// big-endian server), its responses checked, each charged to the requirement it shows.
    static func fixtureCases(_ fixtures: [Fixture]) -> [CheckCase] {
        fixtures.filter { $0.definition.direction == .clientToServer }.map { fixture in
            let plan = FixturePlan(fixture)
            return CheckCase(
                "fixture.\(fixture.definition.id)", fixture.definition.summary, covers: plan.requirements,
                informational: fixture.definition.classification == .implementationDefined
            ) { context in
                try plan.run(context)
            }
        }
    }
}

/// How one client-to-server fixture is sent and judged.
struct FixturePlan: Sendable {
    let definition: FixtureDefinition
    /// The deepest body in the fixture.
    let depth: Int
    /// The frame-level fault after which a receiver reads nothing more: an oversized length or a frame
    /// cut by the end of the stream.
    let stop: WireError.Code?
    /// For each expected response, the offsets the spec accepts when it is an offset-carrying error.
    let acceptedOffsets: [[Int]?]

    init(_ fixture: Fixture) {
        definition = fixture.definition
        acceptedOffsets = fixture.acceptedOffsets
        let bodies = FrameWalk.bodies(fixture.definition.wire, order: fixture.definition.byteOrder.decodingOrder, limit: Int(UInt32.max))
        depth = bodies.contains { $0.depth(limit: 64) != nil } ? 65 : 0
        stop = fixture.reading.stop?.code
    }

    /// The requirements the fixture can show broken, its subject first: what a server that dies on
    /// these octets failed to do.
    var requirements: [RequirementID] {
        var seen = Set<RequirementID>()
        let expected = expectations(maxDepth: 512)
        let subject: [RequirementID] = stop == .frameTooLarge ? [.beforeReading] : stop == .truncatedFrame ? [.eofNoResponse] : []
        var closing: [RequirementID] = []
        if case .closed(let requirement) = afterwards(expected) { closing = [requirement] }
        let order: [RequirementID] = definition.receiverByteOrder == .auto ? [.autoAlgorithm] : []
        let diagnosis: [RequirementID] = definition.rules.contains(.orderMismatchDiagnosis) ? [.mismatchDiagnosis] : []
        let duplicates: [RequirementID] =
            definition.id.contains("nested-duplicates") ? [.nestedDuplicatesNotJSONError, .nestedPermitted, .describeStatedChoices] : []
        return (subject + order + duplicates + expected.map(\.requirement) + expected.compactMap(\.whenMissing) + closing + diagnosis)
            .filter { seen.insert($0).inserted }
    }

    func run(_ context: CheckContext) throws -> CaseOutcome {
        let target = context.target
        if let reason = byteOrderMismatch(target) { return .skipped(reason) }
        let limitMatters = stop == .frameTooLarge || definition.wire.count > FrameConfiguration.minimumMaxBodyLength + 4
        if limitMatters, !target.maxBodyIsStated || !readsAlike(limit: target.maxBody) {
            return .skipped(
                "assumes a limit of \(definition.receiverLimit) octets; the server's is \(target.maxBodyIsStated ? "\(target.maxBody), and a length of the fixture lies between the two" : "not stated")"
            )
        }
        if depth > 64, target.maxDepth == nil {
            return .skipped(
                "a body of depth \(depth) assumes a depth limit; the server states none, and any limit from 64 up is allowed (the depth cases use what it states)"
            )
        }
        if definition.id.contains("nested-duplicates") { return try NestedDuplicates.judge(context, wire: wire(for: target)) }
        let delivery = Delivery.oneWrite(wire(for: target), halfClose: stop == .truncatedFrame)
        let expected = expectations(maxDepth: target.maxDepth ?? 512)
        let (connection, reply) = try context.exchange(delivery, count: expected.count, byteOrder: readOrder(target))
        defer { connection.close() }
        var outcome = context.judge(reply, expected: expected, connection: connection, delivery: delivery, afterwards: afterwards(expected))
        if definition.rules.contains(.bodyNumbers), expected.count == 1, let response = reply.responses.first,
            let body = FrameWalk.bodies(wire(for: target), order: readOrder(target), limit: target.maxBody).first,
            UnholdableNumbers.held(in: Self.params(body)),
            let violation = UnholdableNumbers.violation(response, statedNumbers: target.stated("numbers")?.stringValue)
        {
            outcome = .broke([violation], sent: connection.sent)
        }
        if target.detectsByteOrder, outcome.verdict != .passed, definition.wire.count >= 4 {
            let w = definition.wire
            let detection = ByteOrderDetection.detect(w[0], w[1], w[2], w[3], limit: target.maxBody)
            if detection.isAmbiguous || definition.receiverByteOrder == .auto {
                outcome = .broke(
                    [
                        Violation(
                            .autoAlgorithm,
                            "the first prefix \(w[0..<4].map(hexByte).joined(separator: " ")) decides \(detection.order)\(detection.isAmbiguous ? " (ambiguous: little wins)" : ""), and the server read it otherwise: \(outcome.summary)"
                        )
                    ] + outcome.violations,
                    details: outcome.details, sent: outcome.sent)
            }
        }
        if outcome.verdict == .passed, definition.rules.contains(.orderMismatchDiagnosis), let message = reply.responses.last?.errorResult?.message,
            let missing = Self.missingDiagnosis(message, wire: delivery.bytes, order: target.byteOrder, limit: target.maxBody)
        {
            return .broke(.mismatchDiagnosis, missing, sent: connection.sent)
        }
        if definition.classification == .implementationDefined, outcome.verdict == .passed {
            outcome = .informational("as the server states: " + outcome.summary)
        }
        return outcome
    }

    /// Whether a receiver whose limit is `limit` reads the fixture as one with the fixture's own limit
    /// does: no frame length it reads lies between the two limits (the frames within one are within the
    /// other, and an oversized length is oversized for both), and a detecting receiver decides the same
    /// byte order from the first prefix. `request.frame.max-uint32` reads alike under every legal limit,
    /// `request.frame.size-1mib` (1,048,576) not under 100,000.
    func readsAlike(limit: Int) -> Bool {
        let (low, high) = (min(limit, definition.receiverLimit), max(limit, definition.receiverLimit))
        guard low != high else { return true }
        let w = definition.wire
        var order = definition.receiverByteOrder.fixedOrder ?? definition.byteOrder.decodingOrder
        if definition.receiverByteOrder == .auto, w.count >= 4 {
            let decided = ByteOrderDetection.detect(w[0], w[1], w[2], w[3], limit: low).order
            guard decided == ByteOrderDetection.detect(w[0], w[1], w[2], w[3], limit: high).order else { return false }
            order = decided
        }
        var offset = 0
        while offset + 4 <= w.count {
            let length = Int(order.value(w[offset], w[offset + 1], w[offset + 2], w[offset + 3]))
            if length > low { return length > high }
            offset += 4 + length
        }
        return true
    }

    /// Why the fixture does not apply to the target's byte order, or nil when it does.
    func byteOrderMismatch(_ target: CheckTarget) -> String? {
        let receiver = definition.receiverByteOrder
        if target.detectsByteOrder {
            if receiver == .auto { return nil }
            guard definition.wire.count >= 4 else { return nil }
            let w = definition.wire
            let detected = ByteOrderDetection.detect(w[0], w[1], w[2], w[3], limit: target.maxBody).order
            if receiver.fixedOrder == detected { return nil }
            return "a receiver fixed to \(receiver) reads it differently from one that detects the byte order (detected: \(detected))"
        }
        if receiver == .auto { return "needs a server that detects the byte order (it answered only \(target.byteOrder) pings)" }
        if receiver.fixedOrder == target.byteOrder { return nil }
        if target.byteOrder == .big, reframable { return nil }
        return "written for a \(receiver) receiver; the server speaks \(target.byteOrder)"
    }

    /// What a frame-too-large message leaves out of `order.mismatch-diagnosis`: the other byte order when
    /// the swapped reading of the prefix fits, text without a prefix when all four octets are printable.
    static func missingDiagnosis(_ message: String, wire: [UInt8], order: ByteOrder, limit: Int) -> String? {
        guard wire.count >= 4 else { return nil }
        let lower = message.lowercased()
        let swapped = order.swapped.value(wire[0], wire[1], wire[2], wire[3])
        if Int(swapped) <= limit, !(lower.contains("endian") || lower.contains("byte order") || lower.contains(String(swapped))) {
            return
                "the refusal of \(wire[0..<4].map(hexByte).joined(separator: " ")) does not name the likely cause, the other byte order (read \(order.swapped) it is \(swapped)): \"\(message.prefix(100))\""
        }
        if wire[0..<4].allSatisfy({ (0x20...0x7e).contains($0) }), !(lower.contains("text") || lower.contains("ascii") || lower.contains("prefix")) {
            return
                "the refusal of \(wire[0..<4].map(hexByte).joined(separator: " ")) (\"\(String(decoding: wire[0..<4], as: UTF8.self))\") does not name the likely cause, text without a length prefix: \"\(message.prefix(100))\""
        }
        return nil
    }

    /// The order responses come in: a server that detects the byte order answers in the order it detects.
    func readOrder(_ target: CheckTarget) -> ByteOrder {
        guard target.detectsByteOrder, definition.wire.count >= 4 else { return target.byteOrder }
        let w = definition.wire
        return ByteOrderDetection.detect(w[0], w[1], w[2], w[3], limit: target.maxBody).order
    }

    /// Whether the fixture is whole frames in the little-endian order that can be re-framed big-endian.
    var reframable: Bool {
        stop == nil && definition.byteOrder != .big && definition.receiverByteOrder == .little
    }

    /// The octets to send: the fixture's own, or its frames re-framed in the target's order.
    func wire(for target: CheckTarget) -> [UInt8] {
        guard !target.detectsByteOrder, definition.receiverByteOrder.fixedOrder != target.byteOrder, reframable else { return definition.wire }
        var stream: [UInt8] = []
        var offset = 0
        let w = definition.wire
        while offset + 4 <= w.count {
            let length = Int(ByteOrder.little.value(w[offset], w[offset + 1], w[offset + 2], w[offset + 3]))
            let end = min(w.count, offset + 4 + length)
            stream += FrameEncoder(byteOrder: target.byteOrder).prefix(forLength: length) + w[(offset + 4)..<end]
            offset = end
        }
        return stream + w[offset...]
    }

    /// The responses a conforming server sends, each with the requirement it tests.
    func expectations(maxDepth: Int) -> [Expectation] {
        let bodies = FrameWalk.bodies(
            definition.wire, order: definition.receiverByteOrder.fixedOrder ?? definition.byteOrder.decodingOrder,
            limit: definition.receiverLimit)
        return definition.responses.enumerated().map { index, response in
            let body = index < bodies.count ? bodies[index] : nil
            switch response {
            case .response(let response):
                if let body, let offset = body.depth(limit: maxDepth) {
                    return .error(.invalidJSON, .nestingReject, offsets: [offset], bodyLength: body.count)
                }
                return Expectation(.response(out: response.out, result: response.result), acceptRequirement)
            case .error(let code, _):
                if code == .frameTooLarge { return .error(code, .oversizeErrorReply) }
                let rejection = body.flatMap(Self.referenceRejection)
                if let body, code == .invalidJSON, rejection?.rule == .bodyNestingLimit {
                    // Judged against the server's own limit: at or under it, the body is echoed.
                    guard let offset = body.depth(limit: maxDepth) else { return .pong(Self.params(body), .nestingAccept) }
                    return .error(.invalidJSON, .nestingReject, offsets: [offset], bodyLength: body.count)
                }
                let requirement =
                    code == .unknownMethod && definition.rules.contains(.msgMethodNames)
                    ? .methodNamesExact
                    : Self.rejectRequirement(code: code, rule: rejection?.rule)
                var expectation = Expectation.error(
                    code, requirement, offsets: index < acceptedOffsets.count ? acceptedOffsets[index] : nil, bodyLength: body?.count)
                if rejection?.rule == .frameZeroLength { expectation.whenMissing = .zeroLengthFraming }
                return expectation
            }
        }
    }

    /// What the connection must do after the responses.
    func afterwards(_ expected: [Expectation]) -> CheckContext.Afterwards {
        switch stop {
        case .frameTooLarge?: return .closed(.oversizeCloses)
        case .truncatedFrame?: return .closed(.eofCloses)
        default:
            if expected.contains(where: { $0.requirement == .zeroLengthAnswer }) { return .open(.zeroLengthFraming) }
            return .open(expected.contains(where: \.isError) ? .errorKeepsConnection : .oneResponse)
        }
    }

    /// The requirement a must-accept fixture tests, from the rules it lists.
    var acceptRequirement: RequirementID {
        for rule in definition.rules {
            switch rule {
            case .bodyNumbers: return .numbersNotRejected
            case .bodyEscapesEqual: return .escapesDecode
            case .msgMemberOrder: return .memberOrder
            case .msgUnknownMembers: return .unknownMembersIgnored
            case .bodyNestingMinimum: return .nestingAccept
            case .frameMaxSizeMinimum: return .maxSizeMinimum
            case .frameMaxSizeConfigurable: return .limitInclusive
            case .connPipelining: return .pipelining
            case .orderBigMode, .orderSameBothDirections: return .sameOrderServer
            default: continue
            }
        }
        return .pingEcho
    }

    /// The requirement that tells a server to answer a body with `code`, from the rule the reference
    /// decoder names for it.
    static func rejectRequirement(code: WireError.Code, rule: RuleID?) -> RequirementID {
        switch (code, rule) {
        case (.unknownMethod, _): return .unknownMethodAnswer
        case (_, .bodyUTF8?): return .utf8Reject
        case (_, .bodyNoBOM?): return .bomReject
        case (_, .bodyNoLoneSurrogates?): return .loneSurrogateReject
        case (_, .bodyNoNonfinite?): return .nonfiniteReject
        case (_, .bodyNestingLimit?): return .nestingReject
        case (_, .frameZeroLength?): return .zeroLengthAnswer
        case (_, .bodyObject?): return .objectReject
        case (_, .msgDuplicateMembers?): return .duplicateMembersReject
        case (_, .msgRequest?): return .requestReject
        case (.invalidJSON, _): return .jsonTextReject
        case (.invalidRequest, _): return .requestReject
        default: return .jsonTextReject
        }
    }

    /// The reference decoder's verdict on a request body, or nil when it decodes.
    static func referenceRejection(_ body: [UInt8]) -> WireError? {
        do {
            _ = try Request(body: body)
            return nil
        } catch {
            return error as? WireError
        }
    }

    /// The `params` of a request body the reference decodes.
    /// The params of a request body, read as deep as a response is read: a server whose limit accepts the
    /// body echoes them, however deep.
    static func params(_ body: [UInt8]) -> JSONValue { (try? Request(body: body, options: ProbeConnection.responseParsing))?.params ?? .null }
}
