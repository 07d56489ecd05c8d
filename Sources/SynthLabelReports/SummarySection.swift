import Foundation
import SynthLabel

/// The report's summary, as markup with inline SVG charts: counts and shares by verdict and by
/// format, the checks failed most often with the rule each comes from, and the scan itself.
struct SummarySection {
    let counts: HTMLReport.Counts
    let skipped: Int
    let seconds: Double
    let scan: HTMLReport.Scan
    let language: Language

    private func text(_ key: String) -> String { HTMLText.escape(Phrases.text(key, language)) }

    private func verdictName(_ verdict: String) -> String { text("verdict." + verdict) }

    var html: String {
        """
        <section id="summary" aria-labelledby="summary-heading">
        <h2 id="summary-heading">\(text("summary"))</h2>
        <p class="totals"><span class="count" id="count-files">\(counts.files)</span> \(text("files.scanned")); <span class="count" id="count-skipped">\(skipped)</span> \(text("files.skipped"))</p>
        <div class="charts">
        <figure><figcaption>\(text("by.verdict"))</figcaption>\(verdictChart)</figure>
        <figure><figcaption>\(text("by.format"))</figcaption>\(formatChart)</figure>
        </div>
        <h3>\(text("top.checks"))</h3>
        \(failingTable)
        <h3>\(text("scan"))</h3>
        \(scanList)
        </section>
        <script type="application/json" id="sl-summary">\(HTMLText.scriptJSON(["files": counts.files, "skipped": skipped, "byVerdict": counts.byVerdict]))</script>

        """
    }

    /// One bar per verdict, its length the verdict's share, with the count and share beside it.
    private var verdictChart: String {
        let verdicts = Verdict.allCases.map(\.rawValue)
        let total = max(counts.files, 1)
        let rowHeight = 28
        var parts: [String] = []
        for (index, verdict) in verdicts.enumerated() {
            let count = counts.byVerdict[verdict, default: 0]
            let y = index * rowHeight
            let width = Double(count) / Double(total) * 220
            parts.append(
                "<text x=\"0\" y=\"\(y + 18)\" class=\"axis\">\(verdictName(verdict))</text>"
                    + "<rect x=\"110\" y=\"\(y + 5)\" width=\"\(String(format: "%.1f", width))\" height=\"18\" class=\"v-\(verdict)\"/>"
                    + "<text x=\"\(String(format: "%.1f", 116 + width))\" y=\"\(y + 18)\" class=\"value\" data-verdict=\"\(verdict)\">"
                    + "\(count) (\(Self.percent(count, of: total)))</text>")
        }
        let height = verdicts.count * rowHeight
        return "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 420 \(height)\" width=\"420\" height=\"\(height)\">"
            + "<title>\(text("by.verdict"))</title>" + parts.joined() + "</svg>"
    }

    /// One bar per format, split by verdict, its length the format's number of files.
    private var formatChart: String {
        let formats = counts.byFormat.keys.sorted()
        let largest = max(formats.map { counts.byFormat[$0, default: [:]].values.reduce(0, +) }.max() ?? 1, 1)
        let rowHeight = 24
        var parts: [String] = []
        for (index, format) in formats.enumerated() {
            let byVerdict = counts.byFormat[format, default: [:]]
            let y = index * rowHeight
            var x = 90.0
            parts.append("<text x=\"0\" y=\"\(y + 16)\" class=\"axis\">\(HTMLText.escape(format))</text>")
            for verdict in Verdict.allCases.map(\.rawValue) {
                let count = byVerdict[verdict, default: 0]
                guard count > 0 else { continue }
                let width = Double(count) / Double(largest) * 250
                parts.append(
                    "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(y + 4)\" width=\"\(String(format: "%.1f", width))\" height=\"16\" "
                        + "class=\"v-\(verdict)\"><title>\(HTMLText.escape(format)): \(verdictName(verdict)) \(count)</title></rect>")
                x += width
            }
            parts.append(
                "<text x=\"\(String(format: "%.1f", x + 6))\" y=\"\(y + 16)\" class=\"value\">\(byVerdict.values.reduce(0, +))</text>")
        }
        let legendY = formats.count * rowHeight + 8
        for (index, verdict) in Verdict.allCases.map(\.rawValue).enumerated() {
            let x = index * 100
            parts.append(
                "<rect x=\"\(x)\" y=\"\(legendY)\" width=\"12\" height=\"12\" class=\"v-\(verdict)\"/>"
                    + "<text x=\"\(x + 16)\" y=\"\(legendY + 11)\" class=\"legend\">\(verdictName(verdict))</text>")
        }
        let height = legendY + 20
        return "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 420 \(height)\" width=\"420\" height=\"\(height)\">"
            + "<title>\(text("by.format"))</title>" + parts.joined() + "</svg>"
    }

    /// The ten checks most files failed, with the share of files and the rule.
    private var failingTable: String {
        let top = counts.failing.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
        guard !top.isEmpty else { return "<p>\(text("no.failures"))</p>" }
        let rows = top.map { check, count in
            "<tr><td><code>\(HTMLText.escape(check))</code> \(HTMLText.escape(CheckText.title(check, language)))</td>"
                + "<td class=\"number\">\(count)</td><td class=\"number\">\(Self.percent(count, of: max(counts.files, 1)))</td>"
                + "<td>\(HTMLText.escape(CheckText.table[check]?.rule ?? ""))</td></tr>"
        }
        return "<table class=\"checks\"><thead><tr><th scope=\"col\">\(text("check"))</th><th scope=\"col\">\(text("count"))</th>"
            + "<th scope=\"col\">\(text("share"))</th><th scope=\"col\">\(text("rule"))</th></tr></thead><tbody>"
            + rows.joined() + "</tbody></table>"
    }

    private var scanList: String {
        let started = ISO8601DateFormatter().string(from: scan.started)
        let items = [
            ("paths", scan.paths.joined(separator: ", ")), ("options", scan.options.joined(separator: " ")), ("started", started),
            ("duration", String(format: "%.2f %@", seconds, Phrases.text("seconds", language))), ("tool", scan.tool),
            ("host", scan.host),
        ]
        return "<dl class=\"scan\">" + items.map { "<dt>\(text($0.0))</dt><dd>\(HTMLText.escape($0.1))</dd>" }.joined() + "</dl>"
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        String(format: "%.1f %%", Double(part) * 100 / Double(max(whole, 1)))
    }
}
