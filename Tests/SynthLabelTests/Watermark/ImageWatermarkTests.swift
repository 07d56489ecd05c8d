import Foundation
import Testing

@testable import SynthLabel

/// The image watermark end to end on pictures made by netpbm: invisible (PSNR), found blindly
/// after attacks made by independent tools (libjpeg-turbo's cjpeg, netpbm's pamscale, pamcut,
/// pnmrotate and ppmtopgm), absent where it was never put, and reported by `verify` and the command line.
@Suite("image watermark")
struct ImageWatermarkTests {
    let folder = TemporaryDirectory()
    let key = WatermarkKey(secret: Array("a test watermark key, 32 bytes!!".utf8))
    static let label = Fixtures.label(id: "WM-1")

    /// A 640 × 512 picture: netpbm's camouflage pattern with texture added.
    func picture(_ name: String = "picture.png") throws -> String {
        let path = folder.file(name)
        try Media.texturedPicture(path, seed: 7, noiseSeed: 3)
        return path
    }

    func marked(_ source: String, label: AIGCLabel = label) throws -> String {
        let output = source.replacingOccurrences(of: ".png", with: "-marked.png")
        try Labeller(watermarkKey: key).label(fileAt: source, with: label, writingTo: output)
        return output
    }

    func detection(_ path: String, key: WatermarkKey? = nil) throws -> WatermarkDetection? {
        try Verifier(explicitChecks: false, watermarkKey: key ?? self.key).verify(fileAt: path).watermark
    }

