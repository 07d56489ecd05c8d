import Foundation
import Testing

@testable import SynthLabel

/// The carriers of the later TC260 guides, with test files made by real tools: netpbm,
/// cwebp, ffmpeg, qpdf, exiftool and Python's zipfile.
@Suite("Other carriers")
struct OtherCarrierTests {
    let folder = TemporaryDirectory()
    let label = Fixtures.label(id: "C1")

    func make(_ name: String, _ shell: String) throws -> String {
        let path = folder.file(name)
        let run = try Fixtures.run("/bin/sh", ["-c", shell, path, Fixtures.samples])  // $0 is the output, $1 the samples
        #expect(run.status == 0, "\(run.stderr)")
        return path
    }

    func exiftool(_ arguments: [String], _ path: String) throws {
        let run = try Fixtures.run("exiftool", ["-config", Fixtures.exiftoolConfig, "-q", "-overwrite_original"] + arguments + [path])
        #expect(run.status == 0, "\(run.stderr)")
    }

    var xmpArguments: [String] {
        ["-XMP-TC260:AIGC=\(label.innerJSON)", "-XMP-iptcExt:DigitalSourceType=\(DigitalSourceType.trainedAlgorithmicMedia.rawValue)"]
    }

    func expectCompliant(_ path: String, carrier: Carrier, site: String, canonical: Bool = true) throws {
        let report = try Fixtures.report(path)
        #expect(report.carrier == carrier)
        #expect(report.verdict == .compliant, "\(report.findings.filter { $0.outcome != .pass && $0.outcome != .skip })")
        #expect(report.label?.produceID == "C1")
        #expect(report.sites.map(\.location) == [site])
        #expect(report.sites.first?.isCanonical == canonical)
    }

    @Test func tiffXMPWrittenByExiftool() throws {
        let path = try make("g.tif", "pngtopam \"$1/gradient.png\" | pamtotiff > \"$0\"")
        #expect(try Fixtures.report(path).verdict == .unlabelled)
        try exiftool(xmpArguments, path)
        try expectCompliant(path, carrier: .tiff, site: "TIFF IFD0 XMP (tag 700), element TC260:AIGC")
        let run = try Fixtures.synthlabel("label", path, "--producer", Fixtures.producer, "--in-place", "--no-ledger")
        #expect(run.status == 0 && run.stdout.hasPrefix("labelled: \(path) (TIFF, "), "\(run.stdout)\(run.stderr)")
    }

    @Test func gifXMPWrittenByExiftool() throws {
        let path = try make("g.gif", "pngtopam \"$1/grey-interlaced.png\" | pamtogif > \"$0\"")
        try exiftool(xmpArguments, path)
        try expectCompliant(path, carrier: .gif, site: "GIF XMP application extension, element TC260:AIGC")
    }

    @Test(arguments: ["-q 80", "-lossless"])
    func webpIsLabelledLosslesslyAndReadByExiftool(_ mode: String) throws {
        let path = try make("g.webp", "cwebp -quiet \(mode) \"$1/gradient.png\" -o \"$0\"")
        let output = folder.file("labelled.webp")
        try Fixtures.labelFile(path, to: output, with: label)
        try expectCompliant(output, carrier: .webp, site: "WebP XMP chunk, element TC260:AIGC")
        #expect(try Fixtures.exiftool("XMP-TC260:AIGC", output) == label.innerJSON)
        // The image decodes to the same pixels, and webpinfo finds a well-formed extended file.
        let before = try Fixtures.run("dwebp", [path, "-ppm", "-o", "-"]).stdout
        let after = try Fixtures.run("dwebp", [output, "-ppm", "-o", "-"]).stdout
        #expect(!before.isEmpty && before == after)
        let info = try Fixtures.run("webpinfo", [output])
        #expect(info.status == 0 && info.stdout.contains("XMP"), "\(info.stdout)")
        // Relabelling keeps one XMP chunk.
        try Fixtures.labelFile(output, to: output, with: Fixtures.label(id: "C2"))
        let report = try Fixtures.report(output)
        #expect(report.sites.count == 1 && report.label?.produceID == "C2")
    }

    @Test func webpWithExiftoolXMPIsMerged() throws {
        let path = try make("m.webp", "cwebp -quiet -lossless \"$1/gradient.png\" -o \"$0\"")
        try exiftool(["-XMP-dc:Title=Harbour"], path)
        try Fixtures.labelFile(path, to: path, with: label)
        #expect(try Fixtures.exiftool("XMP-dc:Title", path) == "Harbour")
        try expectCompliant(path, carrier: .webp, site: "WebP XMP chunk, element TC260:AIGC")
    }

