import LPJWire

/// The pieces every page of the HTML report is made of: escaping, the page skeleton with its one inline
/// style sheet, verdict cells and file names. The pages hold no script and name no external URL, so they
/// read the same in any browser, offline, with scripts disabled.
///
/// Every text a page shows goes through `escape`: case summaries and details quote what a server sent,
/// and a hostile server's octets must not become markup.
public enum HTMLPage {
    /// One file of a report folder: its path inside the folder and its text.
    public struct File: Sendable, Equatable {
        public var path: String
        public var text: String
        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// A name usable as a file name and in an `href` without escaping: letters, digits, `.`, `-` and `_`
    /// kept, anything else `_`; never empty, never starting with a dot.
    public static func fileName(_ name: String) -> String {
        var out = String(
            name.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_": return Character(scalar)
                default: return "_"
                }
            })
        if out.isEmpty || out.hasPrefix(".") { out = "_" + out }
        return out
    }

    /// The path of a case's page inside a report folder.
    public static func casePath(_ id: String) -> String { "cases/" + fileName(id) + ".html" }

    /// A whole page: `title` in the tab and as its heading, `body` already HTML.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Markup.escape(title))</title>
        <style>\(styleSheet)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// A table cell coloured by verdict that says the verdict in words too, optionally a link.
    static func verdictCell(_ shown: ShownVerdict, word: String, link: String? = nil) -> String {
        let text = Markup.escape(word)
        return "<td class=\"verdict v-\(shown.rawValue)\">" + (link.map { "<a href=\"\($0)\">\(text)</a>" } ?? text) + "</td>"
    }

    /// The legend: every verdict in its colour, with what it means.
    static var legend: String {
        let meanings: [(ShownVerdict, String)] = [
            (.passed, "did what the spec requires"), (.failed, "broke a MUST (or a SHOULD under --strict), or a stale deviation"),
            (.warning, "broke a SHOULD"), (.informational, "a choice the spec leaves open, or a profile fact"),
            (.skipped, "does not apply, or not selected"), (.notRun, "the server had stopped answering, or the run resumed past it"),
            (.expectedDeviation, "failed or warned, and listed in --expected-deviations"),
        ]
        return "<table class=\"legend\"><tr>"
            + meanings.map { shown, meaning in
                "<td class=\"verdict v-\(shown.rawValue)\" title=\"\(Markup.escape(meaning))\">\(Markup.escape(shown.word))</td>"
            }.joined() + "</tr></table>"
    }

    /// The one style sheet: verdict colours chosen to differ in lightness as well as hue; borders and
    /// the verdict word carry the meaning for readers who cannot tell the colours apart.
    static let styleSheet = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;margin:1.5em auto;max-width:1180px;padding:0 1em}
        h1{font-size:1.5em;margin:.2em 0 .4em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}h3{font-size:1.05em;margin:1.2em 0 .3em}
        table{border-collapse:collapse;margin:.4em 0 1em}th,td{border:1px solid #c8c8c8;padding:.2em .5em;text-align:left;vertical-align:top}
        th{background:#f0f0f0}code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
        pre{margin:0;white-space:pre-wrap;word-break:break-all}pre.block{background:#f6f6f6;border:1px solid #ddd;padding:.5em;overflow-x:auto}
        a{color:#0b4f9c}.muted{color:#666}.nowrap{white-space:nowrap}.num{text-align:right;font-variant-numeric:tabular-nums}
        .verdict{font-weight:600;white-space:nowrap}
        .v-passed{background:#cdebd0;color:#0f4a1b}.v-failed{background:#f4b9b9;color:#6d0707;border-left:4px solid #b10f0f}
        .v-warning{background:#fbe3a5;color:#5c3d00;border-left:4px solid #c98a00}.v-informational{background:#d3e3f6;color:#113a69}
        .v-skipped{background:#ececec;color:#555}.v-not-run{background:#ddd5ee;color:#3a2a66;border-left:4px dotted #5a3f99}
        .v-expected-deviation{background:#eee0c8;color:#4d3810;border-left:4px double #8a6a2a}.v-absent{background:#fff;color:#888}
        .v-passed a,.v-failed a,.v-warning a,.v-informational a,.v-skipped a,.v-not-run a,.v-expected-deviation a{color:inherit}
        .legend td{font-size:12px}.summary{font-size:1.05em}.badge{display:inline-block;padding:.1em .6em;border-radius:3px}
        .ev-sent td{background:#eef4fb}.ev-received td{background:#fbf6e6}.ev-end td{background:#f3f3f3;font-weight:600}
        .req{margin:.3em 0 .8em}.req .id{font-weight:600}tr.differs td:first-child{font-weight:600}
        nav{margin-bottom:.6em}h1.mono{font-size:1.35em}
        """
}
