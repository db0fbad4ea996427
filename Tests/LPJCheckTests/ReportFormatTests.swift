import LPJCheck
import LPJWire
import Testing

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
}
