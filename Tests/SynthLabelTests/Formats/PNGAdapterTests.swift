import Foundation
import Testing

@testable import SynthLabel

@Suite("PNG adapter")
struct PNGAdapterTests {
    let folder = TemporaryDirectory()

    @Test(arguments: ["gradient.png", "grey-interlaced.png"])
    func labelsLosslesslyBeforeIDAT(_ name: String) throws {
        let source = Fixtures.sample(name)
        let output = folder.file(name)
        try Fixtures.labelFile(source, to: output)

        let before = Fixtures.read(source)
        let after = Fixtures.read(output)
        #expect(try PNGPixels(decoding: before) == PNGPixels(decoding: after))
        // Every original chunk is still there, byte for byte, in order; ours is the only addition.
        let added = Containers.pngChunks(after).filter { $0.type == "iTXt" }
        #expect(added.count == 1)
        #expect(Containers.pngChunks(after).filter { $0.type != "iTXt" }.map(\.bytes) == Containers.pngChunks(before).map(\.bytes))
        let types = Containers.pngChunks(after).map(\.type)
        #expect(types.firstIndex(of: "iTXt")! < types.firstIndex(of: "IDAT")!)

        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant)
        #expect(report.sites.count == 1 && report.sites[0].isCanonical)
        #expect(report.label == Fixtures.label())
    }

    @Test func exiftoolReadsTheLabelAndSourceType() throws {
        let output = folder.file("witness.png")
        try Fixtures.labelFile(Fixtures.sample("gradient.png"), to: output)
        #expect(try Fixtures.exiftool("XMP-TC260:AIGC", output) == Fixtures.label().innerJSON)
        #expect(try Fixtures.exiftool("XMP-iptcExt:DigitalSourceType", output) == DigitalSourceType.trainedAlgorithmicMedia.rawValue)
        let warnings = try Fixtures.run("exiftool", ["-validate", "-warning", "-a", output]).stdout
        #expect(!warnings.contains("Warning"), "\(warnings)")
    }

    @Test func relabellingReplacesTheLabel() throws {
        let path = folder.copy(Fixtures.sample("gradient.png"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "first"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "second"))
        let report = try Fixtures.report(path)
        #expect(report.sites.count == 1)
        #expect(report.label?.produceID == "second")
        #expect(Containers.pngChunks(Fixtures.read(path)).filter { $0.type == "iTXt" }.count == 1)
    }

    @Test func mergesIntoAnExistingXMPPacketWrittenByExiftool() throws {
        let path = folder.copy(Fixtures.sample("gradient.png"))
        try Fixtures.run("exiftool", ["-q", "-overwrite_original", "-XMP-dc:Title=Harbour at dusk", "-XMP-dc:Creator=Studio", path])
        try Fixtures.labelFile(path, to: path)
        #expect(try Fixtures.exiftool("XMP-dc:Title", path) == "Harbour at dusk")
        #expect(try Fixtures.exiftool("XMP-dc:Creator", path) == "Studio")
        #expect(try Fixtures.exiftool("XMP-TC260:AIGC", path) == Fixtures.label().innerJSON)
        #expect(Containers.pngChunks(Fixtures.read(path)).filter { $0.type == "iTXt" }.count == 1)
    }

    @Test func foldsOtherLabelSitesIntoTheCanonicalOne() throws {
        let original = Fixtures.read(Fixtures.sample("gradient.png"))
        let old = Fixtures.label(id: "old").wrappedJSON
        // A generator's tEXt "AIGC" chunk before IDAT and a bare-JSON one after it.
        var bytes = Containers.png(original, inserting: Containers.textChunk("AIGC", old), before: "IDAT")
        bytes = Containers.png(bytes, inserting: Containers.textChunk("AIGC", Fixtures.label(id: "old").innerJSON), before: "IEND")
        let path = folder.file("sites.png")
        Fixtures.write(bytes, to: path)

        let before = try Fixtures.report(path)
        #expect(before.sites.count == 2)
        #expect(before.verdict == .noncompliant)
        #expect(before.findings.contains { $0.check == .duplicateSites })
        #expect(before.sites[1].location.contains("after IDAT"))

        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "new"))
        let after = try Fixtures.report(path)
        #expect(after.sites.count == 1)
        #expect(after.verdict == .compliant)
        #expect(!Containers.pngChunks(Fixtures.read(path)).contains { $0.type == "tEXt" })
        #expect(try PNGPixels(decoding: original) == PNGPixels(decoding: Fixtures.read(path)))
    }

    @Test func xmpAfterIDATMovesBeforeIt() throws {
        let original = Fixtures.read(Fixtures.sample("gradient.png"))
        let packet = XMPPacket.make(WriteRequest(label: Fixtures.label(id: "late"), sourceType: .trainedAlgorithmicMedia))
        let chunk = PNGAdapter.makeChunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + packet)
        let path = folder.file("late.png")
        Fixtures.write(Containers.png(original, inserting: chunk, before: "IEND"), to: path)
        let before = try Fixtures.report(path)
        #expect(before.sites.count == 1 && !before.sites[0].isCanonical)
        #expect(before.findings.contains { $0.check == .canonicalSite && $0.outcome == .warn })

        try Fixtures.labelFile(path, to: path)
        let types = Containers.pngChunks(Fixtures.read(path)).map(\.type)
        #expect(types.filter { $0 == "iTXt" }.count == 1)
        #expect(types.firstIndex(of: "iTXt")! < types.firstIndex(of: "IDAT")!)
    }

    @Test func compressedAIGCTextChunkIsRead() throws {
        let original = Fixtures.read(Fixtures.sample("gradient.png"))
        let text = Fixtures.label(id: "z").wrappedJSON
        let bytes = try Fixtures.zlibCompressed("b'''\(text)'''")
        let chunk = PNGAdapter.makeChunk("zTXt", Array("AIGC".utf8) + [0, 0] + bytes)
        let path = folder.file("ztxt.png")
        Fixtures.write(Containers.png(original, inserting: chunk, before: "IDAT"), to: path)
        let report = try Fixtures.report(path)
        #expect(report.label?.produceID == "z")
        #expect(report.sites.first?.location == "zTXt chunk \"AIGC\"")
    }

    @Test func badCRCMakesItInconclusiveAndUnlabellable() throws {
        var bytes = Fixtures.read(Fixtures.sample("gradient.png"))
        bytes[20] ^= 0x01  // inside IHDR's data
        let path = folder.file("crc.png")
        Fixtures.write(bytes, to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .inconclusive)
        #expect(
            report.findings.contains { $0.check == .checksums && $0.outcome == .error && $0.message.contains("IHDR chunk has a bad CRC") })
        #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(path, to: folder.file("crc-out.png")) }
        #expect(!FileManager.default.fileExists(atPath: folder.file("crc-out.png")))
    }

    @Test func absurdChunkLengthIsReportedWithItsOffset() throws {
        var bytes = Fixtures.read(Fixtures.sample("gradient.png"))
        let idat = Containers.pngChunks(bytes).prefix { $0.type != "IDAT" }.reduce(8) { $0 + $1.bytes.count }
        bytes.replaceSubrange(idat..<idat + 4, with: [0x7F, 0xFF, 0xFF, 0xF0])
        let path = folder.file("huge.png")
        Fixtures.write(bytes, to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .inconclusive)
        #expect(report.findings.contains { $0.check == .containerIntact && $0.outcome == .error && $0.message.contains("at byte \(idat)") })
    }
}
