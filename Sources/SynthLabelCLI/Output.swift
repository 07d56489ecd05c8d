import Foundation
import SynthLabel
import SynthLabelReports

/// Writes to stdout (results, buffered by stdio: one syscall per many lines) and stderr
/// (diagnostics, unbuffered so they appear at once).
enum Output {
    /// Set while a progress line is on the terminal; results clear it before printing.
    /// Touched only from the thread that prints.
    nonisolated(unsafe) static var progressShown = false

    /// One result line for people: everything a file supplied (names, label fields, messages
    /// quoting them) is shown, never obeyed (`shown(_:)`), so a value holding a line break or a
    /// terminal escape cannot forge a verdict line or retitle the terminal.
    static func line(_ text: String) {
        clearProgress()
        print(shown(text))
    }

    /// Lines for people, each made safe on its own.
    static func lines(_ lines: [String]) {
        clearProgress()
        print(lines.map(shown).joined(separator: "\n"))
    }

    /// Machine-readable output (CSV, JSON), already escaped by its own format's rules.
    static func data(_ text: String) {
        clearProgress()
        print(text)
    }

    /// The text as one line a terminal displays and does not act on: line breaks, tabs and other
    /// C0 and C1 controls, DEL and the bidirectional overrides that reorder what is shown become
    /// escapes (`\n`, `\t`, `\x1B`, `\u{202E}`), and bytes of names that are not UTF-8 `\xNN`.
    static func shown(_ text: String) -> String {
        let text = PathBytes.display(text)
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x80:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F, 0x80..<0xA0: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        default: false
        }
    }

    static func clearProgress() {
        guard progressShown else { return }
        progressShown = false
        standardError("\r\u{1B}[K")
    }

    /// One line on stderr, made safe as `line(_:)` makes results.
    static func diagnostic(_ text: String) {
        clearProgress()
        fflush(nil)
        standardError(shown(text) + "\n")
    }

    /// A diagnostic that something failed: `error: …` (`错误：…` in Chinese).
    static func error(_ text: String) { diagnostic(CLILanguage.errorPrefix + text) }

    /// A diagnostic that something is worth a look: `warning: …` (`警告：…` in Chinese).
    static func warning(_ text: String) { diagnostic(CLILanguage.warningPrefix + text) }

    /// Writes to stderr, ignoring a closed one (FileHandle's write would trap on EPIPE).
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(DecoderNoise.terminal, $0.baseAddress, $0.count) }
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

extension FileReport {
    /// A long value (a SecurityData signature runs to 913 characters) cut for the human form;
    /// `--json` keeps it whole.
    static func shortened(_ value: String) -> String {
        value.count <= 100 ? value : value.prefix(60) + "…(\(value.count) characters)"
    }

    /// The human form, a line each: verdict line, the label, each site, and the checks that did
    /// not pass (every check with `allChecks`). Print with `Output.lines`, which makes each safe.
    func humanLines(allChecks: Bool = false) -> [String] {
        let language = CLILanguage.current
        let say = { (key: String) in Phrases.text(key, language) }
        var lines = ["\(path): \(say("verdict." + verdict.rawValue)) (\(carrier.displayName))"]
        if let label {
            // Producer and platform fields apart: who made it, and who passed it on.
            let groups = [
                (CLILanguage.text(en: "producer", zh: "生成方"), AIGCLabel.Field.producerFields),
                (CLILanguage.text(en: "propagator", zh: "传播方"), AIGCLabel.Field.propagationFields),
            ]
            for (title, fields) in groups {
                let present = fields.compactMap { field in label[field].map { "\(field.rawValue)=\(Self.shortened($0))" } }
                if !present.isEmpty { lines.append("  \(Phrases.padded(title, to: 10)) " + present.joined(separator: " ")) }
            }
        }
        for site in sites {
            lines.append(
                "  \(Phrases.padded(CLILanguage.text(en: "site", zh: "位置"), to: 10)) \(site.location) "
                    + CLILanguage.text(en: "at byte \(site.offset)", zh: "第 \(site.offset) 字节")
                    + (site.isCanonical ? CLILanguage.text(en: " (canonical)", zh: "（规定位置）") : ""))
        }
        // The explicit label found is worth a line of its own, like the label's sites.
        let explicitChecks: Set<Check> = [.caption, .audioPrompt, .textNotice]
        for finding in findings where !allChecks && finding.outcome == .pass && explicitChecks.contains(finding.check) {
            lines.append("  \(Phrases.padded(CLILanguage.text(en: "explicit", zh: "显式标识"), to: 10)) \(finding.message)")
        }
        let watermarkChecks: Set<Check> = [.imageWatermark, .audioWatermark]
        if !allChecks, let watermark, let finding = findings.first(where: { watermarkChecks.contains($0.check) && $0.outcome == .pass }) {
            lines.append(
                "  \(Phrases.padded(CLILanguage.text(en: "watermark", zh: "水印"), to: 10)) \(finding.message)"
                    + CLILanguage.text(en: " (confidence \(watermark.confidence))", zh: "（置信度 \(watermark.confidence)）"))
        }
        for finding in findings
        where !allChecks && finding.outcome == .pass && [.producerSignature, .platformSignature].contains(finding.check) {
            let signer =
                finding.check == .producerSignature
                ? CLILanguage.text(en: "producer", zh: "生成方") : CLILanguage.text(en: "platform", zh: "传播平台")
            lines.append(
                "  \(Phrases.padded(CLILanguage.text(en: "signed", zh: "签名"), to: 10)) \(signer)\(CLILanguage.text(en: ": ", zh: "："))\(finding.message)"
            )
        }
        for finding in findings where allChecks || (finding.outcome != .pass && finding.outcome != .skip) {
            // In Chinese the check's title says what was checked; the library's detail stays as it came.
            let check =
                language == .zh
                ? "\(finding.check.rawValue)（\(CheckText.title(finding.check.rawValue, language))）：" : "\(finding.check.rawValue): "
            lines.append("  \(Phrases.padded(say("outcome." + finding.outcome.rawValue), to: 8)) \(check)\(finding.message)")
        }
        return lines
    }
}
