import Foundation
import Testing

@testable import SynthLabel

/// GIF labelling on files from ffmpeg (animated, with a loop extension), netpbm (GIF87a) and
/// exiftool (an XMP packet of its own), with ffmpeg's frame hashes and exiftool as witnesses.
@Suite("GIF writer")
struct GIFWriterTests {
    let folder = TemporaryDirectory()

    /// ffmpeg's MD5 of every decoded frame, with their timing: the picture as shown.
    func frames(_ path: String) throws -> String {
        try Media.shell("ffmpeg -loglevel error -i '\(path)' -f framemd5 - | grep -v '^#'").stdout
    }

    func exiftool(_ tag: String, _ path: String) throws -> String {
        let run = try Fixtures.run("exiftool", ["-config", Fixtures.exiftoolConfig, "-s3", tag, path])
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Labels `source` into `name` and checks what every GIF label must hold.
    @discardableResult
    func label(_ source: String, as name: String, id: String) throws -> String {
        let output = folder.file(name)
        try Labeller().label(fileAt: source, with: Fixtures.label(id: id), writingTo: output)
        #expect(try frames(output) == frames(source), "the frames decode as before")
        #expect(try exiftool("-XMP-TC260:AIGC", output) == Fixtures.label(id: id).innerJSON)
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant && report.label?.produceID == id, "\(report.findings)")
        #expect(report.sites.count == 1)
        let bytes = Fixtures.read(output)
        #expect(bytes.count(of: GIFAdapter.xmpApplication) == 1)
        return output
    }

    @Test func anAnimatedGIFKeepsItsLoopExtensionFirstAndEveryOtherByte() throws {
        let source = try folder.made("anim.gif", "ffmpeg -loglevel error -f lavfi -i testsrc=size=64x48:rate=5:duration=1 OUT")
        let output = try label(source, as: "anim-labelled.gif", id: "GIF-1")
        let original = Fixtures.read(source)
        let labelled = Fixtures.read(output)
        let loop = try #require(labelled.firstRange(of: Array("NETSCAPE2.0".utf8))?.lowerBound)
        let xmp = try #require(labelled.firstRange(of: GIFAdapter.xmpApplication)?.lowerBound)
        #expect(loop < xmp, "the loop extension stays first")
        // The label is one inserted extension: without it, the file is the original.
        let block = xmp - 3
        let end = try #require(labelled[block...].firstRange(of: [0x01, 0xFF, 0xFE])?.lowerBound).advanced(by: 258)
        #expect(Array(labelled[..<block]) + Array(labelled[end...]) == original)
        #expect(try exiftool("-XMP-iptcExt:DigitalSourceType", output).hasSuffix("trainedAlgorithmicMedia"))
        try label(output, as: "anim-again.gif", id: "GIF-2")
    }

    @Test func anotherToolsPacketIsMergedAndGIF87aBecomesGIF89a() throws {
        let titled = try folder.made("titled.gif", "ffmpeg -loglevel error -f lavfi -i testsrc=size=32x32:rate=2:duration=1 OUT")
        #expect(try Fixtures.run("exiftool", ["-q", "-overwrite_original", "-XMP-dc:Title=hello", titled]).status == 0)
        let merged = try label(titled, as: "titled-labelled.gif", id: "GIF-3")
        #expect(try exiftool("-XMP-dc:Title", merged) == "hello")

        let old = try folder.made("old.gif", "pngtopam '\(Fixtures.sample("gradient.png"))' | pnmquant 256 2>/dev/null | pamtogif > OUT")
        #expect(Array(Fixtures.read(old).prefix(6)) == Array("GIF87a".utf8))
        let upgraded = try label(old, as: "old-labelled.gif", id: "GIF-4")
        #expect(Array(Fixtures.read(upgraded).prefix(6)) == Array("GIF89a".utf8))
    }

    @Test func aSignatureBindsTheFrames() throws {
        // Large enough that the middle byte is a frame's, not the label's.
        let source = try folder.made("signed.gif", "ffmpeg -loglevel error -f lavfi -i testsrc=size=320x240:rate=5:duration=1 OUT")
        try Fixtures.expectSignatureBindsTheMiddle(of: source, writingTo: folder.file("signed-labelled.gif"), keyName: folder.file("gif"))
    }

    /// A labelled GIF cut anywhere or damaged in its first 4 KiB: a report or a clear error,
    /// never a crash, and a cut one is never compliant (the trailer byte is the GIF's end mark).
    @Test func cutsAndDamageAreHandled() throws {
        let source = try folder.made("cut.gif", "ffmpeg -loglevel error -f lavfi -i testsrc=size=64x48:rate=5:duration=1 OUT")
        let bytes = Fixtures.read(try label(source, as: "cut-labelled.gif", id: "GIF-5"))
        let compliant = DamageProbe.run(
            bytes, named: "cut.gif", in: folder, step: bytes.count / 300, damaging: Array(0..<min(bytes.count, 4096)), seed: 89)
        #expect(compliant.isEmpty, "cuts judged compliant: \(compliant)")
    }
}

extension Array where Element == UInt8 {
    /// How many times `pattern` occurs, overlaps not counted.
    func count(of pattern: [UInt8]) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: pattern) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
