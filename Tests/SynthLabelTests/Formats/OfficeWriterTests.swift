import Foundation
import Testing

@testable import SynthLabel

/// Office labelling on DOCX and PPTX files made by pandoc, with unzip, Python's zipfile and
/// pandoc (which reads the DOCX back) as witnesses.
@Suite("Office writer")
struct OfficeWriterTests {
    let folder = TemporaryDirectory()

    /// A document from pandoc; its front matter's `reviewer` becomes a custom property.
    func pandoc(_ name: String, paragraphs: Int = 1) throws -> String {
        let markdown = folder.file("source.md")
        let body = (1...paragraphs).map { "Hello, generated world, paragraph \($0) of \(paragraphs).\n" }.joined(separator: "\n")
        try "---\ntitle: T\nreviewer: someone\n---\n\n\(body)".write(toFile: markdown, atomically: true, encoding: .utf8)
        let path = folder.file(name)
        try Media.shell("pandoc '\(markdown)' -o '\(path)'")
        return path
    }

    /// Python's zipfile: every entry's name and contents (as hex), after testzip found no bad CRC.
    func entries(_ path: String) throws -> [String: String] {
        let script = """
            import json, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(json.dumps({i.filename: z.read(i.filename).hex() for i in z.infolist()}))
            """
        let run = try Fixtures.run("python3", ["-c", script, path])
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode([String: String].self, from: Data(run.stdout.utf8))
    }

    func text(_ hex: String?) -> String {
        let bytes = stride(from: 0, to: hex?.count ?? 0, by: 2).compactMap { offset -> UInt8? in
            guard let hex else { return nil }
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Labels `source` into `name` and checks what every Office label must hold; returns the
    /// labelled archive's entries.
    @discardableResult
    func label(_ source: String, as name: String, id: String) throws -> [String: String] {
        let output = folder.file(name)
        try Labeller().label(fileAt: source, with: Fixtures.label(id: id), writingTo: output)
        #expect(try Fixtures.run("unzip", ["-tq", output]).status == 0)
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant && report.label?.produceID == id, "\(report.findings)")
        #expect(report.sites.count == 1)
        let before = try entries(source)
        let after = try entries(output)
        // Every part but the three the label may touch is the same, byte for byte.
        let touched: Set<String> = [OfficeAdapter.customPart, OfficeAdapter.contentTypesPart, OfficeAdapter.relationshipsPart]
        #expect(before.filter { !touched.contains($0.key) } == after.filter { !touched.contains($0.key) })
        #expect(
            OfficeAdapter.propertyValues(named: "AIGC", in: text(after[OfficeAdapter.customPart])) == [Fixtures.label(id: id).wrappedJSON])
        return after
    }

    @Test func aDocxKeepsItsOtherPropertiesAndReadsBackInPandoc() throws {
        let source = try pandoc("a.docx")
        let after = try label(source, as: "a-labelled.docx", id: "DOC-1")
        #expect(OfficeAdapter.propertyValues(named: "reviewer", in: text(after[OfficeAdapter.customPart])) == ["someone"])
        let read = try Media.shell("pandoc -f docx -t plain '\(folder.file("a-labelled.docx"))'").stdout
        #expect(read.contains("Hello, generated world, paragraph 1 of 1."))
        // Labelling again replaces the property: one AIGC, the new ID.
        try label(folder.file("a-labelled.docx"), as: "a-again.docx", id: "DOC-2")
    }

    @Test func aPresentationIsLabelledToo() throws {
        try label(try pandoc("slides.pptx"), as: "slides-labelled.pptx", id: "PPT-1")
    }

    /// Without a custom part, the label adds one and declares it: an override in
    /// `[Content_Types].xml` and a relationship in `_rels/.rels`.
    @Test func aDocumentWithoutCustomPropertiesGetsThePartAndItsDeclarations() throws {
        let source = try pandoc("full.docx")
        let stripped = folder.file("bare.docx")
        let script = """
            import sys, zipfile
            source = zipfile.ZipFile(sys.argv[1])
            with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as out:
                for info in source.infolist():
                    if info.filename == 'docProps/custom.xml':
                        continue
                    data = source.read(info.filename)
                    if info.filename in ('[Content_Types].xml', '_rels/.rels'):
                        import re
                        data = re.sub(rb'<(Override|Relationship)[^>]*custom[^>]*/>', b'', data)
                    out.writestr(info, data)
            """
        #expect(try Fixtures.run("python3", ["-c", script, source, stripped]).status == 0)
        #expect(try Fixtures.report(stripped).verdict == .unlabelled)
        let after = try label(stripped, as: "bare-labelled.docx", id: "DOC-3")
        #expect(text(after[OfficeAdapter.contentTypesPart]).contains("PartName=\"/docProps/custom.xml\""))
        #expect(text(after[OfficeAdapter.relationshipsPart]).contains(OfficeAdapter.customRelationship))
        #expect(try Media.shell("pandoc -f docx -t plain '\(folder.file("bare-labelled.docx"))'").stdout.contains("Hello"))
    }

