import Foundation
import LPJWire

/// The fixtures folder: generated from the catalog, written to disk, and verified byte for byte.
///
///     fixtures/
///       manifest.json          every fixture's metadata (FixtureManifest)
///       manifest.schema.json   its JSON Schema (kept by hand)
///       README.md              the format, for implementers (kept by hand)
///       wire/<id>.bin          the exact octets of each fixture
public struct FixtureSet: Sendable {
    public var fixtures: [Fixture]

    /// Every fixture of the catalog, each checked against the codec. Throws `FixtureError`.
    public static func generate(from catalog: [FixtureDefinition] = FixtureCatalog.all) throws -> FixtureSet {
        var seen = Set<String>()
        for definition in catalog where !seen.insert(definition.id).inserted {
            throw FixtureError.catalogDisagrees(id: definition.id, "the ID is used twice")
        }
        return FixtureSet(fixtures: try catalog.map(Fixture.init))
    }

    /// Every file this set consists of, relative to the fixtures folder, with its bytes.
    public var files: [(path: String, bytes: [UInt8])] {
        [("manifest.json", FixtureManifest.bytes(fixtures))] + fixtures.map { ($0.file, $0.definition.wire) }
    }

    /// The generated parts of `fixtures/README.md`.
    public var readme: FixtureReadme { FixtureReadme(fixtures: fixtures) }

    /// Writes the manifest and every `.bin` into `directory`, removing `.bin` files no fixture names, and
    /// refreshes the generated parts of `README.md` when it has their markers.
    public func write(to directory: URL) throws {
        let wire = directory.appendingPathComponent("wire")
        try FileManager.default.createDirectory(at: wire, withIntermediateDirectories: true)
        let wanted = Set(fixtures.map { URL(fileURLWithPath: $0.file).lastPathComponent })
        for stale in try FileManager.default.contentsOfDirectory(atPath: wire.path) where !wanted.contains(stale) {
            try FileManager.default.removeItem(at: wire.appendingPathComponent(stale))
        }
        for file in files {
            try Data(file.bytes).write(to: directory.appendingPathComponent(file.path))
        }
        let readme = directory.appendingPathComponent("README.md")
        if let text = try? String(contentsOf: readme, encoding: .utf8), let updated = self.readme.replacingGeneratedParts(in: text) {
            try updated.write(to: readme, atomically: true, encoding: .utf8)
        }
    }

    /// Every way the folder at `directory` differs from this set, each naming the fixture ID; empty when
    /// they match byte for byte. Checks the committed manifest's own `sha256` and `octets` against the
    /// committed files first, so a changed `.bin` is reported under its ID even if the manifest is broken.
    public func problems(in directory: URL) -> [String] {
        var problems: [String] = []
        let manifestURL = directory.appendingPathComponent("manifest.json")
        guard let manifestData = FileManager.default.contents(atPath: manifestURL.path) else {
            return ["manifest.json is missing in \(directory.path)"]
        }
        problems += Self.checksumProblems(manifest: Array(manifestData), directory: directory)
        let expectedManifest = FixtureManifest.bytes(fixtures)
        if Array(manifestData) != expectedManifest {
            problems.append(
                "manifest.json differs from the generator's at octet \(Self.firstDifference(Array(manifestData), expectedManifest)); run `lpj fixtures generate`"
            )
        }
        for fixture in fixtures {
            let url = directory.appendingPathComponent(fixture.file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                problems.append("\(fixture.definition.id): \(fixture.file) is missing")
                continue
            }
            if Array(data) != fixture.definition.wire {
                problems.append(
                    "\(fixture.definition.id): \(fixture.file) differs from the generator's bytes at octet \(Self.firstDifference(Array(data), fixture.definition.wire))"
                )
            }
        }
        if let readme = try? String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8) {
            if let generated = self.readme.replacingGeneratedParts(in: readme) {
                if generated != readme {
                    problems.append(
                        "README.md: a generated part (fixture table, implementation-defined list or example output) differs from the fixtures; run `lpj fixtures generate`"
                    )
                }
            } else {
                problems.append("README.md: the markers of a generated part are missing (\(self.readme.parts.map(\.name).joined(separator: ", ")))")
            }
        }
        let wanted = Set(fixtures.map { URL(fileURLWithPath: $0.file).lastPathComponent })
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("wire").path)) ?? []
        for extra in present.sorted() where !wanted.contains(extra) {
            problems.append("wire/\(extra) belongs to no fixture")
        }
        return problems
    }

    /// Checks each manifest entry's `octets` and `sha256` against its file, independently of the generator.
    static func checksumProblems(manifest: [UInt8], directory: URL) -> [String] {
        guard let json = try? JSONParser.parse(manifest), case .array(let entries)? = json.objectValue?["fixtures"] else {
            return ["manifest.json is not a fixture manifest"]
        }
        var problems: [String] = []
        for entry in entries {
            guard let object = entry.objectValue, let id = object["id"]?.stringValue,
                let file = object["file"]?.stringValue, let sha = object["sha256"]?.stringValue,
                let octets = object["octets"]?.numberValue?.int64Value
            else {
                problems.append("manifest.json has an entry without id, file, sha256 or octets")
                continue
            }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else { continue }
            if data.count != Int(octets) {
                problems.append("\(id): \(file) has \(data.count) octets, the manifest says \(octets)")
            }
            let actual = SHA256.hexDigest(Array(data))
            if actual != sha {
                problems.append("\(id): \(file) has SHA-256 \(actual), the manifest says \(sha)")
            }
        }
        return problems
    }

    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(a.count, b.count)
    }
}
