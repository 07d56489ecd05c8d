import Foundation
import Testing

@testable import SynthLabel

@Suite("JPEG adapter")
struct JPEGAdapterTests {
    let folder = TemporaryDirectory()

    /// Pixels as libjpeg-turbo's djpeg decodes them.
    func decodedPixels(_ path: String) throws -> String {
        let run = try Fixtures.run("djpeg", ["-pnm", path])
        #expect(run.status == 0)
        return run.stdout
    }

    @Test(arguments: ["gradient.jpg", "with-metadata.jpg"])
    func labelsLosslesslyKeepingEverySegment(_ name: String) throws {
        let source = Fixtures.sample(name)
        let output = folder.file(name)
        try Fixtures.labelFile(source, to: output)
        let before = Containers.jpegSegments(Fixtures.read(source))
        let after = Containers.jpegSegments(Fixtures.read(output))
        #expect(after.scan == before.scan)
        let isXMP: ((marker: UInt8, bytes: [UInt8])) -> Bool = {
            $0.marker == 0xE1 && Array($0.bytes.dropFirst(4)).starts(with: JPEGAdapter.xmpHeader)
        }
        #expect(after.segments.filter { !isXMP($0) }.map(\.bytes) == before.segments.filter { !isXMP($0) }.map(\.bytes))
        #expect(after.segments.filter(isXMP).count == 1)
        #expect(try decodedPixels(source) == decodedPixels(output))
        #expect(try Fixtures.report(output).verdict == .compliant)
    }

    @Test func mergesWithExiftoolMetadataAndKeepsEXIF() throws {
        let output = folder.file("merged.jpg")
        try Fixtures.labelFile(Fixtures.sample("with-metadata.jpg"), to: output)
        #expect(try Fixtures.exiftool("XMP-dc:Title", output) == "Sunset study")
        #expect(try Fixtures.exiftool("EXIF:Artist", output) == "Sample Studio")
        #expect(try Fixtures.exiftool("XMP-TC260:AIGC", output) == Fixtures.label().innerJSON)
        #expect(try Fixtures.exiftool("XMP-iptcExt:DigitalSourceType", output) == DigitalSourceType.trainedAlgorithmicMedia.rawValue)
    }

    @Test func newXMPSegmentFollowsJFIF() throws {
        let output = folder.file("order.jpg")
        try Fixtures.labelFile(Fixtures.sample("gradient.jpg"), to: output)
        let markers = Containers.jpegSegments(Fixtures.read(output)).segments.map(\.marker)
        #expect(Array(markers.prefix(2)) == [0xE0, 0xE1])
    }

    @Test func relabellingKeepsOneSegment() throws {
        let path = folder.copy(Fixtures.sample("with-metadata.jpg"))
        for id in ["a", "b", "c"] { try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: id)) }
        let report = try Fixtures.report(path)
        #expect(report.sites.count == 1)
        #expect(report.label?.produceID == "c")
        #expect(try Fixtures.exiftool("XMP-dc:Title", path) == "Sunset study")
    }

    @Test func compositeSourceTypeOnRequest() throws {
        let output = folder.file("composite.jpg")
        try Labeller(sourceType: .compositeWithTrainedAlgorithmicMedia).label(
            fileAt: Fixtures.sample("gradient.jpg"), with: Fixtures.label(), writingTo: output)
        #expect(
            try Fixtures.exiftool("XMP-iptcExt:DigitalSourceType", output)
                == DigitalSourceType.compositeWithTrainedAlgorithmicMedia.rawValue)
    }

    @Test func truncatedJPEGIsInconclusive() throws {
        let bytes = Fixtures.read(Fixtures.sample("gradient.jpg"))
        let path = folder.file("cut.jpg")
        Fixtures.write(Array(bytes.prefix(bytes.count / 2)), to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .inconclusive)
        #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(path, to: folder.file("cut-out.jpg")) }
    }

    @Test func c2paManifestIsNotBrokenSilently() throws {
        // An APP11 JUMBF segment naming a c2pa manifest store, placed after APP0.
        var bytes = Fixtures.read(Fixtures.sample("gradient.jpg"))
        let payload = Array("JP".utf8) + [0, 1, 0, 0, 0, 1] + Array("jumbc2pa".utf8)
        var segment: [UInt8] = [0xFF, 0xEB]
        segment.appendUInt16BE(UInt16(payload.count + 2))
        let app0End = 2 + 2 + Int(try bytes.uint16BE(at: 4))
        bytes.insert(contentsOf: segment + payload, at: app0End)
        let path = folder.file("c2pa.jpg")
        Fixtures.write(bytes, to: path)
        #expect(try Fixtures.report(path).findings.contains { $0.check == .c2paManifest })
        #expect(
            Fixtures.thrown { _ = try Fixtures.labelFile(path, to: folder.file("c2pa-out.jpg")) }
                == .carriesC2PA(path: path, manifest: "APP11 JUMBF segment at byte \(app0End)"))
        try Labeller(allowBreakingC2PA: true).label(fileAt: path, with: Fixtures.label(), writingTo: folder.file("c2pa-out.jpg"))
        #expect(try Fixtures.report(folder.file("c2pa-out.jpg")).verdict == .compliant)
    }
}
