import LPJWire
import Testing

@testable import LPJCheck

/// The HTML report and `lpj report`'s comparison, from documents built here: what a hostile server's texts
/// and octets become, how cases are grouped and coloured, what a case page cites, how the JSON report is
/// read back, and which cases the matrix calls disagreements.
@Suite struct HTMLReportTests {
    static let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>'&"#

    /// A report whose every text, and whose server's octets, try to inject markup.
    static func hostileDocument() -> ReportDocument {
        let octets = Array("\u{1}\u{0}\u{0}\u{0}<script>alert(3)</script>".utf8)
        let reportCase = ReportCase(
            id: "message.hostile<b>", title: "title " + hostile, rules: ["msg.ping"], level: "MUST", verdict: .failed,
            summary: "summary " + hostile + "\u{1}\u{1B}[31m",
            violations: [ReportViolation(requirement: "msg.ping.echo", level: "MUST", summary: "seen " + hostile)],
            details: ["detail " + hostile], replay: "printf '" + hostile + "' | nc 127.0.0.1 1",
            wire: [
                WireLog(
                    connection: 1,
                    events: [
                        WireEvent(kind: .connected, milliseconds: 0),
                        WireEvent(kind: .received, milliseconds: 1.5, octets: octets),
                        WireEvent(kind: .peerClosed, milliseconds: 2),
                    ])
            ])
        return ReportDocument(
            target: "127.0.0.1:1", profile: [.init("name " + hostile, "value " + hostile)],
            description: #"{"x": "</pre><script>alert(4)</script>"}"#, cases: [reportCase],
            serverStoppedAfter: hostile)
    }

    @Test func aHostileServersTextsAndOctetsNeverBecomeMarkup() {
        let files = HTMLReport.files(Self.hostileDocument())
        #expect(files.map(\.path) == ["index.html", "cases/message.hostile_b_.html"])
        for file in files {
            let lowered = file.text.lowercased()
            #expect(!lowered.contains("<script"), "\(file.path) holds a script element")
            #expect(!lowered.contains("<img"), "\(file.path) holds an img element")
            #expect(!lowered.contains("<b>"), "\(file.path) holds a b element")
            #expect(!file.text.contains("\u{1}") && !file.text.contains("\u{1B}"), "\(file.path) holds a control character")
            #expect(file.text.contains("&lt;script&gt;alert("), "\(file.path) does not show the text escaped")
            #expect(!lowered.contains("http://") && !lowered.contains("https://") && !lowered.contains("url("), "\(file.path) names an external resource")
        }
        let page = files[1].text
        #expect(page.contains("....&lt;script&gt;aler\n"), "the ASCII column of the dump is escaped")
        #expect(page.contains("01 00 00 00 3c 73 63 72"), "the hex dump shows the octets")
        #expect(page.contains("summary &lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;\\x01\\x1b[31m"))
        #expect(Markup.escape("a\u{0}b\u{7F}c\td\ne") == "a\\x00b\\x7fc\td\ne")
    }

    @Test func fileNamesStayInsideTheFolder() {
        #expect(HTMLPage.fileName("../../etc/passwd") == "_.._.._etc_passwd")
        #expect(!HTMLPage.casePath("../x").dropFirst("cases/".count).contains("/"))
        #expect(HTMLPage.fileName("") == "_")
        #expect(HTMLPage.fileName(".hidden") == "_.hidden")
        #expect(HTMLPage.fileName("fixture.request.ping-echo_1") == "fixture.request.ping-echo_1")
    }

    static func result(_ id: String, _ rules: [String], _ verdict: Verdict, expected: Bool = false, stale: Bool = false) -> ReportCase {
        ReportCase(
            id: id, title: "does " + id, rules: rules, level: "MUST", verdict: verdict, summary: "happened " + id,
            isExpectedDeviation: expected, isStale: stale)
    }