    @Test func aviInfoFromFFmpegAndAnAIGCEntry() throws {
        let path = try make(
            "c.avi",
            "ffmpeg -loglevel error -f lavfi -i testsrc=size=64x48:rate=5 -t 1 -c:v mjpeg -metadata 'comment=\(label.wrappedJSON)' \"$0\"")
        let report = try Fixtures.report(path)
        #expect(report.sites.map(\.location) == ["AVI LIST/INFO 'ICMT' entry"])
        #expect(report.findings.contains { $0.check == .canonicalSite && $0.outcome == .warn })
        // A LIST/INFO 'AIGC' entry, the guide's place, appended by code here.
        var bytes = Fixtures.read(path)
        let json = Array(label.wrappedJSON.utf8) + [0]
        var entry = Array("AIGC".utf8)
        entry.appendUInt32LE(UInt32(json.count))
        entry += json + (json.count % 2 == 1 ? [0] : [])
        var list = Array("LIST".utf8)
        list.appendUInt32LE(UInt32(4 + entry.count))
        bytes += list + Array("INFO".utf8) + entry
        bytes.replaceSubrange(4..<8, with: withUnsafeBytes(of: UInt32(bytes.count - 8).littleEndian, Array.init))
        let canonical = folder.file("aigc.avi")
        Fixtures.write(bytes, to: canonical)
        #expect(try Fixtures.report(canonical).sites.map(\.isCanonical) == [false, true])
    }

    @Test func mp4MdtaKeyFromFFmpeg() throws {
        let path = try make(
            "c.m4a",
            "ffmpeg -loglevel error -f lavfi -i sine=d=1 -c:a aac -metadata 'AIGC=\(label.wrappedJSON)' -movflags use_metadata_tags \"$0\"")
        try expectCompliant(path, carrier: .mp4, site: "MP4 moov/udta/meta item AIGC")
        let probe = try Fixtures.run(
            "ffprobe", ["-loglevel", "error", "-show_entries", "format_tags=AIGC", "-of", "default=nw=1:nk=1", path])
        #expect(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == label.wrappedJSON)
    }

    @Test func mp4XMPUUIDBoxFromExiftool() throws {
        let path = try make("x.m4a", "ffmpeg -loglevel error -f lavfi -i sine=d=1 -c:a aac \"$0\"")
        try exiftool(xmpArguments, path)
        let report = try Fixtures.report(path)
        #expect(report.sites.map(\.location) == ["MP4 uuid XMP box, element TC260:AIGC"])
        #expect(report.label?.produceID == "C1")
        #expect(report.findings.contains { $0.check == .canonicalSite && $0.outcome == .warn })  // keys/ilst is the guide's place
    }

    @Test func pdfInfoFromExiftoolAndQpdfVariants() throws {
        let pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        let xrefAt = pdf.utf8.count
        let body =
            pdf
            + "xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n\(xrefAt)\n%%EOF\n"
        let path = folder.file("d.pdf")
        try body.write(toFile: path, atomically: true, encoding: .ascii)
        #expect(try Fixtures.report(path).verdict == .unlabelled)
        try exiftool(["-PDF:AIGC=\(label.wrappedJSON)"], path)  // an incremental update with a classic xref table
        try expectCompliant(path, carrier: .pdf, site: "PDF Info dictionary /AIGC (object 3)")
        let streams = folder.file("streams.pdf")  // cross-reference stream, Info inside an object stream
        #expect(try Fixtures.run("qpdf", ["--object-streams=generate", path, streams]).status == 0)
        #expect(try Fixtures.report(streams).label?.produceID == "C1")
        let rewritten = folder.file("plain.pdf")
        #expect(try Fixtures.run("qpdf", ["--object-streams=disable", path, rewritten]).status == 0)
        #expect(try Fixtures.report(rewritten).label?.produceID == "C1")
    }

    @Test func officeCustomPropertyWrittenByZipfile() throws {
        let script = """
            import sys, zipfile
            value = sys.argv[2].replace('&', '&amp;').replace('<', '&lt;').replace('"', '&quot;')
            custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="AIGC"><vt:lpwstr>' + value + '</vt:lpwstr></property>'
                '</Properties>')
            with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
                z.writestr('word/document.xml', '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
                z.writestr('docProps/custom.xml', custom)
            """
        let path = folder.file("c.docx")
        #expect(try Fixtures.run("python3", ["-c", script, path, label.wrappedJSON]).status == 0)
        try expectCompliant(path, carrier: .office, site: "docProps/custom.xml property AIGC")
    }

    @Test func jpegEXIFCopiesAreReadAndFoldedIntoXMP() throws {
        let path = folder.copy(Fixtures.sample("gradient.jpg"), as: "exif.jpg")
        try exiftool(["-EXIF:UserComment=\(label.wrappedJSON)", "-EXIF:ImageDescription=\(label.wrappedJSON)", "-EXIF:Artist=Kept"], path)
        let before = try Fixtures.report(path)
        #expect(before.sites.map(\.location) == ["EXIF ImageDescription", "EXIF UserComment"])
        #expect(before.verdict == .noncompliant)  // the same label twice
        try Fixtures.labelFile(path, to: path, with: label)
        let after = try Fixtures.report(path)
        #expect(after.sites.map(\.location) == ["APP1 XMP segment, element TC260:AIGC"])
        #expect(after.verdict == .compliant)
        #expect(try Fixtures.exiftool("EXIF:Artist", path) == "Kept")
        #expect(try Fixtures.exiftool("EXIF:UserComment", path) == "")
    }
}