    /// The explicit label of a Word document: a notice paragraph at the start and the end of the
    /// body, which pandoc reads as the text's first and last lines; not written twice; and none in
    /// a presentation, which has no body text.
    @Test func aWordDocumentGetsANoticeParagraphAndAPresentationNone() throws {
        let source = try pandoc("notice.docx", paragraphs: 3)
        let output = folder.file("notice-labelled.docx")
        var explicit = ExplicitLabel()
        explicit.position = .both
        let outcome = try Labeller(explicit: explicit).label(fileAt: source, with: Fixtures.label(id: "DOC-5"), writingTo: output)
        #expect(outcome.explicit == "notice \"本内容由人工智能生成\" at the start and the end")
        let lines = try Media.shell("pandoc -f docx -t plain '\(output)'").stdout.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.first == "本内容由人工智能生成" && lines.last == "本内容由人工智能生成", "\(lines)")
        #expect(lines.contains("Hello, generated world, paragraph 2 of 3."))
        let report = try Fixtures.report(output)
        let notice = report.findings.first { $0.check == .textNotice }
        #expect(report.verdict == .compliant && notice?.outcome == .pass, "\(report.findings)")
        #expect(
            try entries(output).filter { $0.key != DocumentNotice.documentPart && $0.key != OfficeAdapter.customPart }
                == entries(source).filter { $0.key != DocumentNotice.documentPart && $0.key != OfficeAdapter.customPart })

        let again = try Labeller(explicit: explicit).label(
            fileAt: output, with: Fixtures.label(id: "DOC-6"), writingTo: folder.file("notice-again.docx"))
        #expect(again.explicit?.contains("already") == true)
        #expect(try Fixtures.report(source).findings.first { $0.check == .textNotice }?.outcome == .warn)

        let slides = try Labeller(explicit: explicit).label(
            fileAt: try pandoc("notice.pptx"), with: Fixtures.label(id: "PPT-2"), writingTo: folder.file("notice.pptx"))
        #expect(slides.explicit == "no notice is written into presentations and workbooks yet")
    }

    /// The signature binds every part but the label's own and the directory; a platform's
    /// propagation, which rewrites those, leaves the producer's signature holding.
    @Test func aSignatureBindsThePartsAndSurvivesPropagation() throws {
        // Long enough that the middle byte is the document's, not the label's.
        let source = try pandoc("signed.docx", paragraphs: 2000)
        let signed = folder.file("signed-labelled.docx")
        try Fixtures.expectSignatureBindsTheMiddle(of: source, writingTo: signed, keyName: folder.file("office")) {
            let key = try PublicKey(contentsOf: folder.file("office.pub"))
            let propagated = folder.file("signed-propagated.docx")
            try Labeller().label(
                fileAt: signed, request: .propagate(Propagation(propagator: "001191110105MA01ABCD2620001", propagateID: "P-DOC")),
                writingTo: propagated)
            let finding = try Verifier(trustedKeys: [key]).verify(fileAt: propagated).findings.first { $0.check == .producerSignature }
            #expect(
                finding?.outcome == .pass && finding?.message.contains("content binding holds") == true, "\(String(describing: finding))")
        }
    }

    /// A labelled document cut anywhere or damaged in its central directory: a report or a
    /// clear error, never a crash.
    @Test func cutsAndDamageAreHandled() throws {
        try label(try pandoc("cut.docx"), as: "cut-labelled.docx", id: "DOC-4")
        let bytes = Fixtures.read(folder.file("cut-labelled.docx"))
        _ = DamageProbe.run(
            bytes, named: "cut.docx", in: folder, step: bytes.count / 200, damaging: Array((bytes.count - 2048)..<bytes.count), seed: 2007)
    }
}
