import Foundation
import Testing

@testable import SynthLabel
@testable import SynthLabelReports

/// The pages people look at, opened in headless Chromium (Debian's, driven by Playwright from
/// PyPI through scripts/check-pages.py): the scan report and the service's page, in English and
/// Chinese, with a file name and label values built to break out of the markup.
@Suite("report pages")
struct ReportPageTests {
    let folder = TemporaryDirectory()
    /// What a page must show as text and never run.
    static let hostileName = "<script>window.__synthlabelInjected=true<script> \"onerror=x.png"
    static let hostileProducer = "<script>window.__synthlabelInjected=true</script>"
    static let hostileID = "</textarea><img src=x onerror=\"window.__synthlabelInjected=true\">"

    /// Screenshots go to `$SYNTHLABEL_SCREENSHOTS` when set (docs/ is made that way), else the test's folder.
    var screenshots: String {
        ProcessInfo.processInfo.environment["SYNTHLABEL_SCREENSHOTS"].map { Fixtures.packageRoot.path + "/" + $0 } ?? folder.path
    }

    /// Compliant (a captioned PNG), unlabelled (samples, one under a hostile name) and
    /// noncompliant (a PNG whose label holds markup, under a hostile name: its XMP written by
    /// exiftool) files.
    func tree() throws -> String {
        let tree = folder.file("tree")
        for sub in ["photos", "audio", "text"] {
            try FileManager.default.createDirectory(atPath: tree + "/" + sub, withIntermediateDirectories: true)
        }
        for (name, sub) in [("clouds.jpg", "photos"), ("gradient.jpg", "photos"), ("chirp.wav", "audio"), ("chirp.mp3", "audio")] {
            try FileManager.default.copyItem(atPath: Fixtures.sample(name), toPath: "\(tree)/\(sub)/\(name)")
        }
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: "\(tree)/photos/<img src=x onerror=alert(1)>.png")
        let labelled = try Fixtures.run(
            Fixtures.binary,
            [
                "label", Fixtures.sample("gradient.png"), "--producer", Fixtures.producer, "--explicit", "--output", tree + "/photos",
                "--no-ledger",
            ])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        let json =
            "{\"Label\":\"1\",\"ContentProducer\":\"\(Self.hostileProducer)\",\"ProduceID\":\"\(Self.hostileID.replacingOccurrences(of: "\"", with: "\\\""))\"}"
        let escaped = json.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        let packet = """
            <?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"><TC260:AIGC>\(escaped)</TC260:AIGC></rdf:Description>
            </rdf:RDF></x:xmpmeta><?xpacket end="w"?>
            """
        try packet.write(toFile: folder.file("hostile.xmp"), atomically: true, encoding: .utf8)
        let written = try Fixtures.run(
            "exiftool",
            ["-q", "-xmp<=\(folder.file("hostile.xmp"))", "-o", "\(tree)/text/\(Self.hostileName)", Fixtures.sample("gradient.png")])
        #expect(written.status == 0, "\(written.stderr)")
        return tree
    }

    func pageCheck(_ arguments: [String]) throws -> [String: Any] {
        let run = try Fixtures.run("python3", [Fixtures.packageRoot.path + "/scripts/check-pages.py"] + arguments)
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
    }

    @Test(arguments: Language.allCases) func theScanReportShowsTheScanAndKeepsHostileTextAsText(_ language: Language) throws {
        let tree = try tree()
        let page = folder.file("report.html")
        let scanned = try Fixtures.run(Fixtures.binary, ["scan", tree, "--html", page, "--thumbnails", "--lang", language.rawValue])
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let json = try Fixtures.run(Fixtures.binary, ["scan", tree, "--json"])
        let summary = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["summary"] as? [String: Any])
        let byVerdict = try #require(summary["byVerdict"] as? [String: Int])
        #expect(byVerdict["compliant"] == 1 && byVerdict["noncompliant"] == 1 && byVerdict["unlabelled"] == 5, "\(byVerdict)")

        let seen = try pageCheck(["report", page, screenshots, "--lang", language.rawValue])
        #expect((seen["console"] as? [String])?.isEmpty == true, "\(seen["console"] ?? "")")
        #expect(seen["injected"] as? Bool == false, "nothing a file supplied ran")
        #expect(seen["files"] as? Int == summary["files"] as? Int)
        let shown = try #require(seen["by_verdict"] as? [String: Int])
        for verdict in Verdict.allCases.map(\.rawValue) { #expect(shown[verdict] == byVerdict[verdict, default: 0], "\(verdict)") }
        // Compliant files are counted, not listed; the filter leaves the unlabelled ones.
        #expect(seen["listed"] as? Int == summary["files"] as! Int - byVerdict["compliant", default: 0])
        #expect(
            seen["unlabelled_listed"] as? Int == byVerdict["unlabelled"] && seen["unlabelled_rows_shown"] as? Int == byVerdict["unlabelled"]
        )
        #expect(seen["detail_focused"] as? Bool == true && seen["detail_closed"] as? Bool == true)
        let table = seen["table_text"] as? String ?? ""
        let detail = seen["detail_text"] as? String ?? ""
        #expect(table.contains("<img src=x onerror=alert(1)>.png") || detail.contains(Self.hostileName))
        #expect(detail.contains(Self.hostileName) && detail.contains(Self.hostileProducer))
        #expect(detail.contains(Self.hostileID))
        #expect(detail.contains(language == .zh ? "生成方字段" : "Producer's fields"))
        for view in ["summary", "unlabelled", "detail"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(view)-\(language.rawValue).jpg"))
        }
    }

    @Test(arguments: Language.allCases) func theServicePageVerifiesADroppedFileAndKeepsHostileTextAsText(_ language: Language) throws {
        let tree = try tree()
        let token = "auditor-token-0123456789"
        let config = try ServerProcess.configuration(
            in: folder, token: "producer-token-0123456789", more: ["{ token: \"\(token)\", role: auditor }"], ledger: "none",
            spool: folder.path)
        let (server, port, _) = try ServerProcess.start(config: config, logIn: folder)
        defer { server.terminate() }
        let seen = try pageCheck([
            "service", "http://127.0.0.1:\(port)/", token, "\(tree)/text/\(Self.hostileName)", screenshots, "--lang", language.rawValue,
        ])
        #expect((seen["console"] as? [String])?.isEmpty == true, "\(seen["console"] ?? "")")
        #expect(seen["injected"] as? Bool == false)
        #expect(seen["verdict"] as? String == "noncompliant")
        let text = seen["result_text"] as? String ?? ""
        #expect(text.contains(Self.hostileName) && text.contains(Self.hostileProducer) && text.contains("</textarea>"))
        #expect(text.contains(language == .zh ? "不合规" : "noncompliant"))
    }
}

