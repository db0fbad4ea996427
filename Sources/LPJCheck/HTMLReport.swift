import LPJSpec

/// One report as a folder of HTML pages, in the manner of Autobahn|Testsuite's: `index.html` (target,
/// summary counts, profile, then every case grouped by spec section, each row in its verdict's colour
/// and word) and a page per case, `cases/ID.html`: the requirements it cites with their level and full
/// text, the summary, the evidence, the wire log both ways and the replay command.
///
/// Pure: a document in, files (path and text) out; the caller writes them.
public enum HTMLReport {
    /// Where the pages of a report link back to when the report is one of several (`lpj report`).
    public struct Parent: Sendable {
        /// The implementation's name, shown in headings.
        public var name: String
        /// The comparison index, relative to this report's `index.html`.
        public var index: String
        public init(name: String, index: String) {
            self.name = name
            self.index = index
        }
    }

    /// `index.html` and one page per case.
    public static func files(_ document: ReportDocument, parent: Parent? = nil) -> [HTMLPage.File] {
        [HTMLPage.File(path: "index.html", text: index(document, parent: parent))]
            + document.cases.map { HTMLPage.File(path: HTMLPage.casePath($0.id), text: casePage($0, of: document, parent: parent)) }
    }

    /// The heading name of a report: the implementation's name and its target, or the target alone.
    static func name(_ document: ReportDocument, _ parent: Parent?) -> String {
        parent.map { "\($0.name) (\(document.target))" } ?? document.target
    }

    /// The closing line's counts, as `lpj check` prints them, with the other verdicts after.
    static func countsLine(_ document: ReportDocument) -> String {
        ShownVerdict.allCases.map { "\(document.count($0)) \($0.word)" }.joined(separator: ", ")
    }

    // MARK: - index.html

    static func index(_ document: ReportDocument, parent: Parent?) -> String {
        var html = parent.map { "<nav><a href=\"\($0.index)\">← all implementations</a></nav>\n" } ?? ""
        html += "<h1>lpj check: \(Markup.escape(name(document, parent)))</h1>\n"
        let conformant = document.isConformant
        html +=
            "<p class=\"summary\"><span class=\"badge verdict \(conformant ? "v-passed" : "v-failed")\">\(conformant ? "conformant" : "NOT CONFORMANT")</span> "
            + Markup.escape(countsLine(document)) + "</p>\n"
        if let reason = document.couldNotTest {
            html += "<p class=\"verdict v-failed\">could not test the server: \(Markup.escape(reason))</p>\n"
        }
        if let stopped = document.serverStoppedAfter {
            html += "<p class=\"verdict v-not-run\">the server stopped answering after \(Markup.escape(stopped)); the cases after it were not run</p>\n"
        }
        html += HTMLPage.legend + "\n"
        let groups = CaseSection.grouped(document.cases) { $0 }
        if !groups.isEmpty {
            html +=
                "<h2>Spec sections</h2>\n<table>\n<tr><th>section</th><th>spec</th><th class=\"num\">cases</th>"
                + ShownVerdict.allCases.map { "<th class=\"num\">\(Markup.escape($0.word))</th>" }.joined() + "</tr>\n"
            for (section, cases) in groups {
                html +=
                    "<tr><td><a href=\"#section-\(HTMLPage.fileName(section.key))\">\(Markup.escape(section.key))</a></td><td>\(Markup.escape(section.title))</td><td class=\"num\">\(cases.count)</td>"
                html +=
                    ShownVerdict.allCases.map { shown in
                        let count = cases.filter { $0.shown == shown }.count
                        return count == 0 ? "<td class=\"num muted\">0</td>" : "<td class=\"num verdict v-\(shown.rawValue)\">\(count)</td>"
                    }.joined() + "</tr>\n"
            }
            html += "</table>\n"
        }
        if !document.profile.isEmpty {
            html += "<h2>Server profile</h2>\n<table>\n"
            for row in document.profile {
                html += "<tr><th>\(Markup.escape(row.name))</th><td>\(Markup.escape(row.value))</td></tr>\n"
            }
            html += "</table>\n"
        }
        if let description = document.description {
            html += "<details><summary>What lpj.describe answered</summary>\n<pre class=\"block\">\(Markup.escape(description))</pre></details>\n"
        }
        for (section, cases) in groups {
            html +=
                "<h2 id=\"section-\(HTMLPage.fileName(section.key))\">\(Markup.escape(section.key))"
                + (section.title.isEmpty ? "" : " <span class=\"muted\">\(Markup.escape(section.title))</span>") + "</h2>\n"
            html +=
                "<table class=\"cases\">\n<tr><th>verdict</th><th>case</th><th>level</th><th>what it does, and what happened</th><th>requirements broken</th><th class=\"num\">ms</th></tr>\n"
            for reportCase in cases {
                let link = HTMLPage.casePath(reportCase.id)
                html +=
                    "<tr>" + HTMLPage.verdictCell(reportCase.shown, word: reportCase.verdictWord, link: link)
                    + "<td class=\"mono\"><a href=\"\(link)\">\(Markup.escape(reportCase.id))</a></td>"
                    + "<td>\(Markup.escape(reportCase.level))</td>"
                    + "<td>\(Markup.escape(reportCase.title))<br><span class=\"muted\">\(Markup.escape(reportCase.summary))</span></td>"
                    + "<td class=\"mono\">" + reportCase.violations.map { Markup.escape("\($0.requirement) (\($0.level))") }.joined(separator: "<br>")
                    + "</td>"
                    + "<td class=\"num\">\(reportCase.milliseconds)</td></tr>\n"
            }
            html += "</table>\n"
        }
        return HTMLPage.page(title: "lpj check: " + name(document, parent), body: html)
    }

