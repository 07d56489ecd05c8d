import ArgumentParser
import Foundation
import SynthLabel

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find files that lack a compliant label in directory trees.",
        discussion: """
            Walks the trees (symbolic links are not followed), verifies every file of a \
            supported format (recognised by content, not by name; other files are counted as \
            skipped), prints the files that are not compliant, then a summary by verdict and by \
            format, and the throughput. Uses every core.

            --ndjson prints one JSON object per file (the shape of a 'verify --json' entry) as \
            results arrive; --json prints one document with every file and the summary.
            """
    )

    @Argument(help: "Directories (or files) to scan.")
    var paths: [String]

    @Flag(help: "One JSON document: every file, plus the summary.")
    var json = false

    @Flag(help: "One JSON object per line, per file.")
    var ndjson = false

    func validate() throws {
        if json && ndjson { throw ValidationError("choose one of --json and --ndjson") }
    }

    struct Summary: Encodable {
        var files = 0
        var skipped = 0
        var byVerdict: [String: Int] = [:]
        var byFormat: [String: [String: Int]] = [:]
        var seconds = 0.0
    }

    func run() throws {
        var walker = FileWalker(paths)
        var summary = Summary()
        var documents: [FileReportJSON] = []
        let started = Date()
        let verifier = Verifier()
        BatchRunner(progress: ProgressLine("scanned")).run(&walker) { entry in
            (entry, Result { () throws(SynthLabelError) in try verifier.verify(fileAt: entry.path) })
        } deliver: { (entry: FileWalker.Entry, result: Result<FileReport, SynthLabelError>) in
            let document: FileReportJSON
            switch result {
            case .success(let report):
                document = FileReportJSON(report)
                if !json && !ndjson && report.verdict != .compliant {
                    let reason = report.findings.first { $0.outcome == .error || $0.outcome == .fail }?.message ?? ""
                    Output.line(
                        "\(report.verdict.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(report.path) (\(report.carrier.displayName))\(reason.isEmpty ? "" : ": \(reason)")"
                    )
                }
            case .failure(.unsupportedFile):
                summary.skipped += 1
                return
            case .failure(let error):
                document = FileReportJSON(path: entry.path, error: error)
                if !json && !ndjson { Output.line("inconclusive  \(entry.path): \(error)") }
            }
            summary.files += 1
            summary.byVerdict[document.verdict, default: 0] += 1
            summary.byFormat[document.format ?? "unreadable", default: [:]][document.verdict, default: 0] += 1
            if ndjson { Output.json(document, pretty: false) } else if json { documents.append(document) }
        }
        summary.seconds = Date().timeIntervalSince(started)
        for missing in walker.missing { Output.diagnostic("error: \(missing): no such file or directory") }
        if json {
            Output.json(ScanDocument(files: documents, summary: summary))
        } else if !ndjson {
            Output.line(Self.table(summary))
        }
        let rate = summary.seconds > 0 ? Double(summary.files + summary.skipped) / summary.seconds : 0
        Output.diagnostic(
            String(
                format: "scanned %d file(s), skipped %d unsupported, in %.2f s (%.0f files/s)", summary.files, summary.skipped,
                summary.seconds, rate))
        if !walker.missing.isEmpty { throw ExitCode(2) }
    }

    struct ScanDocument: Encodable {
        var files: [FileReportJSON]
        var summary: Summary
    }

    /// The summary as a table: one row per format, one column per verdict.
    static func table(_ summary: Summary) -> String {
        let verdicts = Verdict.allCases.map(\.rawValue)
        let width = 13
        func cell(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        var lines = [cell("format") + verdicts.map(cell).joined() + "total"]
        for format in summary.byFormat.keys.sorted() {
            let counts = summary.byFormat[format, default: [:]]
            lines.append(cell(format) + verdicts.map { cell(String(counts[$0, default: 0])) }.joined() + String(counts.values.reduce(0, +)))
        }
        lines.append(cell("all") + verdicts.map { cell(String(summary.byVerdict[$0, default: 0])) }.joined() + String(summary.files))
        return lines.joined(separator: "\n")
    }
}