/// The pages' parts that need no browser.
@Suite("report page parts")
struct ReportPartsTests {
    @Test func escapingLeavesNoMarkup() {
        #expect(HTMLText.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        let json = HTMLText.scriptJSON(["v": "</script><!-- \u{2028} & <b>"])
        #expect(!json.contains("<") && !json.contains(">") && !json.contains("&") && !json.contains("\u{2028}"))
        let back = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(back?["v"] == "</script><!-- \u{2028} & <b>")
    }

    @Test func aReportThatCannotBeWrittenIsAClearErrorAndLeavesNothing() throws {
        let folder = TemporaryDirectory()
        let run = try Fixtures.run(
            Fixtures.binary, ["scan", Fixtures.sample("gradient.png"), "--html", folder.file("missing/report.html")])
        #expect(run.status == 2 && run.stderr.contains("cannot write the report \(folder.file("missing/report.html")): No such file"))
        let written = try Fixtures.run(Fixtures.binary, ["scan", Fixtures.samples, "--html", folder.file("report.html")])
        #expect(written.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.html"], "no .partial left")
    }

    @Test func theLanguageComesFromTheFlagThenTheLocale() {
        #expect(Language.resolve("zh", environment: ["LANG": "en_US.UTF-8"]) == .zh)
        #expect(Language.resolve(nil, environment: ["LANG": "zh_CN.UTF-8"]) == .zh)
        #expect(Language.resolve(nil, environment: ["LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"]) == .en)
        #expect(Language.resolve(nil, environment: [:]) == .en)
    }

    /// Every phrase the script asks for exists, in both languages, and every check has a title
    /// and the rule docs/checks.md gives it.
    @Test func everyPhraseAndCheckHasBothLanguagesAndItsRule() throws {
        let script = PageAssets.script
        let asked = try NSRegularExpression(pattern: "\\bt\\(\"([a-z.]*[a-z])\"[,)]").matches(
            in: script, range: NSRange(script.startIndex..., in: script)
        )
        .compactMap { Range($0.range(at: 1), in: script).map { String(script[$0]) } }
        #expect(asked.count > 30)
        for key in Set(asked) { #expect(Phrases.table[key] != nil, "\(key)") }
        for verdict in Verdict.allCases { #expect(Phrases.table["verdict." + verdict.rawValue] != nil) }
        for entry in Phrases.table.values { #expect(!entry.en.isEmpty && !entry.zh.isEmpty && entry.en != entry.zh) }
        let documented = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/checks.md"), encoding: .utf8)
        for check in Check.allCases {
            let entry = try #require(CheckText.table[check.rawValue], "\(check)")
            #expect(documented.contains("| `\(check.rawValue)` |") && documented.contains(entry.rule), "\(check)")
        }
    }
}
