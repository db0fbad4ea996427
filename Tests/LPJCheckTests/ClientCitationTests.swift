import Foundation
import LPJCheck
import LPJFixtures
import Testing

/// `lpj check-client` names the client requirement a failed case shows broken, from what the client did
/// on the wire and said under lpj-client/1: the Python client's mutants (`conformance/python/lpj_client.py
/// --mutant`) and small shell clients, each breaking one requirement, fail citing it.
@Suite("Client requirement citations", .serialized)
struct ClientCitationTests {
    static let pythonClient = ClientCheckTests.repository.appendingPathComponent("conformance/python/lpj_client.py").path

    static func mutant(_ name: String) -> String {
        "python3 \(pythonClient) --mutant \(name) --host {host} --port {port} {method} {params}"
    }

    /// The one case `only` names, run against `command`.
    static func result(_ command: String, _ only: String, timeoutMilliseconds: Int = 5_000) throws -> CaseResult {
        try #require(ClientCheckTests.ran(try ClientCheckTests.run(command, only: [only], timeoutMilliseconds: timeoutMilliseconds)).first)
    }

    static func cited(_ result: CaseResult) -> [String] { result.violations.map(\.requirement.rawValue) }

    @Test(
        "mutants of the Python client fail their case, citing the requirement they break",
        .enabled(if: ExtensionCaseTests.python != nil, "python3 is not on PATH"),
        arguments: [
            ("no-response-limit", "size.max-uint32", "conn.client-limit.limit"),
            ("signed-prefix", "size.max-uint32", "frame.prefix-size.unsigned"),
            ("signed-prefix", "size.2-gib-then-close", "frame.prefix-size.unsigned"),
            ("utf8-replaced", "body.invalid-utf8", "body.utf8.no-repair"),
            ("length-in-characters", "fixture.response.pong.compact", "frame.length-counts-octets.sender"),
            ("accept-duplicate-out", "message.duplicate-out", "msg.duplicate-members.client"),
            ("skip-zero-length", "frame.zero-length", "frame.zero-length.client"),
        ])
    func pythonMutants(mutant: String, caseID: String, requirement: String) throws {
        let start = Date()
        let result = try Self.result(Self.mutant(mutant), caseID, timeoutMilliseconds: 20_000)
        #expect(result.verdict == .failed, "\(result.summary)")
        #expect(Self.cited(result).contains(requirement), "\(Self.cited(result)): \(result.summary)")
        #expect(Date().timeIntervalSince(start) < 12, "a client without a limit is seen at the feed's 2 s bound, not at the 20 s time-out")
    }

    @Test(
        "the Python client as it is passes the cases that catch its mutants",
        .enabled(if: ExtensionCaseTests.python != nil, "python3 is not on PATH"),
        arguments: [
            "size.max-uint32", "size.2-gib-then-close", "body.invalid-utf8", "frame.zero-length", "message.two-responses", "message.describe-unknown-members",
        ])
    func pythonClientClean(caseID: String) throws {
        let result = try Self.result("python3 \(Self.pythonClient) --host {host} --port {port} {method} {params}", caseID)
        #expect(result.verdict == .passed, "\(result.summary)")
    }

    @Test("a client that prints the second of two responses fails conn.in-order.client-matches")
    func takesTheSecondResponse() throws {
        let result = try Self.result(ClientCheckTests.wrapped(#"echo '{"out":"pong","result":"second"}'; exit 0"#), "message.two-responses")
        #expect(Self.cited(result) == ["conn.in-order.client-matches"], "\(result.summary)")
    }

    @Test("a client that reports the server's second response (exit 2) passes: only printing the second is wrong")
    func reportsTheSecondResponse() throws {
        let result = try Self.result(ClientCheckTests.wrapped("echo 'conn.one-response: a second response' >&2; exit 2"), "message.two-responses")
        #expect(result.verdict == .passed, "\(result.summary)")
    }

    @Test("a client that refuses an lpj.description with members it does not know fails msg.describe.client-ignores")
    func refusesUnknownDescribeMembers() throws {
        let result = try Self.result(ClientCheckTests.wrapped("echo 'unknown member futureFlag' >&2; exit 2"), "message.describe-unknown-members")
        #expect(Self.cited(result) == ["msg.describe.client-ignores"], "\(result.summary)")
    }

    @Test(
        "a request without params fails msg.request.client, whatever the client does next",
        .enabled(if: ExtensionCaseTests.python != nil, "python3 is not on PATH"))
    func requestWithoutParams() throws {
        let client =
            #"python3 -c 'import socket,struct,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); b=("{\"in\":\"%s\"}" % sys.argv[2]).encode(); s.sendall(struct.pack("<I",len(b))+b); s.recv(100); print("refused", file=sys.stderr); sys.exit(2)' {port} {method}"#
        let result = try Self.result(client, "close.no-reply")
        #expect(result.verdict == .failed)
        #expect(Self.cited(result) == ["msg.request.client"], "\(result.summary)")
    }

    @Test("the client requirements the request check and the fuller replies see count as covered")
    func clientCoverage() throws {
        let cases = ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures)
        let coverage = Dictionary(uniqueKeysWithValues: RequirementCoverage.all(cases: [], clientCases: cases).map { ($0.requirement.id, $0) })
        for id in [
            "msg.request.client", "msg.describe.client-ignores", "conn.in-order.client-matches", "frame.zero-length.client",
            "frame.length-counts-octets.sender", "conn.client-limit.limit", "body.utf8.no-repair", "frame.prefix-size.unsigned",
        ] {
            #expect(coverage[id]?.isCovered == true, "\(id) is not covered by a client case")
        }
    }

    @Test("every requirement a client case can cite is in the inventory, and a client one")
    func clientCitationsExist() throws {
        let cases = ClientCheck.cases(fixtures: try FixtureSet.generate().fixtures)
        var cited = Set(cases.map { ClientCheck.requirement($0, summary: "").rawValue })
        cited.formUnion(["conn.client-limit.robust", "conn.client-limit.limit", "body.utf8.no-repair", "frame.prefix-size.unsigned"])
        for id in cited {
            let requirement = RequirementCatalog.requirement(RequirementID(id))
            #expect(requirement != nil, "\(id) is not in the inventory")
            #expect(requirement?.party != .server, "\(id) binds only servers")
        }
    }
}
