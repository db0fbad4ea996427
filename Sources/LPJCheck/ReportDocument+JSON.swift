import LPJWire

extension ReportDocument {
    /// Why a JSON text is not an `lpj check` report, in one line.
    public struct ReadError: Error, CustomStringConvertible, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The reports in a JSON report of `lpj check --format json`: one for a run against HOST:PORT, one per
    /// model (named by it) for a run of the reference server in every model.
    ///
    /// Tolerant of what it does not need: member names match in any spelling of the same words
    /// (`expectedDeviation`, `expected-deviation`, `expected_deviation`), unknown members are ignored, and
    /// `wire`, `profile`, `violations`, `details` and `replay` may be missing.
    public static func read(json: JSONValue) throws -> [(model: String?, document: ReportDocument)] {
        guard let top = json.objectValue else { throw ReadError("the JSON text is \(json.kindName), not an object") }
        if let models = top.reportMember("models") {
            guard case .array(let items) = models else { throw ReadError("\"models\" is not an array") }
            return try items.enumerated().map { index, item in
                guard let object = item.objectValue, let name = object.reportMember("model")?.stringValue, let report = object.reportMember("report")
                else { throw ReadError("models[\(index)] is not {\"model\": NAME, \"report\": {...}}") }
                return (name, try document(report, at: "models[\(index)].report"))
            }
        }
        return [(nil, try document(json, at: "the report"))]
    }

    /// One report object.
    static func document(_ value: JSONValue, at path: String) throws -> ReportDocument {
        guard let object = value.objectValue else { throw ReadError("\(path) is not an object") }
        guard object.reportMember("cases") != nil || object.reportMember("couldNotTest") != nil else {
            throw ReadError("\(path) has no \"cases\" member")
        }
        let target = try object.reportString("target", at: path)
        let cases = try object.reportArray("cases", at: path).enumerated().map { index, item in
            try ReportCase(json: item, at: "\(path).cases[\(index)]")
        }
        return ReportDocument(
            target: target, profile: try profile(object.reportMember("profile"), at: path),
            description: object.reportMember("description").map { JSONWriter.string($0, style: .pretty) },
            cases: cases, serverStoppedAfter: object.reportMember("serverStoppedAfter")?.stringValue,
            couldNotTest: object.reportMember("couldNotTest")?.stringValue)
    }

    /// The profile, as an object of name to text or as an array of `{name, value}`.
    static func profile(_ value: JSONValue?, at path: String) throws -> [ProfileRow] {
        switch value {
        case nil, .null?: return []
        case .object(let object)?:
            return object.members.map { ProfileRow($0.name, $0.value.stringValue ?? JSONWriter.string($0.value)) }
        case .array(let items)?:
            return try items.map { item in
                guard let row = item.objectValue, let name = row.reportMember("name")?.stringValue, let value = row.reportMember("value")
                else { throw ReadError("\(path).profile: an item is not {\"name\", \"value\"}") }
                return ProfileRow(name, value.stringValue ?? JSONWriter.string(value))
            }
        case let other?: throw ReadError("\(path).profile is \(other.kindName), not an object")
        }
    }
}

extension ReportCase {
    /// One item of a report's `cases`.
    init(json: JSONValue, at path: String) throws {
        guard let object = json.objectValue else { throw ReportDocument.ReadError("\(path) is not an object") }
        let id = try object.reportString("id", at: path)
        let verdictText = try object.reportString("verdict", at: path)
        guard let verdict = Verdict.allCases.first(where: { $0.rawValue.spellsSameWords(verdictText) }) else {
            throw ReportDocument.ReadError("\(path) (\(id)): unknown verdict \"\(verdictText)\"")
        }
        let violations = try (object.reportMember("violations").map { try $0.reportArrayItems(at: "\(path).violations") } ?? []).map { item in
            guard let violation = item.objectValue, let requirement = violation.reportMember("requirement")?.stringValue else {
                throw ReportDocument.ReadError("\(path).violations: an item has no \"requirement\"")
            }
            return ReportViolation(
                requirement: requirement, level: violation.reportMember("level")?.stringValue ?? "",
                summary: violation.reportMember("summary")?.stringValue ?? "")
        }
        let wire = try (object.reportMember("wire").map { try $0.reportArrayItems(at: "\(path).wire") } ?? []).enumerated().map { index, item in
            guard let log = WireLog(json: item) else {
                throw ReportDocument.ReadError("\(path).wire[\(index)] is not {connection, events: [{kind, milliseconds, octetsHex, octetCount}]}")
            }
            return log
        }
        self.init(
            id: id, title: object.reportMember("title")?.stringValue ?? "", rules: object.reportStrings("rules"),
            level: object.reportMember("level")?.stringValue ?? "", verdict: verdict, summary: object.reportMember("summary")?.stringValue ?? "",
            violations: violations, details: object.reportStrings("details"), replay: object.reportMember("replay")?.stringValue,
            milliseconds: object.reportMember("milliseconds")?.numberValue?.int64Value.map { Int($0) } ?? 0, wire: wire,
            isExpectedDeviation: object.reportMember("expectedDeviation") == .bool(true), isStale: object.reportMember("stale") == .bool(true))
    }
}

extension JSONObject {
    /// The first member whose name spells `name`'s words, in any case and with any separators.
    func reportMember(_ name: String) -> JSONValue? {
        members.first { $0.name.spellsSameWords(name) }?.value
    }

    func reportString(_ name: String, at path: String) throws -> String {
        guard let text = reportMember(name)?.stringValue else { throw ReportDocument.ReadError("\(path) has no string \"\(name)\"") }
        return text
    }

    func reportArray(_ name: String, at path: String) throws -> [JSONValue] {
        guard let value = reportMember(name) else { return [] }
        return try value.reportArrayItems(at: "\(path).\(name)")
    }

    /// The strings of an array member; missing or other items give nothing.
    func reportStrings(_ name: String) -> [String] {
        guard case .array(let items)? = reportMember(name) else { return [] }
        return items.compactMap(\.stringValue)
    }
}

extension JSONValue {
    func reportArrayItems(at path: String) throws -> [JSONValue] {
        guard case .array(let items) = self else { throw ReportDocument.ReadError("\(path) is not an array") }
        return items
    }
}

extension String {
    /// Whether both spell the same words: `expectedDeviation`, `expected-deviation`, `Expected_Deviation`.
    func spellsSameWords(_ other: String) -> Bool {
        func words(_ text: String) -> String { String(text.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }) }
        return words(self) == words(other)
    }
}
