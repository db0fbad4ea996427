import LPJFixtures
import LPJSpec

/// Which cases can see each requirement of the spec's inventory broken: the runner's coverage, counted
/// per requirement, never per heading.
public struct RequirementCoverage: Sendable {
    public var requirement: SpecRequirement
    /// `lpj check` cases that cite the requirement.
    public var serverCases: [String]
    /// `lpj check-client` cases whose rule is the requirement's rule (client cases cite rules).
    public var clientCases: [String]

    /// Whether some case can see a violation: a server case for a server requirement, a client case for
    /// a client one, either for one that binds both.
    public var isCovered: Bool {
        guard requirement.level != .may else { return false }
        switch requirement.party {
        case .server: return !serverCases.isEmpty
        case .client: return !clientCases.isEmpty
        case .both: return !serverCases.isEmpty || !clientCases.isEmpty
        }
    }

    /// Every requirement with the cases that cover it, in spec order.
    public static func all(cases: [CheckCase], clientCases: [ClientCase]) -> [RequirementCoverage] {
        var byRequirement: [String: [String]] = [:]
        for id in CaseCatalog.checkedInEveryResponse { byRequirement[id.rawValue, default: []].append("every case (response checks)") }
        for checkCase in cases {
            for id in checkCase.requirements { byRequirement[id.rawValue, default: []].append(checkCase.id) }
        }
        var byRule: [String: [String]] = [:]
        if !clientCases.isEmpty {
            for rule in ClientCheck.requestRulesChecked { byRule[rule.rawValue, default: []].append("every case (request checks)") }
        }
        for clientCase in clientCases {
            for rule in clientCase.rules { byRule[rule.rawValue, default: []].append(clientCase.id) }
        }
        return SpecInventory.all.map { requirement in
            RequirementCoverage(
                requirement: requirement, serverCases: byRequirement[requirement.id] ?? [],
                clientCases: requirement.party == .server ? [] : byRule[requirement.rule] ?? [])
        }
    }

    /// One line per requirement: ID, level, party, and the cases or why none can see it.
    public static func listing(_ coverage: [RequirementCoverage]) -> [String] {
        coverage.map { entry in
            let r = entry.requirement
            var coverageNote: String
            if let why = r.whyNotObservable {
                coverageNote = "not observable over the wire: \(why)"
            } else if r.level == .may {
                coverageNote = "a permission: nothing to break (what it permits is checked under the requirements it binds)"
            } else if entry.isCovered {
                coverageNote =
                    (entry.serverCases.isEmpty ? [] : ["check: " + entry.serverCases.joined(separator: ", ")])
                    .joined()
                    + (entry.clientCases.isEmpty ? "" : (entry.serverCases.isEmpty ? "" : "; ") + "check-client (by rule): \(entry.clientCases.count) case(s)")
            } else {
                coverageNote = "NOT COVERED"
            }
            return "\(r.id)\t\(r.level.rawValue)\t\(r.party.rawValue)\t\(coverageNote)"
        }
    }

    /// The coverage table of `docs/conformance.md`: per spec section, requirements, observable ones, and
    /// those some case covers; then every observable requirement no case covers.
    public static func markdown(_ coverage: [RequirementCoverage]) -> String {
        var sections: [String] = []
        var rows: [String: (total: Int, observable: Int, covered: Int, must: Int, mustCovered: Int)] = [:]
        for entry in coverage {
            let section = entry.requirement.section
            if rows[section] == nil { sections.append(section) }
            var row = rows[section] ?? (0, 0, 0, 0, 0)
            row.total += 1
            let absolute = entry.requirement.level.isAbsolute
            if entry.requirement.observable, entry.requirement.level != .may {
                row.observable += 1
                if absolute { row.must += 1 }
                if entry.isCovered { row.covered += 1; if absolute { row.mustCovered += 1 } }
            }
            rows[section] = row
        }
        var lines = [
            "| section | requirements | testable (observable, not MAY) | covered | of them MUST/MUST NOT | covered |", "|---|---:|---:|---:|---:|---:|",
        ]
        var sum = (0, 0, 0, 0, 0)
        for section in sections {
            let row = rows[section]!
            lines.append("| \(section) | \(row.total) | \(row.observable) | \(row.covered) | \(row.must) | \(row.mustCovered) |")
            sum = (sum.0 + row.total, sum.1 + row.observable, sum.2 + row.covered, sum.3 + row.must, sum.4 + row.mustCovered)
        }
        lines.append("| **all** | **\(sum.0)** | **\(sum.1)** | **\(sum.2)** | **\(sum.3)** | **\(sum.4)** |")
        let uncovered = coverage.filter { $0.requirement.observable && $0.requirement.level != .may && !$0.isCovered }
        lines.append("")
        lines.append("Testable requirements no case covers (\(uncovered.count)):")
        lines.append("")
        lines += uncovered.map { "- `\($0.requirement.id)` (\($0.requirement.level.rawValue), \($0.requirement.party.rawValue))" }
        let unobservable = coverage.filter { !$0.requirement.observable }
        lines.append("")
        lines.append("Requirements that cannot be observed over the wire (\(unobservable.count)):")
        lines.append("")
        lines += unobservable.map { "- `\($0.requirement.id)`: \($0.requirement.whyNotObservable ?? "")" }
        return lines.joined(separator: "\n")
    }
}