    @Test func casesAreGroupedBySpecSectionInSpecOrder() {
        let document = ReportDocument(
            target: "h:1",
            cases: [
                Self.result("c.conn", ["conn.isolation"], .passed), Self.result("c.msg", ["msg.ping"], .passed),
                Self.result("c.none", [], .informational), Self.result("c.frame", ["frame.reads-are-partial"], .passed),
                Self.result("c.msg2", ["msg.unknown-method"], .warning),
            ])
        let groups = CaseSection.grouped(document.cases) { $0 }
        #expect(groups.map(\.section.key) == ["frame", "msg", "conn", "other"])
        #expect(groups[1].items.map(\.id) == ["c.msg", "c.msg2"])
        #expect(groups[0].section.title.hasPrefix("2.1 Frame structure"), "\(groups[0].section.title)")
        let index = HTMLReport.files(document)[0].text
        let headings = ["id=\"section-frame\"", "id=\"section-msg\"", "id=\"section-conn\"", "id=\"section-other\""].map {
            index.range(of: $0)?.lowerBound
        }
        #expect(headings.allSatisfy { $0 != nil })
        #expect(headings.compactMap { $0 } == headings.compactMap { $0 }.sorted(), "sections out of spec order")
    }

    @Test func everyVerdictHasItsColourAndItsWord() {
        let cases = [
            Self.result("v.passed", ["msg.ping"], .passed), Self.result("v.failed", ["msg.ping"], .failed),
            Self.result("v.warning", ["msg.ping"], .warning), Self.result("v.informational", ["msg.ping"], .informational),
            Self.result("v.skipped", ["msg.ping"], .skipped), Self.result("v.notrun", ["msg.ping"], .notRun),
            Self.result("v.expected", ["msg.ping"], .failed, expected: true), Self.result("v.stale", ["msg.ping"], .passed, stale: true),
        ]
        let index = HTMLReport.files(ReportDocument(target: "h:1", cases: cases))[0].text
        let expectations: [(String, String, String)] = [
            ("v.passed", "v-passed", ">passed<"), ("v.failed", "v-failed", ">failed<"), ("v.warning", "v-warning", ">warning<"),
            ("v.informational", "v-informational", ">informational<"), ("v.skipped", "v-skipped", ">skipped<"),
            ("v.notrun", "v-not-run", ">not run<"), ("v.expected", "v-expected-deviation", ">expected deviation (failed)<"),
            ("v.stale", "v-failed", ">failed (stale deviation)<"),
        ]
        for (id, colour, word) in expectations {
            let row = index.components(separatedBy: "\n").first { $0.contains("cases/\(id).html\">\(id)</a>") } ?? ""
            #expect(row.contains("class=\"verdict \(colour)\""), "\(id): \(row)")
            #expect(row.contains(word), "\(id): \(row)")
        }
        #expect(index.contains("NOT CONFORMANT"))
        #expect(index.contains("1 passed, 2 failed, 1 warning, 1 informational, 1 skipped, 1 not run, 1 expected deviation"))
    }

    @Test func aCasePageCitesTheRequirementsTextAndShowsTheWireLogAndReplay() {
        let requirement = RequirementCatalog.requirement(.utf8Reject)!
        var reportCase = Self.result("message.bad-utf8", ["body.utf8"], .failed)
        reportCase.violations = [ReportViolation(requirement: requirement.id, level: "MUST", summary: "answered pong")]
        reportCase.tests = [RequirementID.utf8Reject.rawValue, RequirementID.utf8Precedence.rawValue]
        reportCase.replay = "printf 'x' | nc h 1"
        reportCase.wire = [
            WireLog(
                connection: 1,
                events: [
                    WireEvent(kind: .connected, milliseconds: 0.2), WireEvent(kind: .sent, milliseconds: 0.4, octets: [0x02, 0, 0, 0, 0x7B, 0x7D]),
                    WireEvent(kind: .halfClosed, milliseconds: 0.5),
                    WireEvent(kind: .received, milliseconds: 3, octets: Array(repeating: 0x41, count: 10), octetCount: 70_000),
                    WireEvent(kind: .peerReset, milliseconds: 4),
                ])
        ]
        let page = HTMLReport.files(ReportDocument(target: "h:1", cases: [reportCase]))[1].text
        #expect(page.contains(Markup.escape(requirement.text)), "the requirement's full text")
        #expect(page.contains("body.utf8.reject</span> <strong>MUST</strong>"))
        #expect(page.contains("seen: answered pong"))
        #expect(page.contains(Markup.escape(RequirementCatalog.requirement(.utf8Precedence)!.text)), "a tested requirement's text")
        for label in ["checker connected", "checker → server", "checker half-closed", "server → checker", "server reset (ECONNRESET)"] {
            #expect(page.contains(label), "\(label)")
        }
        #expect(page.contains("0000  02 00 00 00 7b 7d"), "the hex dump of what was sent")
        #expect(page.contains("70000 (10 kept)"), "a count larger than what was kept says so")
        #expect(page.contains("sent 6 octets in 1 write(s), received 70000 octets in 1 read(s); ended: server reset (ECONNRESET)"))
        #expect(page.contains("printf &#39;x&#39; | nc h 1"))
    }

