import Foundation
import Testing

@testable import SynthLabel

/// Captions on PNG and JPEG: every colour form, legible size, metadata carried over, read
/// back by tesseract and found again by `verify`.
@Suite struct CaptionTests {
    let folder = TemporaryDirectory()

    /// An image made by netpbm, then encoded by `encoder` (a shell pipeline reading PNM on stdin).
    func image(_ name: String, generator: String, encoder: String) throws -> String {
        let path = folder.file(name)
        try Media.shell("\(generator) | \(encoder) > '\(path)'")
        return path
    }

    static let photo = "ppmpat -anticamo -randomseed 7 640 480"

    /// Every PNG colour form: depth and colour type are kept, except palette → RGB(A) and low-bit grey → 8-bit.
    @Test(arguments: [
        ("rgb8.png", "ppmpat -anticamo -randomseed 7 640 480", "pnmtopng", 8, 2),
        (
            "rgb16.png",
            "rgb3toppm <(pgmramp -lr -maxval 65535 640 480) <(pgmramp -tb -maxval 65535 640 480) <(pgmramp -diagonal -maxval 65535 640 480)",
            "pnmtopng", 16, 2
        ),
        ("grey8.png", "pgmramp -diagonal 500 320", "pnmtopng", 8, 0),
        ("grey16.png", "pgmramp -diagonal -maxval 65535 500 320", "pnmtopng", 16, 0),
        ("grey2.png", "pgmramp -lr 500 320 | pnmdepth 3", "pnmtopng", 8, 0),
        ("palette.png", "ppmpat -anticamo -randomseed 7 640 480 | pnmquant 16 2>/dev/null", "pnmtopng", 8, 2),
        ("palette-alpha.png", "pgmramp -lr 640 480 | pnmdepth 15 | pgmtoppm rgb:ff/80/00", "pnmtopng -transparent =rgb:00/00/00", 8, 6),
        ("odd-301x211.png", "ppmpat -gingham2 301 211", "pnmtopng -interlace", 8, 2),
    ])
    func pngForms(_ name: String, _ generator: String, _ encoder: String, _ depth: Int, _ colourType: Int) throws {
        let source = try image(name, generator: generator, encoder: encoder)
        let original = try PNGPixels(decoding: Fixtures.read(source))
        if name.hasPrefix("palette") { #expect(original.colorType == 3) }
        if name == "grey2.png" { #expect(original.bitDepth == 2) }
        if name.contains("16") { #expect(original.bitDepth == 16) }
        let output = folder.file("captioned-" + name)
        let outcome = try Fixtures.labelExplicitly(source, to: output)
        #expect(outcome.explicit?.contains("caption \"AI生成\"") == true)

        // libpng reads the result; the form is what the doc comment promises.
        let pixels = try PNGPixels(decoding: Fixtures.read(output))
        #expect(pixels.bitDepth == depth)
        #expect(pixels.colorType == colourType, "\(name)")
        // exiftool finds the label and the caption record beside it.
        #expect(try Fixtures.exiftool("XMP-TC260:AIGC", output).contains("EX-1"))
        // Only the caption box changed.
        let before = try Media.picture(source)
        let after = try Media.picture(output)
        let box = try #require(after.changedBox(from: before))
        let shortest = min(after.width, after.height)
        #expect(box.x + box.width > after.width * 3 / 4 && box.y + box.height > after.height * 3 / 4, "bottom-right: \(box)")
        #expect(box.width < after.width / 2 && box.height < after.height / 3)
        // The text as drawn is at least 5 % of the shortest side.
        let textHeight = after.brightRowSpan(in: box, threshold: 0.55)
        #expect(Double(textHeight) >= 0.05 * Double(shortest), "text \(textHeight) px of \(shortest)")
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant)
        #expect(report.findings.first { $0.check == .caption }?.outcome == .pass, "\(report.findings.filter { $0.check == .caption })")
    }

    @Test func otherChunksAreKeptAndTransparencyStaysOpaqueUnderTheCaption() throws {
        // Alpha falls to zero at the right edge, where the caption goes.
        let alpha = folder.file("alpha.pgm")
        try Media.shell("pgmramp -lr 640 480 | pnminvert > '\(alpha)'")
        let source = try image("alpha.png", generator: Self.photo, encoder: "pnmtopng -alpha='\(alpha)'")
        var bytes = Fixtures.read(source)
        bytes = Containers.png(bytes, inserting: Containers.textChunk("Comment", "keep me"), before: "IDAT")
        bytes = Containers.png(bytes, inserting: Containers.textChunk("Software", "after"), before: "IEND")
        Fixtures.write(bytes, to: source)
        let output = folder.file("alpha-captioned.png")
        try Fixtures.labelExplicitly(source, to: output)
        let chunks = Containers.pngChunks(Fixtures.read(output)).map(\.type)
        let texts = Containers.pngChunks(Fixtures.read(output)).filter { $0.type == "tEXt" }.map {
            String(decoding: $0.bytes, as: UTF8.self)
        }
        #expect(texts.contains { $0.contains("keep me") } && texts.contains { $0.contains("after") })
        #expect(chunks.first == "IHDR" && chunks.last == "IEND")
        let pixels = try PNGPixels(decoding: Fixtures.read(output))
        #expect(pixels.colorType == 6)
        // Where the image was almost clear, the caption's backing makes it at least 78 % opaque.
        let raster = try PNGCodec.makeRaster(pixels, palette: nil, transparency: nil, path: output).0
        let report = try Fixtures.report(output)
        #expect(report.findings.first { $0.check == .caption }?.outcome == .pass)
        let record = try #require(XMPPacket.captionRecord(in: Fixtures.read(output)))
        let corner = (record.box.y + record.box.height - 1) * raster.width + record.box.x + record.box.width - 1
        #expect(raster.sample(corner * 4 + 3) / 255 >= 0.77)
    }

    @Test func tooSmallImagesAreRefusedWithTheMinimumSize() throws {
        let tiny = try image("tiny.png", generator: "ppmmake red 1 1", encoder: "pnmtopng")
        #expect {
            try Fixtures.labelExplicitly(tiny, to: folder.file("tiny-out.png"))
        } throws: { error in
            guard case .imageTooSmallForCaption(tiny, 1, 1, let width, let height, "AI生成") = error as? SynthLabelError else { return false }
            return width > 1 && height > 1
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("tiny-out.png")))
        let run = try Fixtures.synthlabel("label", tiny, "--producer", Fixtures.producer, "--explicit", "--output", folder.file("cli"))
        #expect(run.status == 1)
        #expect(run.stderr.contains("tiny.png: the image (1×1 as displayed) is too small"))
    }

