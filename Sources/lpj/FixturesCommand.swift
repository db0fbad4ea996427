import ArgumentParser
import Foundation
import LPJFixtures

/// `lpj fixtures generate|verify|list`.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Write, verify or list the golden wire fixtures.",
        subcommands: [Generate.self, Verify.self, List.self],
        defaultSubcommand: Verify.self
    )

    struct Location: ParsableArguments {
        @Option(name: .customLong("dir"), help: "The fixtures folder.")
        var directory: String = "fixtures"

        var url: URL { URL(fileURLWithPath: directory, isDirectory: true) }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write manifest.json and wire/*.bin from the catalog, removing stale .bin files.")

        @OptionGroup var location: Location

        func run() throws {
            let set = try FixtureSet.generate()
            try set.write(to: location.url)
            print("wrote \(set.fixtures.count) fixtures and manifest.json to \(location.directory)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the committed fixtures byte for byte and by SHA-256 against the generator.",
            discussion: "Exit status 0 when every file matches, 1 with one line per difference, naming the fixture ID.")

        @OptionGroup var location: Location

        func run() throws {
            let manifest = location.url.appendingPathComponent("manifest.json")
            guard FileManager.default.fileExists(atPath: manifest.path) else {
                printToStandardError(
                    "lpj fixtures verify: no fixtures at \(location.url.standardizedFileURL.path) (no manifest.json there): run it from the repository root, or pass --dir FOLDER"
                )
                throw ExitCode(2)
            }
            let set = try FixtureSet.generate()
            let problems = set.problems(in: location.url)
            for problem in problems { print("FAIL \(problem)") }
            let failed = Set(problems.map { String($0.prefix(while: { $0 != ":" })) }).count
            print("fixtures: \(set.fixtures.count - min(failed, set.fixtures.count)) passed, \(problems.count) failed")
            if !problems.isEmpty { throw ExitCode.failure }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every fixture: ID, class, octets, rules.")

        func run() throws {
            for fixture in try FixtureSet.generate().fixtures {
                let definition = fixture.definition
                let rules = definition.rules.map(\.rawValue).joined(separator: ",")
                print("\(definition.id)\t\(definition.classification.rawValue)\t\(definition.wire.count)\t\(rules)")
            }
        }
    }
}
