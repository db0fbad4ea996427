import LPJSpec
import LPJWire

/// The part of the spec a case belongs to, for grouping a report: the first component of the rule it
/// tests (`frame`, `order`, `body`, `msg`, `conn`, `sec`, `ext`), titled with the spec's section titles
/// of that component's requirements, in spec order.
public struct CaseSection: Sendable, Equatable {
    /// `frame`, `msg`, ...; `other` for a case that names no rule.
    public var key: String
    /// `2.1 Frame structure · 2.2 Size limits · 2.3 Writing frames`; empty for a key the inventory lacks.
    public var title: String

    /// `== frame: 2.1 Frame structure · 2.2 Size limits`, the line a report opens the section with.
    public var heading: String { "== \(key)\(title.isEmpty ? "" : ": \(title)")" }

    /// The section of a case: its first rule, else its first broken requirement, else `other`.
    public static func of(_ reportCase: ReportCase) -> CaseSection {
        of(rule: reportCase.rules.first ?? reportCase.violations.first?.requirement)
    }

    /// The section a rule ID such as `frame.max-size` belongs to; `other` for none.
    public static func of(rule: String?) -> CaseSection {
        let key = rule.flatMap { $0.split(separator: ".").first.map(String.init) } ?? "other"
        return CaseSection(key: key, title: titles[key] ?? "")
    }

    /// `items` reordered section by section, in spec order, keeping their order within a section: the
    /// run order, so that the lines a run prints as cases finish come grouped by section.
    public static func runOrder<Item>(_ items: [Item], rules: (Item) -> [RuleID]) -> [Item] {
        grouped(items, section: { of(rule: rules($0).first?.rawValue) }).flatMap(\.items)
    }

    /// Cases grouped by section, sections in spec order (keys the inventory lacks last, by name), cases in
    /// the order given.
    public static func grouped<Item>(_ items: [Item], by reportCase: (Item) -> ReportCase) -> [(section: CaseSection, items: [Item])] {
        grouped(items, section: { of(reportCase($0)) })
    }

    static func grouped<Item>(_ items: [Item], section: (Item) -> CaseSection) -> [(section: CaseSection, items: [Item])] {
        var order: [String] = []
        var groups: [String: (CaseSection, [Item])] = [:]
        for item in items {
            let section = section(item)
            if groups[section.key] == nil { order.append(section.key); groups[section.key] = (section, []) }
            groups[section.key]!.1.append(item)
        }
        let sorted = order.sorted { left, right in
            switch (rank[left], rank[right]) {
            case (let l?, let r?): return l < r
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return left < right
            }
        }
        return sorted.map { (groups[$0]!.0, groups[$0]!.1) }
    }

    /// Each key's place in the spec: the index of its first requirement in the inventory.
    static let rank: [String: Int] = {
        var rank: [String: Int] = [:]
        for (index, requirement) in SpecInventory.all.enumerated() {
            let key = String(requirement.id.prefix { $0 != "." })
            if rank[key] == nil { rank[key] = index }
        }
        return rank
    }()

    /// Each key's section titles, distinct, in spec order, joined with ` · `.
    static let titles: [String: String] = {
        var sections: [String: [String]] = [:]
        for requirement in SpecInventory.all {
            let key = String(requirement.id.prefix { $0 != "." })
            if !(sections[key] ?? []).contains(requirement.section) { sections[key, default: []].append(requirement.section) }
        }
        return sections.mapValues { $0.joined(separator: " · ") }
    }()
}