    // MARK: - cases/ID.html

    static func casePage(_ reportCase: ReportCase, of document: ReportDocument, parent: Parent?) -> String {
        let section = CaseSection.of(reportCase)
        var html =
            "<nav><a href=\"../index.html#section-\(HTMLPage.fileName(section.key))\">← every case of \(Markup.escape(name(document, parent)))</a>"
            + (parent.map { " · <a href=\"../\($0.index)\">all implementations</a>" } ?? "") + "</nav>\n"
        html += "<h1 class=\"mono\">\(Markup.escape(reportCase.id))</h1>\n<p>\(Markup.escape(reportCase.title))</p>\n"
        html +=
            "<table>\n<tr><th>verdict</th><th>level</th><th>spec section</th><th>server</th><th>time</th></tr>\n<tr>"
            + HTMLPage.verdictCell(reportCase.shown, word: reportCase.verdictWord)
            + "<td>\(Markup.escape(reportCase.level))</td>"
            + "<td>\(Markup.escape(section.key))\(section.title.isEmpty ? "" : ": " + Markup.escape(section.title))</td>"
            + "<td>\(Markup.escape(name(document, parent)))</td><td class=\"num\">\(reportCase.milliseconds) ms</td></tr>\n</table>\n"
        html += "<h2>Summary</h2>\n<p>\(Markup.escape(reportCase.summary))</p>\n"
        if !reportCase.violations.isEmpty {
            html += "<h2>Requirements broken</h2>\n"
            for violation in reportCase.violations {
                html += requirement(violation.requirement, level: violation.level, seen: violation.summary)
            }
        }
        html += "<h2>What this case tests</h2>\n"
        let broken = Set(reportCase.violations.map(\.requirement))
        let untold = reportCase.tests.filter { !broken.contains($0) }
        if !reportCase.tests.isEmpty, untold.isEmpty {
            html += "<p>The requirement(s) above.</p>\n"
        } else if reportCase.tests.isEmpty {
            let items = reportCase.rules.flatMap { rule in SpecInventory.all.filter { $0.rule == rule } }
            html +=
                reportCase.rules.isEmpty
                ? "<p class=\"muted\">The case names no rule.</p>\n"
                : "<p class=\"muted\">Rules \(Markup.escape(reportCase.rules.joined(separator: ", "))): every requirement under them.</p>\n"
            html += items.map { requirement($0.id, level: nil, seen: nil) }.joined()
        } else {
            html += (broken.isEmpty ? "" : "<p>The requirement(s) above, and:</p>\n") + untold.map { requirement($0, level: nil, seen: nil) }.joined()
        }
        html +=
            "<h2>Evidence</h2>\n"
            + (reportCase.details.isEmpty
                ? "<p class=\"muted\">None recorded: the runner keeps evidence for failures and warnings.</p>\n"
                : "<pre class=\"block\">\(Markup.escape(reportCase.details.joined(separator: "\n")))</pre>\n")
        html += "<h2>Wire log</h2>\n" + HTMLWireLog.render(reportCase.wire) + "\n"
        html +=
            "<h2>Replay</h2>\n"
            + (reportCase.replay.map { "<pre class=\"block\">\(Markup.escape($0))</pre>\n" }
                ?? "<p class=\"muted\">No replay: one is given for failures and warnings whose case sent octets.</p>\n")
        return HTMLPage.page(title: "\(reportCase.id): \(reportCase.verdictWord) (\(name(document, parent)))", body: html)
    }

    /// A requirement with its level and full text from the inventory, and what was seen when it was broken.
    static func requirement(_ id: String, level: String?, seen: String?) -> String {
        let item = RequirementCatalog.requirement(RequirementID(id))
        let level = item?.level.rawValue ?? level ?? ""
        var html = "<div class=\"req\"><span class=\"id mono\">\(Markup.escape(id))</span> <strong>\(Markup.escape(level))</strong>"
        if let item { html += " <span class=\"muted\">(\(Markup.escape(item.section)); \(Markup.escape(item.party.rawValue)))</span>" }
        if let seen { html += "<br>seen: \(Markup.escape(seen))" }
        html += "<br>" + (item.map { "<q>\(Markup.escape($0.text))</q>" } ?? "<span class=\"muted\">not in this version's requirement inventory</span>")
        return html + "</div>\n"
    }
}
