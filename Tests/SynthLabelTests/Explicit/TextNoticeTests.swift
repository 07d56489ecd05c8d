import Foundation
import Testing

@testable import SynthLabel

/// Notices in plain text and Markdown: placed after front matter, in the file's encoding and
/// line endings, found by `verify`, never doubled.
@Suite struct TextNoticeTests {
    let folder = TemporaryDirectory()

    @Test func plainTextGetsANoticeAndCountsAsLabelled() throws {
        let source = folder.file("story.txt")
        Fixtures.write(Array("第一行。\nSecond line.\n".utf8), to: source)
        #expect(try Fixtures.report(source).verdict == .unlabelled)
        let output = folder.file("story-labelled.txt")
        try Fixtures.labelExplicitly(source, to: output)
        #expect(String(decoding: Fixtures.read(output), as: UTF8.self) == "本内容由人工智能生成\n\n第一行。\nSecond line.\n")
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant)
        #expect(report.findings.first { $0.check == .textNotice }?.message.contains("at the start") == true)
        // Without --explicit, plain text is skipped: it has nowhere to put a label.
        #expect(Fixtures.thrown { _ = try Fixtures.labelFile(source, to: folder.file("nothing.txt")) } == .noMetadataSite(path: source))
    }

    @Test func crlfAndByteOrderMarkAreKeptAndTheEndWorks() throws {
        let source = folder.file("windows.txt")
        Fixtures.write([0xEF, 0xBB, 0xBF] + Array("Line one\r\nLine two".utf8), to: source)
        let output = folder.file("windows-labelled.txt")
        try Fixtures.labelExplicitly(source, to: output) {
            $0.position = .both
            $0.wording = try? PromptWording("【AI生成】")
        }
        let expected = [0xEF, 0xBB, 0xBF] + Array("【AI生成】\r\n\r\nLine one\r\nLine two\r\n\r\n【AI生成】\r\n".utf8)
        #expect(Fixtures.read(output) == expected)
        let message = try Fixtures.report(output).findings.first { $0.check == .textNotice }?.message ?? ""
        #expect(message.contains("at the start") && message.contains("at the end"), "\(message)")
    }

    @Test func gb18030StaysGB18030() throws {
        let source = folder.file("gb.txt")
        try Media.shell("printf '这是一篇由模型写的短文。\\n第二段。\\n' | iconv -f UTF-8 -t GB18030 > '\(source)'")
        let output = folder.file("gb-labelled.txt")
        try Fixtures.labelExplicitly(source, to: output) { $0.position = .end }
        let decoded = try Media.shell("iconv -f GB18030 -t UTF-8 '\(output)'").stdout
        #expect(decoded == "这是一篇由模型写的短文。\n第二段。\n\n本内容由人工智能生成\n")
        #expect(String(validatingUTF8: Fixtures.read(output).map { CChar(bitPattern: $0) } + [0]) == nil)  // not UTF-8
        #expect(try Fixtures.report(output).findings.first { $0.check == .textNotice }?.outcome == .pass)
    }

    @Test func markdownNoticeGoesAfterFrontMatterAndIsNotDoubled() throws {
        let source = folder.file("post.md")
        Fixtures.write(Array("---\ntitle: Hello\n---\n# Heading\n\nBody.\n".utf8), to: source)
        let output = folder.file("post-labelled.md")
        try Fixtures.labelExplicitly(source, to: output)
        let text = String(decoding: Fixtures.read(output), as: UTF8.self)
        #expect(text.hasPrefix("---\ntitle: Hello\n"))
        #expect(text.contains("---\n本内容由人工智能生成\n\n# Heading\n\nBody.\n"), "\(text)")
        #expect(try Fixtures.report(output).label?.produceID == "EX-1")
        let again = folder.file("post-again.md")
        let outcome = try Fixtures.labelExplicitly(output, to: again, id: "EX-2")
        #expect(outcome.explicit?.contains("already") == true)
        #expect(String(decoding: Fixtures.read(again), as: UTF8.self).components(separatedBy: "本内容由人工智能生成").count == 2)
    }

    /// The hidden carrier: read back, replaced (not doubled) on relabelling, kept by NFC and
    /// NFKC, lost when invisible characters are stripped (it is documented as fragile).
    @Test func invisibleCarrierRoundTripsAndIsFragileAsDocumented() throws {
        let source = folder.file("hidden.txt")
        Fixtures.write(Array("正文第一行。\n".utf8), to: source)
        let output = folder.file("hidden-labelled.txt")
        try Labeller(invisibleTextLabel: true).label(fileAt: source, with: Fixtures.label(id: "VS-1"), writingTo: output)
        let text = String(decoding: Fixtures.read(output), as: UTF8.self)
        #expect(text.hasSuffix("正文第一行。\n"))
        #expect(text.unicodeScalars.filter { $0.properties.isVariationSelector }.count > 100)
        let report = try Fixtures.report(output)
        #expect(report.label?.produceID == "VS-1")
        #expect(report.verdict == .compliant)
        // Relabelling replaces the carrier.
        let again = folder.file("hidden-again.txt")
        try Labeller(invisibleTextLabel: true).label(fileAt: output, with: Fixtures.label(id: "VS-2"), writingTo: again)
        #expect(try Fixtures.report(again).label?.produceID == "VS-2")
        #expect(try Fixtures.report(again).sites.count == 1)
        // Unicode normalisation keeps it; stripping invisible characters loses it.
        for form in [text.precomposedStringWithCanonicalMapping, text.precomposedStringWithCompatibilityMapping] {
            let normalised = folder.file("normalised.txt")
            Fixtures.write(Array(form.utf8), to: normalised)
            #expect(try Fixtures.report(normalised).label?.produceID == "VS-1")
        }
        let stripped = folder.file("stripped.txt")
        Fixtures.write(
            Array(String(String.UnicodeScalarView(text.unicodeScalars.filter { !$0.properties.isVariationSelector })).utf8), to: stripped)
        #expect(try Fixtures.report(stripped).label == nil)
        // GB18030 files are refused: the carrier is written in UTF-8 only.
        let gb = folder.file("gb-hidden.txt")
        try Media.shell("printf '第一行。\\n' | iconv -f UTF-8 -t GB18030 > '\(gb)'")
        #expect(throws: SynthLabelError.self) {
            try Labeller(invisibleTextLabel: true).label(fileAt: gb, with: Fixtures.label(), writingTo: folder.file("gb-out.txt"))
        }
    }

    /// With both a notice and a hidden label, the notice line also holds the hidden carrier; the
    /// finding quotes what a reader sees, not the few hundred invisible characters.
    @Test func theNoticeIsQuotedAsAReaderSeesIt() throws {
        let source = folder.file("both.txt")
        Fixtures.write(Array("正文第一行。\n".utf8), to: source)
        let output = folder.file("both-labelled.txt")
        var explicit = ExplicitLabel()
        explicit.position = .start
        try Labeller(explicit: explicit, invisibleTextLabel: true).label(
            fileAt: source, with: Fixtures.label(id: "VS-3"), writingTo: output)
        let report = try Fixtures.report(output)
        let notice = try #require(report.findings.first { $0.check == .textNotice })
        #expect(notice.outcome == .pass && notice.message == "notice \"本内容由人工智能生成\" at the start", "\(notice.message.unicodeScalars.count)")
        #expect(report.label?.produceID == "VS-3")
    }

    @Test func binaryIsRefused() throws {
        let source = folder.file("binary.txt")
        Fixtures.write([0x00, 0xFF, 0x10, 0x00, 0x80], to: source)
        #expect(
            Fixtures.thrown { _ = try Fixtures.labelExplicitly(source, to: folder.file("binary-out.txt")) }
                == .unknownTextEncoding(path: source))
    }

    @Test func wordingRules() {
        #expect(PromptWording.qualifies("本文由AI生成"))
        #expect(PromptWording.qualifies("人工智能合成内容"))
        #expect(!PromptWording.qualifies("AI"))
        #expect(!PromptWording.qualifies("人工智能\n生成"))  // the elements must share a line
        #expect(PromptWording.problem(in: "AI") != nil)
        #expect(PromptWording.problem(in: "生成") != nil)
    }
}
