import LPJFixtures
import Testing

@testable import LPJCheck

/// A fixture written for a receiver limit of 1 MiB runs against a server whose stated limit differs when
/// no frame length lies between the two limits: its expected outcome is then the same.
@Suite("Fixtures under another limit")
struct FixtureLimitTests {
    static func plan(_ id: String) throws -> FixturePlan {
        let fixture = try #require(try FixtureSet.generate().fixtures.first { $0.definition.id == id }, "\(id)")
        return FixturePlan(fixture)
    }

    @Test("lengths far above any legal limit, or far below 65,536, read alike under every limit")
    func outcomeUnchanged() throws {
        for id in ["request.frame.max-uint32", "request.frame.text-without-prefix", "request.ping.legacy-python-s390x-to-little"] {
            let plan = try Self.plan(id)
            for limit in [65_536, 100_000, 1_048_576, 4_000_000] { #expect(plan.readsAlike(limit: limit), "\(id) at \(limit)") }
        }
        // Its oversized prefix announces 1,048,577: over every limit up to 1 MiB, within a larger one.
        let oversizeBehindPing = try Self.plan("stream.ping-then-oversize")
        for limit in [65_536, 100_000, 1_048_576] { #expect(oversizeBehindPing.readsAlike(limit: limit), "at \(limit)") }
        #expect(!oversizeBehindPing.readsAlike(limit: 2_000_000))
    }

    @Test("a length between the fixture's limit and the server's changes the outcome")
    func outcomeChanged() throws {
        let oneMiB = try Self.plan("request.frame.size-1mib")
        #expect(!oneMiB.readsAlike(limit: 100_000))
        #expect(oneMiB.readsAlike(limit: 2_000_000))
        let plusOne = try Self.plan("request.frame.limit-plus-one")
        #expect(plusOne.readsAlike(limit: 100_000))
        #expect(!plusOne.readsAlike(limit: 2_000_000))
    }
}
