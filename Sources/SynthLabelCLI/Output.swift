import Foundation
import SynthLabel

/// Writes to stdout (results, buffered by stdio: one syscall per many lines) and stderr
/// (diagnostics, unbuffered so they appear at once).
enum Output {
    /// Set while a progress line is on the terminal; results clear it before printing.
    /// Touched only from the thread that prints.
    nonisolated(unsafe) static var progressShown = false

    /// A result line; bytes of names that are not UTF-8 show as `\xNN`.
    static func line(_ text: String) {
        clearProgress()
        print(PathBytes.display(text))
    }

    static func clearProgress() {
        guard progressShown else { return }
        progressShown = false
        standardError("\r\u{1B}[K")
    }

    static func diagnostic(_ text: String) {
        clearProgress()
        fflush(nil)
        standardError(PathBytes.display(text) + "\n")
    }

    /// Writes to stderr, ignoring a closed one (FileHandle's write would trap on EPIPE).
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    static func json(_ value: some Encodable, pretty: Bool = true) {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }
}

/// The seven Annex E fields by their standard names, for JSON output.
struct LabelJSON: Encodable {
    var fields: [String: String]

    init(_ label: AIGCLabel) {
        fields = Dictionary(uniqueKeysWithValues: AIGCLabel.Field.allCases.map { ($0.rawValue, label[$0] ?? "") })
    }

    func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
    }
}

/// One file of `verify --json`, and one line of `scan --ndjson`.
struct FileReportJSON: Encodable {
    struct Site: Encodable {
        var location: String
        var offset: Int
        var canonical: Bool
        var text: String
        var error: String?
    }

    var path: String
    var format: String?
    var verdict: String
    /// File size in bytes.
    var size: Int?
    var label: LabelJSON?
    var sites: [Site]
    /// Every check with its outcome.
    var checks: [Finding]
    var digitalSourceType: String?
    /// With --watermark-key on PNG and JPEG: what the watermark search found.
    var watermark: WatermarkJSON?
    var error: String?

    struct WatermarkJSON: Encodable {
        var present: Bool
        var confidence: Double
        /// 16 hex digits, only when present.
        var payload: String?
    }

    init(_ report: FileReport) {
        path = report.path
        size = report.size
        format = report.carrier.rawValue
        verdict = report.verdict.rawValue
        label = report.label.map(LabelJSON.init)
        sites = report.sites.map { site in
            var error: String? = nil
            if case .failure(let failure) = site.parsed { error = failure.message }
            return Site(location: site.location, offset: site.offset, canonical: site.isCanonical, text: site.text, error: error)
        }
        checks = report.findings
        digitalSourceType = report.digitalSourceType
        watermark = report.watermark.map { WatermarkJSON(present: $0.present, confidence: $0.confidence, payload: $0.payloadHex) }
    }

    /// A file that could not be read at all: inconclusive, with the reason.
    init(path: String, error: SynthLabelError) {
        self.path = path
        verdict = Verdict.inconclusive.rawValue
        sites = []
        checks = []
        self.error = error.description
    }
}

extension FileReport {
    /// The human form: verdict line, the label, each site, and the checks that did not pass
    /// (every check with `allChecks`).
    func humanDescription(allChecks: Bool = false) -> String {
        var lines = ["\(path): \(verdict.rawValue) (\(carrier.displayName))"]
        if let label {
            // Producer and platform fields apart: who made it, and who passed it on.
            for (title, fields) in [("producer", AIGCLabel.Field.producerFields), ("propagator", AIGCLabel.Field.propagationFields)] {
                let present = fields.compactMap { field in label[field].map { "\(field.rawValue)=\($0)" } }
                if !present.isEmpty {
                    lines.append("  \(title.padding(toLength: 10, withPad: " ", startingAt: 0)) " + present.joined(separator: " "))
                }
            }
        }
        for site in sites {
            lines.append("  site       \(site.location) at byte \(site.offset)\(site.isCanonical ? " (canonical)" : "")")
        }
        // The explicit label found is worth a line of its own, like the label's sites.
        let explicitChecks: Set<Check> = [.caption, .audioPrompt, .textNotice]
        for finding in findings where !allChecks && finding.outcome == .pass && explicitChecks.contains(finding.check) {
            lines.append("  explicit   \(finding.message)")
        }
        let watermarkChecks: Set<Check> = [.imageWatermark, .audioWatermark]
        if !allChecks, let watermark, let finding = findings.first(where: { watermarkChecks.contains($0.check) && $0.outcome == .pass }) {
            lines.append("  watermark  \(finding.message) (confidence \(watermark.confidence))")
        }
        for finding in findings
        where !allChecks && finding.outcome == .pass && [.producerSignature, .platformSignature].contains(finding.check) {
            lines.append("  signed     \(finding.check == .producerSignature ? "producer" : "platform"): \(finding.message)")
        }
        for finding in findings where allChecks || (finding.outcome != .pass && finding.outcome != .skip) {
            lines.append(
                "  \(finding.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(finding.check.rawValue): \(finding.message)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
