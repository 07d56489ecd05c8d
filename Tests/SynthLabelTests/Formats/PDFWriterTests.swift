import Foundation
import Testing

@testable import SynthLabel

/// PDF labelling by incremental update, on PDFs from tesseract and qpdf and one written by hand,
/// with qpdf and exiftool as witnesses: the original bytes come first and unchanged, the file
/// checks clean, the Info dictionary's other entries survive, and the newest revision says the label.
@Suite("PDF writer")
struct PDFWriterTests {
    let folder = TemporaryDirectory()

    /// A one-page PDF with its text layer, made by tesseract (classic cross-reference table).
    func tesseractPDF() throws -> String {
        let base = folder.file("ocr")
        try Media.shell("tesseract '\(Fixtures.sample("gradient.png"))' '\(base)' pdf 2>/dev/null")
        return base + ".pdf"
    }

    /// A hand-written PDF whose Info dictionary holds each kind of value the writer must carry
    /// over: a literal string with parentheses, an escaped name, a reference, an array, a
    /// boolean, a real number and a nested dictionary.
    func handWrittenPDF() throws -> String {
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>",
            "<< /Title (Report \\(draft\\) 1) /Author 4 0 R /Custom#20Key /Some#23Name /Keywords [(a) (b)] /Trapped false /Ratio 0.25 /Nested << /A 1 >> >>",
            "(Studio)",
        ]
        for (index, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 5\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
        pdf += "trailer\n<< /Size 5 /Root 1 0 R /Info 3 0 R /ID [<0011> <0011>] >>\nstartxref\n\(xref)\n%%EOF"  // no final EOL
        let path = folder.file("hand.pdf")
        try pdf.write(toFile: path, atomically: true, encoding: .ascii)
        return path
    }

    func qpdfChecksClean(_ path: String) throws {
        let check = try Fixtures.run("qpdf", ["--check", path])
        #expect(check.status == 0 && check.stdout.contains("No syntax or stream encoding errors"), "\(check.stdout)\(check.stderr)")
    }