    @Test func aRunReadBackFromItsJSONReportIsTheSameDocument() throws {
        var target = CheckTarget(host: "127.0.0.1", port: 7001)
        target.methods = ["ping"]
        var probe = ServerProbe()
        probe.answersLittle = true
        var failed = CaseResult(
            id: "message.x", title: "x", rules: [RuleID("msg.ping")], level: .must, verdict: .failed,
            summary: "bad", details: ["line 1", "line 2"], replay: "printf '' | nc", milliseconds: 12)
        failed.violations = [Violation(.utf8Reject, "answered")]
        failed.wire = [
            WireLog(
                connection: 1,
                events: [
                    WireEvent(kind: .connected, milliseconds: 0.25),
                    WireEvent(kind: .sent, milliseconds: 0.5, octets: [1, 0, 0, 0, 0x30]),
                    WireEvent(kind: .received, milliseconds: 1.125, octets: [2], octetCount: 9),
                    WireEvent(kind: .peerReset, milliseconds: 2),
                ])
        ]
        var expected = CaseResult(
            id: "message.y", title: "y", rules: [], level: .should, verdict: .warning, summary: "meh",
            details: [], replay: nil, milliseconds: 3)
        expected.isExpectedDeviation = true
        var stale = CaseResult(
            id: "message.z", title: "z", rules: [RuleID("conn.isolation")], level: .must, verdict: .passed,
            summary: "fine", details: [], replay: nil, milliseconds: 1)
        stale.isStale = true
        let report = CheckReport(target: target, probe: probe, results: [failed, expected, stale], serverStoppedAfter: "message.z")
        let direct = ReportDocument(report)
        let read = try ReportDocument.read(json: JSONParser.parse(JSONWriter.string(ReportFormat.json(report), style: .pretty)))
        #expect(read.count == 1 && read[0].model == nil)
        #expect(read[0].document == direct)
        #expect(read[0].document.cases[0].wire.count == 1)
        #expect(direct.isConformant == false && direct.count(.failed) == 2 && direct.count(.expectedDeviation) == 1)
    }

