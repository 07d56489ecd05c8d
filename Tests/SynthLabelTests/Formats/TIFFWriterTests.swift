import Foundation
import Testing

@testable import SynthLabel

/// TIFF labelling on files from netpbm, libtiff's tiffcp (big-endian, several pages) and
/// exiftool, with tifftopnm's pixels, tiffinfo's directories and exiftool as witnesses.
@Suite("TIFF writer")
struct TIFFWriterTests {
    let folder = TemporaryDirectory()

    /// The gradient sample as an uncompressed little-endian TIFF, made by netpbm.
    func netpbmTIFF(_ name: String = "g.tif") throws -> String {
        try folder.made(name, "pngtopam '\(Fixtures.sample("gradient.png"))' | pamtotiff > OUT 2>/dev/null")
    }

    func pixels(_ path: String) throws -> String { try Media.shell("tifftopnm '\(path)' 2>/dev/null | md5sum").stdout }

    func exiftool(_ arguments: [String], _ path: String) throws -> String {
        try Fixtures.run("exiftool", ["-config", Fixtures.exiftoolConfig, "-s3"] + arguments + [path]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Labels `source` into `name` and checks what every TIFF label must hold.
    @discardableResult
    func label(_ source: String, as name: String, id: String) throws -> String {
        let output = folder.file(name)
        try Labeller().label(fileAt: source, with: Fixtures.label(id: id), writingTo: output)
        #expect(try pixels(output) == pixels(source), "the image decodes as before")
        #expect(try exiftool(["-XMP-TC260:AIGC"], output) == Fixtures.label(id: id).innerJSON)
        let info = try Fixtures.run("tiffinfo", [output])
        #expect(info.status == 0 && !info.stderr.contains("Error"), "\(info.stderr)")
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant && report.label?.produceID == id, "\(report.findings)")
        #expect(report.sites.count == 1)
        return output
    }

    @Test func nothingMovesAndRelabellingReplacesWhatWasAppended() throws {
        let source = try netpbmTIFF()
        let output = try label(source, as: "g-labelled.tif", id: "TIF-1")
        let original = Fixtures.read(source)
        let labelled = Fixtures.read(output)
        // Only the pointer to the first directory changes; the rest is appended.
        #expect(Array(labelled[0..<4]) == Array(original[0..<4]))
        #expect(Array(labelled[8..<original.count]) == Array(original[8...]))
        let again = try label(output, as: "g-again.tif", id: "TIF-2")
        // The appended packet and directory were replaced, not added to (the merged packet may
        // differ from the first by a byte of layout).
        #expect(abs(Fixtures.read(again).count - labelled.count) < 64, "\(Fixtures.read(again).count) after \(labelled.count)")
    }

    @Test func bigEndianAndSeveralPagesKeepTheirOrderAndTheirPages() throws {
        let source = try netpbmTIFF()
        let bigEndian = try folder.made("be.tif", "tiffcp -B '\(source)' OUT")
        #expect(Array(Fixtures.read(bigEndian).prefix(2)) == Array("MM".utf8))
        try label(bigEndian, as: "be-labelled.tif", id: "TIF-3")
        let pages = try folder.made("pages.tif", "tiffcp '\(source)' '\(source)' OUT")
        let output = try label(pages, as: "pages-labelled.tif", id: "TIF-4")
        let directories = try Fixtures.run("tiffinfo", [output]).stdout.components(separatedBy: "TIFF Directory at offset").count - 1
        #expect(directories == 2, "both pages are still there")
    }

    @Test func anotherToolsMetadataIsKeptAndAJSONCopyIsFolded() throws {
        let source = try netpbmTIFF()
        let json = Fixtures.label(id: "TIF-5").wrappedJSON
        let run = try Fixtures.run(
            "exiftool", ["-q", "-overwrite_original", "-XMP-dc:Title=hello", "-Make=Camera", "-ImageDescription=\(json)", source])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Fixtures.report(source).sites.map(\.location) == ["TIFF ImageDescription"])
        let output = try label(source, as: "tagged-labelled.tif", id: "TIF-5")
        #expect(try exiftool(["-XMP-dc:Title"], output) == "hello" && exiftool(["-Make"], output) == "Camera")
        #expect(try exiftool(["-ImageDescription"], output).isEmpty, "the JSON copy is blanked, folded into the XMP label")
        let warnings = try Fixtures.run("exiftool", ["-validate", "-warning", "-a", output]).stdout
        #expect(!warnings.contains("0x02bc"), "tag 700 keeps the type exiftool gave it: \(warnings)")
    }

    /// A labelled TIFF cut anywhere or damaged in its first and last KiB: a report or a clear
    /// error, never a crash.
    @Test func cutsAndDamageAreHandled() throws {
        let bytes = Fixtures.read(try label(try netpbmTIFF(), as: "cut-labelled.tif", id: "TIF-6"))
        _ = DamageProbe.run(
            bytes, named: "cut.tif", in: folder, step: bytes.count / 300,
            damaging: Array(0..<1024) + Array((bytes.count - 1024)..<bytes.count), seed: 700)
    }
}