    @Test func theMarkIsInvisibleByPSNRAndKeepsEverythingElse() throws {
        let source = try picture()
        let output = try marked(source)
        let before = try Media.picture(source)
        let after = try Media.picture(output)
        let squared = zip(before.samples, after.samples).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) }
        let psnr = 10 * log10(255 * 255 / (squared / Double(before.samples.count)))
        #expect(psnr >= 40, "PSNR \(psnr)")
        #expect(try Fixtures.report(output).verdict == .compliant)
        #expect(try detection(output)?.payload == ImageWatermark(key: key).payload(for: Self.label))
    }

    /// Attacks by independent tools on the marked picture (decoded by pngtopnm); the whole
    /// 64-bit payload must come back.
    @Test(arguments: [
        ("jpeg q50 (4:2:0)", "cjpeg -quality 50", "jpg"),
        ("resize 0.5", "pamscale 0.5 | pnmtopng", "png"),
        ("resize 0.75 then jpeg q75", "pamscale 0.75 | cjpeg -quality 75", "jpg"),
        ("crop 10 % each side", "pamcut -left 64 -top 51 -width 512 -height 410 | cjpeg -quality 90", "jpg"),
        ("off-centre crop to 60 %", "pamcut -left 150 -top 20 -width 490 -height 430 | pnmtopng", "png"),
        ("greyscale", "ppmtopgm | pnmtopng", "png"),
        ("rotate 2° (the canvas grows)", "pnmrotate 2 | pnmtopng", "png"),
        ("rotate −1.5° then jpeg q80", "pnmrotate -1.5 | cjpeg -quality 80", "jpg"),
    ])
    func survives(_ name: String, _ pipeline: String, _ extension: String) throws {
        let output = try marked(try picture())
        let attacked = folder.file("attacked.\(`extension`)")
        try Media.shell("pngtopnm '\(output)' | \(pipeline) > '\(attacked)'")
        let found = try #require(try detection(attacked), "\(name)")
        #expect(found.present, "\(name)")
        #expect(found.payloadHex == WatermarkDetection.hex(ImageWatermark(key: key).payload(for: Self.label)), "\(name)")
    }

    /// The two period estimates on their own, on the marked picture halved by pamscale: the
    /// strips' comb and the fold sweep (the fallback for texture) each name the 64-pixel tile.
    @Test func bothPeriodEstimatesFindAHalvedTile() throws {
        let halved = folder.file("halved.png")
        try Media.shell("pngtopnm '\(try marked(try picture()))' | pamscale 0.5 | pnmtopng > '\(halved)'")
        let pixels = try PNGCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: halved))), path: halved).raster
        let residual = ImageWatermark.weightedResidual(LumaPlane(pixels, orientation: .normal))
        let strips = ImageWatermark.periodPairs(residual)
        #expect(abs(strips[0].x - 64) < 0.3 && abs(strips[0].y - 64) < 0.3, "strips: \(strips.prefix(3))")
        let swept = ImageWatermark.foldEnergyPeriods(residual.centre(ImageWatermark.sweepSide))
        #expect(abs(swept[0] - 64) < 0.3, "sweep: \(swept)")
    }

    @Test func nothingIsFoundWhereNoMarkWasPutOrUnderAnotherKey() throws {
        let source = try picture()
        let unmarked = try #require(try detection(source))
        #expect(!unmarked.present && unmarked.payload == nil && unmarked.confidence < 0.5)
        let other = WatermarkKey(secret: [UInt8](repeating: 9, count: 32))
        #expect(try detection(try marked(source), key: other)?.present == false)
        #expect(try detection(Fixtures.sample("gradient.png"))?.present == false)
    }

    @Test(arguments: [
        ("grey.png", "pgmramp -diagonal 400 300 | pamarith -add - <(pgmnoise -randomseed 2 400 300 | pamfunc -divisor 16) | pnmtopng"),
        ("rgba.png", "ppmpat -anticamo -randomseed 5 400 300 | pnmtopng -alpha <(pgmramp -lr 400 300)"),
        ("grey16.png", "pgmramp -diagonal -maxval 65535 400 300 | pnmtopng"),
    ])
    func everyPNGFormKeepsItsFormAndCarriesTheMark(_ name: String, _ pipeline: String) throws {
        let source = folder.file(name)
        try Media.shell("\(pipeline) > '\(source)'")
        let output = try marked(source)
        let header = { (path: String) in Array(Fixtures.read(path)[24..<26]) }  // bit depth, colour type
        #expect(header(output) == header(source))
        #expect(try detection(output)?.present == true)
        if name == "rgba.png" {
            // Alpha is never touched.
            let alpha = { (path: String) in try Media.shell("pngtopnm -alpha '\(path)' | md5sum").stdout }
            #expect(try alpha(output) == alpha(source))
        }
    }

    @Test func smallImagesAreRefusedWithTheMinimumSize() throws {
        let source = folder.file("small.png")
        try Media.shell("ppmpat -anticamo 300 200 | pnmtopng > '\(source)'")
        #expect {
            try Labeller(watermarkKey: key).label(fileAt: source, with: Self.label, writingTo: folder.file("out.png"))
        } throws: { $0 as? SynthLabelError == .imageTooSmallForWatermark(path: source, width: 300, height: 200, minimum: 256) }
    }

    @Test func aSecondMarkIsRefusedAndTheSameOneNotAddedTwice() throws {
        let output = try marked(try picture())
        #expect {
            try Labeller(watermarkKey: key).label(fileAt: output, with: Fixtures.label(id: "WM-2"), writingTo: output)
        } throws: { error in
            if case .markedForAnotherLabel(output, _) = error as? SynthLabelError { true } else { false }
        }
        let again = folder.file("again.png")
        try Labeller(watermarkKey: key).label(fileAt: output, with: Self.label, writingTo: again)
        #expect(try Media.picture(again).samples == Media.picture(output).samples)
    }

    @Test func theCheckPassesWarnsAndFails() throws {
        let source = try picture()
        let output = try marked(source)
        let finding = { (path: String) in
            try Verifier(explicitChecks: false, watermarkKey: self.key).verify(fileAt: path).findings.first { $0.check == .imageWatermark }
        }
        #expect(try finding(output)?.outcome == .pass)
        // A label without the mark: warn.
        let plain = folder.file("plain.png")
        try Fixtures.labelFile(source, to: plain)
        #expect(try finding(plain)?.outcome == .warn)
        // The mark belongs to another label than the one now in the file: fail.
        let relabelled = folder.file("relabelled.png")
        try Fixtures.labelFile(output, to: relabelled, with: Fixtures.label(id: "OTHER"))
        #expect(try finding(relabelled)?.outcome == .fail)
        #expect(try Fixtures.report(relabelled).verdict == .compliant, "without a watermark key nothing is decoded")
        // The metadata stripped: the mark alone still says AI-generated.
        let stripped = folder.file("stripped.png")
        try Media.shell("pngtopnm '\(output)' | pnmtopng > '\(stripped)'")
        let alone = try #require(try finding(stripped))
        #expect(alone.outcome == .pass && alone.message.hasPrefix("AI-generated"))
    }

    @Test func theCommandLineMarksRecordsAndFindsTheMarkAfterMetadataIsStripped() throws {
        let source = try picture()
        let ledger = folder.file("ledger.sqlite")
        let environment = ["SYNTHLABEL_LEDGER": ledger]
        let keys = try Fixtures.run(Fixtures.binary, ["keys", "generate", "--algorithm", "watermark", "--out", folder.file("mark")])
        #expect(keys.status == 0 && keys.stdout.contains("mode 0600"))
        let keyFile = folder.file("mark.key")
        #expect(
            try Fixtures.run(
                Fixtures.binary, ["label", source, "--producer", Fixtures.producer, "--watermark", "--output", folder.file("x")]
            ).status == 2)

        let label = try Fixtures.run(
            Fixtures.binary,
            [
                "label", source, "--producer", Fixtures.producer, "--produce-id", "CLI-1", "--watermark", "--watermark-key", keyFile,
                "--output",
                folder.file("out"), "--json",
            ], environment: environment)
        #expect(label.status == 0, "\(label.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(label.stdout.utf8)) as! [String: Any]
        let payload = try #require(((document["files"] as! [[String: Any]]).first?["watermark"]) as? String)
        #expect(payload.count == 16)

        let stripped = folder.file("stripped.jpg")
        try Media.shell("pngtopnm '\(folder.file("out/picture.png"))' | cjpeg -quality 80 > '\(stripped)'")
        let verify = try Fixtures.run(Fixtures.binary, ["verify", stripped, "--watermark-key", keyFile, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as! [String: [[String: Any]]]
        let mark = try #require(report["files"]?.first?["watermark"] as? [String: Any])
        #expect(mark["present"] as? Bool == true)
        #expect(mark["payload"] as? String == payload)
        #expect((mark["confidence"] as? Double ?? 0) > 0.99)
        #expect(report["files"]?.first?["verdict"] as? String == "unlabelled")

        let find = try Fixtures.run(Fixtures.binary, ["ledger", "find", "--watermark", payload, "--ledger", ledger])
        #expect(find.status == 0 && find.stdout.contains("ProduceID=CLI-1"))
        let human = try Fixtures.run(Fixtures.binary, ["verify", stripped, "--watermark-key", keyFile])
        #expect(human.stdout.contains("watermark  AI-generated: watermark \(payload) found though the metadata label is gone"))
    }
}
