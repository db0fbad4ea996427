import LPJFixtures
import LPJWire

extension CaseCatalog {
    /// One case per client-to-server fixture: its exact octets through the socket, its responses checked.
    static func fixtureCases(_ fixtures: [Fixture]) -> [CheckCase] {
        fixtures.filter { $0.definition.direction == .clientToServer }.map { fixture in
            let definition = fixture.definition
            // Exact echo of numbers beyond binary64 is only a SHOULD (msg.ping-echo-exact).
            let level: CaseLevel = definition.classification == .implementationDefined ? .implementationDefined
                : definition.rules.contains(.msgPingEchoExact) ? .should : .must
            let hostile = definition.classification != .mustAccept
            return CheckCase("fixture.\(definition.id)", definition.summary, rules: definition.rules, level: level, hostile: hostile) { context in
                let target = context.target
                let fixtureOrder = definition.receiverByteOrder.fixedOrder
                if definition.receiverByteOrder == .auto, !target.detectsByteOrder {
                    return .skipped("needs a server that detects the byte order (it answered only \(target.byteOrder) pings)")
                }
                if target.detectsByteOrder, definition.receiverByteOrder != .auto,
                   definition.byteOrder.decodingOrder != definition.receiverByteOrder.fixedOrder {
                    return .skipped("assumes a receiver fixed to \(definition.receiverByteOrder); this server detects the byte order")
                }
                if let fixtureOrder, fixtureOrder != target.byteOrder {
                    return .skipped("written for a \(fixtureOrder) receiver; the server speaks \(target.byteOrder)")
                }
                let limitMatters = fixture.reading.stop?.code == .frameTooLarge || definition.wire.count > FrameConfiguration.minimumMaxBodyLength + 4
                if limitMatters, definition.receiverLimit != target.maxBody {
                    return .skipped("assumes a limit of \(definition.receiverLimit) octets; the server's is \(target.maxBody)\(target.maxBodyIsStated ? "" : " (assumed)")")
                }
                let (connection, reply) = try context.exchange(definition.wire)
                defer { connection.close() }
                let expected: [Expectation] = definition.responses.map { response in
                    switch response {
                    case .response(let response): return .response(out: response.out, result: response.result)
                    case .error(let code, let level): return .error(code, level: level == "SHOULD" ? .should : .must)
                    }
                }
                var outcome = context.judge(reply, expected: expected, level: level, connection: connection,
                                            mustClose: definition.connection == .closed && fixture.reading.stop?.code != .truncatedFrame)
                if definition.classification == .implementationDefined, outcome.verdict == .passed {
                    outcome = .informational("same choice as the reference: " + outcome.summary)
                }
                return outcome
            }
        }
    }
}