    @Test func theJSONReaderToleratesOtherSpellingsAndMissingMembersAndReadsTheWire() throws {
        let text = """
            {"models": [{"model": "threaded", "report": {"target": "127.0.0.1:9", "profile": [{"name": "byte order", "value": "little"}],
              "cases": [{"id": "a.b", "rules": ["msg.ping"], "verdict": "not-run", "expected-deviation": false},
                        {"id": "a.c", "verdict": "failed", "Expected_Deviation": true, "wire": [{"connection": 2, "events": [
                          {"kind": "connected", "milliseconds": 0.25, "octetsHex": "", "octetCount": 0},
                          {"kind": "sent", "milliseconds": 1, "octetsHex": "010000007B", "octetCount": 9},
                          {"kind": "peerClosed", "milliseconds": 2.5, "octetsHex": "", "octetCount": 0}]}]}]}}]}
            """
        let read = try ReportDocument.read(json: JSONParser.parse(text))
        #expect(read.count == 1 && read[0].model == "threaded")
        let document = read[0].document
        #expect(document.profile == [.init("byte order", "little")])
        #expect(document.cases.map(\.verdict) == [.notRun, .failed])
        #expect(document.cases[1].isExpectedDeviation)
        #expect(document.cases[0].wire.isEmpty)
        #expect(
            document.cases[1].wire == [
                WireLog(
                    connection: 2,
                    events: [
                        WireEvent(kind: .connected, milliseconds: 0.25), WireEvent(kind: .sent, milliseconds: 1, octets: [1, 0, 0, 0, 0x7B], octetCount: 9),
                        WireEvent(kind: .peerClosed, milliseconds: 2.5),
                    ])
            ])
    }

    @Test func theJSONReaderSaysWhyATextIsNotAReport() {
        let cases: [(String, String)] = [
            ("[1]", "the JSON text is array, not an object"),
            (#"{"tool": "lpj bench"}"#, "has no \"cases\""),
            (#"{"target": "h:1", "cases": [{"id": "a", "verdict": "great"}]}"#, "unknown verdict \"great\""),
            (
                #"{"target": "h:1", "cases": [{"id": "a", "verdict": "passed", "wire": [{"connection": 1, "events": [{"kind": "sent", "milliseconds": 1, "octetsHex": "0g", "octetCount": 1}]}]}]}"#,
                "wire[0] is not {connection, events"
            ),
        ]
        for (text, reason) in cases {
            #expect(throws: ReportDocument.ReadError.self) { try ReportDocument.read(json: JSONParser.parse(text)) }
            do { _ = try ReportDocument.read(json: JSONParser.parse(text)) } catch {
                #expect("\(error)".contains(reason), "\(text): \(error)")
            }
        }
    }

    @Test func theMatrixMarksDisagreementsAndTheDisagreementsPageHoldsOnlyThem() {
        let reference = ReportDocument(
            target: "127.0.0.1:1",
            cases: [
                Self.result("same", ["msg.ping"], .passed), Self.result("differs", ["body.utf8"], .passed),
                Self.result("only-here", ["conn.isolation"], .passed),
                Self.result("deviation", ["msg.ping"], .failed, expected: true),
            ])
        let mutant = ReportDocument(
            target: "127.0.0.1:2",
            cases: [
                Self.result("same", ["msg.ping"], .passed), Self.result("differs", ["body.utf8"], .failed), Self.result("deviation", ["msg.ping"], .failed),
            ])
        let comparison = ReportComparison([("reference", reference), ("mutant/x", mutant)])
        #expect(comparison.implementations.map(\.folder) == ["reference", "mutant_x"])
        #expect(comparison.rows.map(\.id) == ["same", "differs", "only-here", "deviation"])
        #expect(comparison.disagreements.map(\.id) == ["differs", "only-here"])
        let files = HTMLComparison.files(comparison)
        let paths = Set(files.map(\.path))
        #expect(paths.isSuperset(of: ["index.html", "disagreements.html", "reference/index.html", "mutant_x/cases/differs.html"]))
        let index = files.first { $0.path == "index.html" }!.text
        let differs = index.components(separatedBy: "\n").first { $0.contains(">differs</td>") } ?? ""
        #expect(differs.contains("class=\"differs\"") && differs.contains("≠"), "\(differs)")
        #expect(
            differs.contains("href=\"reference/cases/differs.html\">passed</a>") && differs.contains("href=\"mutant_x/cases/differs.html\">failed</a>"),
            "\(differs)")
        let same = index.components(separatedBy: "\n").first { $0.contains(">same</td>") } ?? ""
        #expect(!same.contains("≠"), "\(same)")
        #expect(index.contains(">absent</td>"))
        let disagreements = files.first { $0.path == "disagreements.html" }!.text
        #expect(disagreements.contains(">differs</td>") && disagreements.contains(">only-here</td>"))
        #expect(!disagreements.contains(">same</td>") && !disagreements.contains(">deviation</td>"))
        let casePage = files.first { $0.path == "mutant_x/cases/differs.html" }!.text
        #expect(casePage.contains("href=\"../../index.html\""), "a case page links back to the comparison")
        let text = comparison.text()
        #expect(text.contains("* differs    passed         failed"), "\(text)")
        #expect(text.contains("  same       passed         passed"), "\(text)")
        #expect(text.hasSuffix("2 implementations, 4 cases, 2 with differing verdicts (marked *)"), "\(text)")
        #expect(comparison.text(onlyDisagreements: true).components(separatedBy: "\n").count == 4)
    }
}
