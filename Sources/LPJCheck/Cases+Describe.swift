import LPJWire

extension CaseCatalog {
    /// `lpj.describe`, when the server offers it: every member present and true, params ignored, the
    /// methods it lists real and the methods it leaves out absent.
    static let describeCases: [CheckCase] = [
        CheckCase(
            "describe.members",
            "lpj.describe states protocol, byteOrder, maxBody, maxDepth, methods and server, each of the right type and true of the server's byte order.",
            covers: [
                .describeOut, .describeProtocol, .describeByteOrder, .describeMaxBody, .describeMaxDepth, .describeMethods, .describeServer,
                .describeNoReserved,
            ]
        ) { context in
            guard let object = context.target.description?.objectValue else { return .skipped("the server does not offer lpj.describe") }
            var violations: [Violation] = []
            if object["protocol"]?.stringValue != "lpj/1" {
                violations.append(Violation(.describeProtocol, "protocol is \(object["protocol"].map { JSONWriter.string($0) } ?? "missing"), not \"lpj/1\""))
            }
            let order = object["byteOrder"]?.stringValue
            let seen = context.target.detectsByteOrder ? "auto" : context.target.byteOrder == .little ? "little" : "big"
            if order != seen {
                violations.append(
                    Violation(.describeByteOrder, "byteOrder is \(order.map { "\"\($0)\"" } ?? "missing"), but the server answers as \"\(seen)\""))
            }
            if let limit = object["maxBody"]?.numberValue?.int64Value {
                if limit < 65_536 { violations.append(Violation(.maxSizeMinimum, "maxBody \(limit) is under the 65,536 every receiver accepts")) }
            } else {
                violations.append(Violation(.describeMaxBody, "maxBody is \(object["maxBody"].map { JSONWriter.string($0) } ?? "missing"), not an integer"))
            }
            if let depth = object["maxDepth"]?.numberValue?.int64Value {
                if depth < 64 { violations.append(Violation(.nestingAccept, "maxDepth \(depth) states a limit under the depth of 64 every receiver accepts")) }
            } else {
                violations.append(Violation(.describeMaxDepth, "maxDepth is \(object["maxDepth"].map { JSONWriter.string($0) } ?? "missing"), not an integer"))
            }
            if case .array(let items)? = object["methods"], items.allSatisfy({ $0.stringValue != nil }) {
                let names = items.compactMap(\.stringValue)
                for required in ["ping", "lpj.describe"] where !names.contains(required) {
                    violations.append(Violation(.describeMethods, "methods leaves out \"\(required)\", which the server implements"))
                }
                for name in names where name.hasPrefix("lpj.") && name != "lpj.describe" {
                    violations.append(
                        Violation(.reservedMethodNames, "the server offers \"\(name)\": names beginning with lpj. are reserved for this specification"))
                    violations.append(
                        Violation(.describeNoReserved, "methods lists \"\(name)\": names beginning with lpj. are reserved for this specification"))
                }
            } else {
                violations.append(
                    Violation(
                        .describeMethods, "methods is \(object["methods"].map { JSONWriter.string($0).prefix(60) } ?? "missing"), not an array of strings"))
            }
            if object["server"]?.stringValue == nil {
                violations.append(
                    Violation(.describeServer, "server is \(object["server"].map { JSONWriter.string($0).prefix(40) } ?? "missing"), not a string"))
            }
            guard !violations.isEmpty else { return .passed("describes itself truly: \(JSONWriter.string(.object(object)).prefix(160))") }
            return .broke(violations, details: [JSONWriter.string(.object(object))])
        },
        CheckCase(
            "describe.ignores-params", "lpj.describe with params [1,2], {\"x\":1}, \"text\" and 42: the same description each time.",
            covers: [.describeIgnoresParams]
        ) { context in
            guard let description = context.target.description else { return .skipped("the server does not offer lpj.describe") }
            for params: JSONValue in [[1, 2], ["x": 1], "text", 42] {
                let delivery = Delivery.oneWrite(context.frame(Request(method: "lpj.describe", params: params)))
                let (connection, reply) = try context.exchange(delivery, count: 1)
                defer { connection.close() }
                let outcome = context.judge(
                    reply, expected: [Expectation(.response(out: "lpj.description", result: description), .describeIgnoresParams)],
                    connection: connection, delivery: delivery)
                if outcome.verdict != .passed { return outcome }
            }
            return .passed("the same description whatever the params")
        },
        CheckCase(
            "describe.methods-true", "Every method lpj.describe lists is implemented (not unknown-method), and sleep and relay, when not listed, are absent.",
            covers: [.describeMethods]
        ) { context in
            guard context.target.description != nil, let methods = context.target.methods else { return .skipped("the server does not offer lpj.describe") }
            let probes = Set(methods).union(["sleep", "relay"]).subtracting(["ping", "lpj.describe"]).sorted()
            var violations: [Violation] = []
            for method in probes {
                let (connection, reply) = try context.exchange(context.frame(Request(method: method, params: nil)), halfClose: false, count: 1)
                connection.close()
                guard let response = reply.responses.first else { continue }
                let unknown = response.errorResult?.code == WireError.Code.unknownMethod.rawValue
                if methods.contains(method), unknown {
                    violations.append(Violation(.describeMethods, "methods lists \"\(method)\", but calling it answers unknown-method"))
                } else if !methods.contains(method), !unknown {
                    violations.append(
                        Violation(
                            .describeMethods, "methods leaves out \"\(method)\", but calling it answers \(JSONWriter.string(response.json()).prefix(100))"))
                }
            }
            return violations.isEmpty ? .passed("the methods listed are the methods implemented (\(methods.joined(separator: ", ")))") : .broke(violations)
        },
    ]
}