    @Test func theCommandLineLabelsAndVerifyShowsTheCaption() throws {
        let out = folder.file("cli-out")
        let run = try Fixtures.synthlabel(
            "label", Fixtures.sample("clouds.jpg"), "--producer", Fixtures.producer, "--produce-id", "C1", "--explicit",
            "--caption-position", "top-left", "--output", out)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("(JPEG, ProduceID C1; caption \"AI生成\" 18 px high at top-left)"), "\(run.stdout)")
        let verify = try Fixtures.synthlabel("verify", out + "/clouds.jpg")
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("  explicit   caption \"AI生成\" found at 6,6 "), "\(verify.stdout)")
        let bad = try Fixtures.synthlabel(
            "label", Fixtures.sample("clouds.jpg"), "--producer", Fixtures.producer, "--explicit",
            "--caption-position", "middle", "--output", out)
        #expect(bad.status == 2 && bad.stderr.contains("--caption-position must be one of top-left"))
    }

    @Test func wordingWithoutBothElementsIsRefused() throws {
        let run = try Fixtures.synthlabel(
            "label", Fixtures.sample("gradient.png"), "--producer", Fixtures.producer, "--explicit", "--explicit-text", "AI",
            "--output", folder.file("x"))
        #expect(run.status == 2)
        #expect(run.stderr.contains("lacks a generation element"))
        #expect(Fixtures.thrown { _ = try PromptWording("由机器生成") }.map { if case .invalidWording = $0 { true } else { false } } == true)
        for choice in PromptWording.standardChoices { #expect(throws: Never.self) { try PromptWording(choice) } }
    }

    @Test func captioningTwiceDrawsOnce() throws {
        let once = folder.file("once.png")
        try Fixtures.labelExplicitly(Fixtures.sample("gradient.png"), to: once)
        let twice = folder.file("twice.png")
        let outcome = try Fixtures.labelExplicitly(once, to: twice, id: "EX-2")
        #expect(outcome.explicit?.contains("already drawn") == true)
        #expect(try PNGPixels(decoding: Fixtures.read(once)) == PNGPixels(decoding: Fixtures.read(twice)))
    }

    /// EXIF orientation 6 (stored sideways, shown turned 90° clockwise): the caption must land
    /// bottom-right as displayed, upright. jpegtran turns the stored pixels as a viewer would.
    @Test func jpegCaptionFollowsExifOrientation() throws {
        let source = try image("sideways.jpg", generator: "ppmpat -anticamo -randomseed 3 640 400", encoder: "cjpeg -quality 88")
        try Media.shell("exiftool -q -overwrite_original -Orientation#=6 '\(source)'")
        let output = folder.file("sideways-captioned.jpg")
        let outcome = try Fixtures.labelExplicitly(source, to: output)
        #expect(outcome.explicit?.contains("bottom-right") == true)
        #expect(try Fixtures.exiftool("Orientation#", output).trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        let shownBefore = try Media.picture(source, rotatingJPEG: 90)
        let shown = try Media.picture(output, rotatingJPEG: 90)
        #expect(shown.width == 400 && shown.height == 640)
        let box = try #require(shown.changedBox(from: shownBefore, tolerance: 0.2))
        #expect(box.x > shown.width / 2 && box.y > shown.height * 3 / 4, "\(box)")
        let text = try Media.ocr(output, box: box, rotatingJPEG: 90)
        #expect(text.contains("生成") && text.contains("AI"), "tesseract read \(text)")
        #expect(try Fixtures.report(output).findings.first { $0.check == .caption }?.outcome == .pass)
    }

    @Test func jpegKeepsMetadataAndQuality() throws {
        let output = folder.file("meta.jpg")
        try Fixtures.labelExplicitly(Fixtures.sample("with-metadata.jpg"), to: output)
        // The metadata is what metadata-only labelling leaves (which blanks EXIF label copies):
        // every APPn/COM segment other than XMP comes through byte for byte.
        let metadataOnly = folder.file("meta-only.jpg")
        try Fixtures.labelFile(Fixtures.sample("with-metadata.jpg"), to: metadataOnly)
        let before = Containers.jpegSegments(Fixtures.read(metadataOnly)).segments
        let after = Containers.jpegSegments(Fixtures.read(output)).segments
        let kept = { (segments: [(marker: UInt8, bytes: [UInt8])]) in
            segments.filter {
                ($0.marker >= 0xE0 && $0.marker <= 0xEF || $0.marker == 0xFE)
                    && !$0.bytes.dropFirst(4).starts(with: Array("http://ns.adobe.com/xap".utf8))
            }
            .map(\.bytes)
        }
        #expect(kept(after) == kept(before))
        #expect(kept(after).count >= 2)
        let quality = JPEGCodec.estimatedQuality(
            try JPEGAdapter.segments(of: FileSource(bytes: Fixtures.read(Fixtures.sample("with-metadata.jpg")))).segments)
        let qualityAfter = JPEGCodec.estimatedQuality(try JPEGAdapter.segments(of: FileSource(bytes: Fixtures.read(output))).segments)
        #expect(quality != nil && quality == qualityAfter)
    }

    /// tesseract reads the caption back on photos, flat graphics, dark and light backgrounds.
    @Test(arguments: [
        ("photo.png", "ppmpat -anticamo -randomseed 11 800 600", "pnmtopng", "AI生成"),
        ("white.png", "ppmmake white 640 480", "pnmtopng", "AI生成"),
        ("black.jpg", "ppmmake black 640 480", "cjpeg -quality 85", "AI生成"),
        ("gradient.jpg", "pgmramp -diagonal 900 700 | pgmtoppm rgb:ff/c0/40", "cjpeg -quality 75", "AI生成"),
        ("flat-grey.png", "ppmmake rgb:80/80/80 500 500", "pnmtopng", "人工智能合成"),
    ])
    func tesseractReadsTheCaption(_ name: String, _ generator: String, _ encoder: String, _ wording: String) throws {
        let source = try image(name, generator: generator, encoder: encoder)
        let output = folder.file("ocr-" + name)
        try Fixtures.labelExplicitly(source, to: output) { $0.wording = try? PromptWording(wording) }
        let box = try #require(try Media.picture(output).changedBox(from: Media.picture(source), tolerance: 0.05))
        let text = try Media.ocr(output, box: box)
        let aiElement = wording.hasPrefix("AI") ? "AI" : "人工智能"
        let generation = wording.hasSuffix("生成") ? "生成" : "合成"
        #expect(text.contains(aiElement) && text.contains(generation), "tesseract read \"\(text)\" in \(name)")
    }

    @Test func aPaintedOverCaptionFails() throws {
        let captioned = folder.file("covered.png")
        try Fixtures.labelExplicitly(Fixtures.sample("gradient.png"), to: captioned)
        let record = try #require(XMPPacket.captionRecord(in: Fixtures.read(captioned)))
        // Paint the box flat with netpbm, keeping the label chunk: the record stays, the caption goes.
        let flat = folder.file("flat.png")
        try Media.shell(
            "pngtopnm '\(captioned)' | pnmpaste <(ppmmake rgb:30/30/30 \(record.box.width) \(record.box.height)) \(record.box.x) \(record.box.y) | pnmtopng > '\(flat)'"
        )
        let labelChunk = try #require(Containers.pngChunks(Fixtures.read(captioned)).first { $0.type == "iTXt" })
        Fixtures.write(Containers.png(Fixtures.read(flat), inserting: labelChunk.bytes, before: "IDAT"), to: flat)
        let report = try Fixtures.report(flat)
        #expect(report.findings.first { $0.check == .caption }?.outcome == .fail)
        #expect(report.verdict == .noncompliant)
    }
}