    func exiftoolAIGC(_ path: String) throws -> String {
        try Fixtures.run("exiftool", ["-s3", "-PDF:AIGC", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Labels `source` into `name` and checks what every PDF label must hold.
    @discardableResult
    func label(_ source: String, as name: String, id: String) throws -> String {
        let output = folder.file(name)
        try Labeller().label(fileAt: source, with: Fixtures.label(id: id), writingTo: output)
        let original = Fixtures.read(source)
        let labelled = Fixtures.read(output)
        #expect(Array(labelled.prefix(original.count)) == original, "the original bytes come first, unchanged")
        try qpdfChecksClean(output)
        #expect(try exiftoolAIGC(output) == Fixtures.label(id: id).wrappedJSON)
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant && report.label?.produceID == id, "\(report.findings)")
        #expect(report.sites.count == 1)
        return output
    }

    @Test func aTesseractPDFGetsAnUpdateWithAClassicTable() throws {
        let source = try tesseractPDF()
        let output = try label(source, as: "ocr-labelled.pdf", id: "PDF-1")
        let appended = String(decoding: Fixtures.read(output).dropFirst(Fixtures.read(source).count), as: UTF8.self)
        #expect(appended.contains("\nxref\n") && appended.hasSuffix("%%EOF\n"), "\(appended.suffix(200))")
        let producer = try Fixtures.run("exiftool", ["-s3", "-PDF:Producer", output]).stdout
        #expect(producer.hasPrefix("Tesseract"), "the Info dictionary's other entries are kept: \(producer)")
        // Labelling again appends another revision; the newest label is the document's.
        try label(output, as: "ocr-again.pdf", id: "PDF-2")
    }

    @Test func aCrossReferenceStreamFileIsAnsweredWithAStream() throws {
        let streams = folder.file("streams.pdf")
        #expect(try Fixtures.run("qpdf", ["--object-streams=generate", try tesseractPDF(), streams]).status == 0)
        let output = try label(streams, as: "streams-labelled.pdf", id: "PDF-3")
        let appended = String(decoding: Fixtures.read(output).dropFirst(Fixtures.read(streams).count), as: Unicode.ASCII.self)
        #expect(appended.contains("/Type /XRef") && !appended.contains("\nxref\n"), "\(appended.suffix(300))")
        let propagated = folder.file("streams-propagated.pdf")
        try Labeller().label(
            fileAt: output, request: .propagate(Propagation(propagator: "001191110105MA01ABCD2620001", propagateID: "P-PDF")),
            writingTo: propagated)
        try qpdfChecksClean(propagated)
        let report = try Fixtures.report(propagated)
        #expect(report.label?.produceID == "PDF-3" && report.label?[.propagateID] == "P-PDF")
    }

    @Test func everyInfoValueIsCarriedOverAndAFileWithoutAFinalNewlineWorks() throws {
        let output = try label(try handWrittenPDF(), as: "hand-labelled.pdf", id: "PDF-4")
        let shown = try Fixtures.run("qpdf", ["--show-object=3", output]).stdout
        let parts = [
            "/Title (Report \\(draft\\) 1)", "/Author 4 0 R", "/Custom#20Key", "/Keywords [ (a) (b) ]", "/Trapped false", "/Ratio 0.25",
            "/Nested << /A 1 >>",
        ]
        for part in parts { #expect(shown.contains(part), "\(part) in \(shown)") }
        // Names are written as they were read, their escapes included.
        #expect(String(decoding: Fixtures.read(output), as: UTF8.self).contains("/Custom#20Key /Some#23Name"))
        let trailer = try Fixtures.run("qpdf", ["--show-object=trailer", output]).stdout
        #expect(trailer.contains("/ID [ <0011> <0011> ]") && trailer.contains("/Root 1 0 R"), "\(trailer)")
    }

    /// The label owns the updates it appended, so a signature binds the original revision, and a
    /// platform's propagation (one more such update) leaves the producer's signature holding.
    @Test func aSignatureBindsTheOriginalAndSurvivesPropagation() throws {
        let source = try tesseractPDF()
        let signed = folder.file("signed.pdf")
        try Fixtures.expectSignatureBindsTheMiddle(of: source, writingTo: signed, keyName: folder.file("pdf")) {
            try qpdfChecksClean(signed)
            let propagated = folder.file("signed-propagated.pdf")
            try Labeller().label(
                fileAt: signed, request: .propagate(Propagation(propagator: "001191110105MA01ABCD2620001", propagateID: "P-PDF")),
                writingTo: propagated)
            let key = try PublicKey(contentsOf: folder.file("pdf.pub"))
            let finding = try Verifier(trustedKeys: [key]).verify(fileAt: propagated).findings.first { $0.check == .producerSignature }
            #expect(
                finding?.outcome == .pass && finding?.message.contains("content binding holds") == true, "\(String(describing: finding))")
        }
    }

    @Test func aPDFWithoutInfoGetsOne() throws {
        let pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        let body =
            pdf + "xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\n"
            + "startxref\n\(pdf.utf8.count)\n%%EOF\n"
        let path = folder.file("bare.pdf")
        try body.write(toFile: path, atomically: true, encoding: .ascii)
        let output = try label(path, as: "bare-labelled.pdf", id: "PDF-5")
        #expect(try Fixtures.report(output).sites.first?.location == "PDF Info dictionary /AIGC (object 3)")
    }

    @Test func anEncryptedPDFIsRefusedAndLeftAlone() throws {
        let encrypted = folder.file("locked.pdf")
        #expect(try Fixtures.run("qpdf", ["--encrypt", "user", "owner", "256", "--", try tesseractPDF(), encrypted]).status == 0)
        let error = Fixtures.thrown { try Labeller().label(fileAt: encrypted, with: Fixtures.label(), writingTo: folder.file("x.pdf")) }
        #expect("\(error.map(String.init(describing:)) ?? "")".contains("encrypted PDF"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("x.pdf")))
    }

    /// A labelled PDF cut anywhere in its last 3 KiB (where the structure a reader needs lives)
    /// or damaged there: a report or a clear error, never a crash, and never compliant once the
    /// cut reaches past the `%%EOF` marker into the cross-reference data.
    @Test func cutsAndDamageNearTheEndAreHandled() throws {
        let bytes = Fixtures.read(try label(try tesseractPDF(), as: "cut-source.pdf", id: "PDF-6"))
        let compliant = DamageProbe.run(
            bytes, named: "cut.pdf", in: folder, cutsFrom: bytes.count - 3000, step: 7, damaging: Array((bytes.count - 2048)..<bytes.count),
            seed: 45438)
        #expect(compliant.allSatisfy { $0 >= bytes.count - "%%EOF\n".count }, "cuts judged compliant: \(compliant)")
    }
}
