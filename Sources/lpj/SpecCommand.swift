import ArgumentParser
import Foundation
import LPJSpec

/// `lpj spec generate|verify|list`: the requirement inventory of `spec/lpj.md`.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Generate, verify or list the spec's requirement inventory.",
        discussion: """
            Every requirement item of spec/lpj.md ("- `rule.id.name` LEVEL · party · wire — text") becomes one \
            entry of spec/requirements.json and of Sources/LPJSpec/RequirementTable.swift.
            """,
        subcommands: [Generate.self, Verify.self, List.self],
        defaultSubcommand: Verify.self
    )

    /// The repository root: `--root`, by default the current directory, as `lpj fixtures` takes `fixtures`.
    struct Location: ParsableArguments {
        @Option(name: .customLong("root"), help: "The repository root, which holds spec/lpj.md.")
        var root: String = "."

        var url: URL { URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL }

        /// The spec's requirements, parsed. Says where it looked when there is no spec.
        func requirements() throws -> [SpecRequirement] {
            let spec = url.appendingPathComponent(GeneratedSpecFiles.specPath)
            guard let text = try? String(contentsOf: spec, encoding: .utf8) else {
                throw SpecCommandError("cannot read \(GeneratedSpecFiles.specPath): looked for \(spec.path); run from the repository root or pass --root")
            }
            do {
                return try SpecInventory.parse(markdown: text)
            } catch let error as SpecInventoryError {
                throw SpecCommandError("\(GeneratedSpecFiles.specPath): \(error)")
            }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write spec/requirements.json and Sources/LPJSpec/RequirementTable.swift from the spec.")

        @OptionGroup var location: Location

        func run() throws {
            let requirements = try location.requirements()
            for file in GeneratedSpecFiles.render(requirements) {
                try file.text.write(to: location.url.appendingPathComponent(file.path), atomically: true, encoding: .utf8)
            }
            print("wrote \(requirements.count) requirements to \(GeneratedSpecFiles.jsonPath) and \(GeneratedSpecFiles.swiftPath)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the generated files match the spec.",
            discussion: "Exit status 0 when both match; 1 with a line naming the first differing requirement of each stale file.")

        @OptionGroup var location: Location

        func run() throws {
            let requirements = try location.requirements()
            var stale = 0
            for file in GeneratedSpecFiles.render(requirements) {
                let committed = (try? String(contentsOf: location.url.appendingPathComponent(file.path), encoding: .utf8)) ?? ""
                if let problem = GeneratedSpecFiles.staleness(of: file.path, committed: committed, generated: file.text) {
                    print("FAIL \(problem)")
                    stale += 1
                }
            }
            let rules = Set(requirements.map(\.rule)).count
            print(
                "spec: \(requirements.count) requirements under \(rules) rules; \(stale == 0 ? "generated files up to date" : "\(stale) generated file(s) stale")"
            )
            if stale > 0 { throw ExitCode.failure }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every requirement built into this binary: ID, level, party, observability.")

        func run() {
            for requirement in SpecInventory.all {
                print("\(requirement.id)\t\(requirement.level.rawValue)\t\(requirement.party.rawValue)\t\(requirement.observability)")
            }
        }
    }
}

/// A failure of `lpj spec` that is not a usage error: printed without the usage text, exit status 1.
struct SpecCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
