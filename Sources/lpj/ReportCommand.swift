import ArgumentParser
import Foundation
import LPJCheck
import LPJWire

/// `lpj report`: JSON reports of `lpj check` side by side.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show JSON reports of lpj check side by side: a case by implementation matrix of verdicts.",
        discussion: """
            Reads reports written by lpj check --format json (a run of the reference server in every model \
            gives one column per model) and prints the matrix, marking with * the cases whose verdicts differ \
            (a case missing from a report counts as differing). With --html, writes it as pages instead: \
            index.html (every case), disagreements.html (only the cases that differ) and each report's own \
            pages in a folder named after its implementation.

            Exit status: 0 when the reports were read (whatever they say); 64 when one cannot be read or is \
            not a report (the line names the file); 2 when the pages cannot be written.
            """
    )

    @Argument(help: "JSON reports written by lpj check --format json.")
    var reports: [String] = []

    @Option(parsing: .singleValue, help: "The implementation's name for each report, in the order of the reports (default: the file name without .json).")
    var name: [String] = []

    @Option(help: "Write the comparison as HTML pages into this folder.")
    var html: String?

    @Flag(name: .customLong("disagreements"), help: "Print only the cases whose verdicts differ.")
    var onlyDisagreements = false

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("give at least one JSON report of lpj check --format json") }
        guard name.isEmpty || name.count == reports.count else {
            throw ValidationError("--name is given \(name.count) time(s) for \(reports.count) report(s): give one per report, or none")
        }
    }

    func run() throws {
        if let html { try ReportFiles.checkWritableFolder(html, option: "--html") }
        let cases = try CaseCatalog.all()
        var named: [(name: String, document: ReportDocument)] = []
        for (index, path) in reports.enumerated() {
            let base = name.isEmpty ? ((path as NSString).lastPathComponent as NSString).deletingPathExtension : name[index]
            for (model, document) in try Self.read(path) {
                named.append((model.map { "\(base) \($0)" } ?? base, document.testing(cases)))
            }
        }
        let comparison = ReportComparison(named)
        guard let html else {
            print(comparison.text(onlyDisagreements: onlyDisagreements))
            return
        }
        try ReportFiles.write(HTMLComparison.files(comparison), into: html, option: "--html")
        print(
            "wrote \((html as NSString).appendingPathComponent("index.html")): \(comparison.implementations.count) implementations, \(comparison.rows.count) cases, \(comparison.disagreements.count) with differing verdicts"
        )
    }

    /// The reports in one file; a one-line error naming the file (exit 64) when it is not one.
    static func read(_ path: String) throws -> [(model: String?, document: ReportDocument)] {
        let text = try ReportFiles.read(path, option: "report")
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch {
            throw ReportFiles.usageError("report: \(path) is not JSON: \(error)")
        }
        do { return try ReportDocument.read(json: json) } catch {
            throw ReportFiles.usageError("report: \(path) is not a report of lpj check --format json: \(error)")
        }
    }
}
