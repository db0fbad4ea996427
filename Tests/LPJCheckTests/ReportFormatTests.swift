import LPJWire
import Testing

@testable import LPJCheck

/// Reports of a run that could not test the server (exit 2): written all the same, and well-formed
/// whatever the reason's text holds.
@Suite struct ReportFormatTests {
    @Test func couldNotTestJSONSaysWhy() {
        let report = ReportFormat.json(couldNotTest: "[::1]:7000", reason: "the connection was reset")
        #expect(report.objectValue?["conformant"] == false)
        #expect(report.objectValue?["couldNotTest"]?.stringValue == "the connection was reset")
        #expect(report.objectValue?["target"]?.stringValue == "[::1]:7000")
    }

    @Test func couldNotTestJUnitEscapesTheReason() {
        let xml = ReportFormat.junit(couldNotTest: "host:1", reason: #"answered <html> & "quotes""# + "\u{1}")
        #expect(xml.contains(#"errors="1""#))
        #expect(xml.contains(#"answered &lt;html&gt; &amp; &quot;quotes&quot;\x01"#), "\(xml)")
        #expect(!xml.contains("<html>"))
    }

    @Test("the human report groups failures by spec section, in spec order, and quotes each cited requirement's text")
    func humanReportBySection() {
        var frame = CaseResult(
            id: "size.over-limit", title: "over", rules: [RuleID("frame.max-size")], level: .must, verdict: .failed,
            summary: "no refusal", details: [], replay: nil, milliseconds: 1)
        frame.violations = [Violation(.oversizeErrorReply, "no frame-too-large")]
        var message = CaseResult(
            id: "message.method-names", title: "names", rules: [RuleID("msg.unknown-method")], level: .must, verdict: .failed,
            summary: "no answer", details: [], replay: nil, milliseconds: 1)
        message.violations = [Violation(.unknownMethodAnswer, "closed")]
        let passed = CaseResult(
            id: "body.fine", title: "fine", rules: [RuleID("body.utf8")], level: .must, verdict: .passed,
            summary: "ok", details: [], replay: nil, milliseconds: 1)
        let report = CheckReport(
            target: CheckTarget(host: "127.0.0.1", port: 7), probe: ServerProbe(), results: [message, passed, frame], serverStoppedAfter: nil)
        let lines = ReportFormat.human(report).split(separator: "\n").map(String.init)
        let headers = lines.filter { $0.hasPrefix("== ") }
        #expect(headers.count == 2 && headers[0].hasPrefix("== frame") && headers[1].hasPrefix("== msg"), "\(headers)")
        #expect(lines.firstIndex { $0 == "FAIL size.over-limit" }! < lines.firstIndex { $0 == "FAIL message.method-names" }!)
        let text = RequirementCatalog.requirement(.unknownMethodAnswer)!.text
        #expect(lines.contains("    spec: \(text)"))
        #expect(!lines.contains("FAIL body.fine"))
    }
}
