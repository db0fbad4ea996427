/// Several reports as one folder: `index.html`, the case × implementation matrix grouped by spec section;
/// `disagreements.html`, only the cases whose verdicts differ; and each report's own pages in a folder
/// named after its implementation (`NAME/index.html`, `NAME/cases/ID.html`), which every matrix cell links to.
///
/// Pure: a comparison in, files out.
public enum HTMLComparison {
    public static func files(_ comparison: ReportComparison) -> [HTMLPage.File] {
        var files = [
            HTMLPage.File(path: "index.html", text: matrixPage(comparison, onlyDisagreements: false)),
            HTMLPage.File(path: "disagreements.html", text: matrixPage(comparison, onlyDisagreements: true)),
        ]
        for implementation in comparison.implementations {
            let parent = HTMLReport.Parent(name: implementation.name, index: "../index.html")
            files += HTMLReport.files(implementation.document, parent: parent).map {
                HTMLPage.File(path: implementation.folder + "/" + $0.path, text: $0.text)
            }
        }
        return files
    }

    static func matrixPage(_ comparison: ReportComparison, onlyDisagreements: Bool) -> String {
        let rows = onlyDisagreements ? comparison.disagreements : comparison.rows
        let title =
            onlyDisagreements
            ? "lpj report: where the implementations disagree" : "lpj report: \(comparison.implementations.count) implementations side by side"
        var html = "<h1>\(Markup.escape(title))</h1>\n"
        html +=
            "<nav>"
            + (onlyDisagreements
                ? "<a href=\"index.html\">every case</a> · <strong>disagreements only</strong>"
                : "<strong>every case</strong> · <a href=\"disagreements.html\">disagreements only</a>") + "</nav>\n"
        html += "<p class=\"summary\">\(comparison.rows.count) cases; \(comparison.disagreements.count) with differing verdicts, marked ≠.</p>\n"
        html += "<h2>Implementations</h2>\n<table>\n<tr><th>name</th><th>target</th><th>verdict</th><th>counts</th></tr>\n"
        for implementation in comparison.implementations {
            let document = implementation.document
            let verdict = document.couldNotTest.map { "could not test: " + $0 } ?? (document.isConformant ? "conformant" : "NOT CONFORMANT")
            html +=
                "<tr><td><a href=\"\(implementation.folder)/index.html\">\(Markup.escape(implementation.name))</a></td>"
                + "<td class=\"mono\">\(Markup.escape(document.target))</td>"
                + HTMLPage.verdictCell(document.isConformant ? .passed : .failed, word: verdict)
                + "<td>\(Markup.escape(HTMLReport.countsLine(document)))</td></tr>\n"
        }
        html += "</table>\n" + HTMLPage.legend + "\n"
        guard !rows.isEmpty else {
            html += "<p>" + (onlyDisagreements ? "No disagreements: every case has the same verdict in every report." : "The reports hold no case.") + "</p>\n"
            return HTMLPage.page(title: title, body: html)
        }
        let header =
            "<tr><th></th><th>case</th>"
            + comparison.implementations.map {
                "<th><a href=\"\($0.folder)/index.html\">\(Markup.escape($0.name))</a></th>"
            }.joined() + "</tr>\n"
        for (section, sectionRows) in CaseSection.grouped(rows, by: \.first) {
            html +=
                "<h2>\(Markup.escape(section.key))" + (section.title.isEmpty ? "" : " <span class=\"muted\">\(Markup.escape(section.title))</span>")
                + "</h2>\n"
            html += "<table class=\"matrix\">\n" + header
            for row in sectionRows {
                html +=
                    "<tr\(row.differs ? " class=\"differs\"" : "")><td>\(row.differs ? "≠" : "")</td>"
                    + "<td class=\"mono\" title=\"\(Markup.escape(row.first.title))\">\(Markup.escape(row.id))</td>"
                for (implementation, result) in zip(comparison.implementations, row.results) {
                    guard let result else { html += "<td class=\"verdict v-absent\">absent</td>"; continue }
                    html += HTMLPage.verdictCell(result.shown, word: result.verdictWord, link: implementation.folder + "/" + HTMLPage.casePath(result.id))
                }
                html += "</tr>\n"
            }
            html += "</table>\n"
        }
        return HTMLPage.page(title: title, body: html)
    }
}
