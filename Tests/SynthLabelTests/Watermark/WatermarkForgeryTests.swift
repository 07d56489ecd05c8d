import Foundation
import Testing

@testable import SynthLabel

/// The transplant attacks of issue 27, run by `scripts/forge-watermark.py` (numpy only) on
/// pictures and programmes made here: a mark estimated from marked images or audio without the
/// key and imposed on other content may still decode, but it is not tied to that content, so it
/// attributes nothing.
@Suite("watermark forgery")
struct WatermarkForgeryTests {
    let folder = TemporaryDirectory()
    let key = WatermarkKey(secret: Array("a test watermark key, 32 bytes!!".utf8))
    static let label = Fixtures.label(id: "VICTIM-1")
    static let script = Fixtures.packageRoot.appendingPathComponent("scripts/forge-watermark.py").path

    /// A textured 640 × 512 picture from netpbm's pattern makers; `seed` and `pattern` make others.
    func picture(_ name: String, pattern: String = "-anticamo", seed: Int = 7) throws -> String {
        let path = folder.file(name)
        try Media.texturedPicture(path, pattern: pattern, seed: seed, noiseSeed: seed + 1)
        return path
    }

    func verify(_ path: String) throws -> FileReport {
        try Verifier(explicitChecks: false, watermarkKey: key).verify(fileAt: path)
    }

    /// Marks `sources` with the one label, then forges the mark onto `victim` from all of them.
    func forge(from sources: [String], onto victim: String) throws -> String {
        var marked: [String] = []
        for source in sources {
            let output = source.replacingOccurrences(of: ".png", with: "-marked.png")
            try Labeller(watermarkKey: key).label(fileAt: source, with: Self.label, writingTo: output)
            // The genuine mark is tied to its own picture.
            #expect(try verify(output).watermark?.binding?.verdict == .confirmed, "\(output)")
            try Media.shell("pngtopnm '\(output)' > '\(output).ppm'")
            marked.append("\(output).ppm")
        }
        try Media.shell("pngtopnm '\(victim)' > '\(victim).ppm'")
        let forged = folder.file("forged.ppm")
        let run = try Fixtures.run("python3", [Self.script, "image", forged, "\(victim).ppm"] + marked)
        #expect(run.status == 0, "\(run.stderr)")
        let png = folder.file("forged.png")
        try Media.shell("pnmtopng '\(forged)' > '\(png)'")
        return png
    }

    /// Marks `sources` (16-bit WAV) with the one label, then forges the mark onto `victim` from
    /// all of them.
    func forgeAudio(from sources: [String], onto victim: String) throws -> String {
        var marked: [String] = []
        for source in sources {
            let output = source.replacingOccurrences(of: ".wav", with: "-marked.wav")
            try Labeller(watermarkKey: key).label(fileAt: source, with: Self.label, writingTo: output)
            #expect(try verify(output).watermark?.binding?.verdict == .confirmed, "\(output)")
            marked.append(output)
        }
        let forged = folder.file("forged.wav")
        let run = try Fixtures.run("python3", [Self.script, "audio", forged, victim] + marked)
        #expect(run.status == 0, "\(run.stderr)")
        return forged
    }

    /// A 40 s programme of its own (`AudioWatermarkTests.programme`), as a 16-bit WAV.
    func programme(_ name: String, seed: UInt64) -> String {
        let path = folder.file(name)
        AudioWatermarkTests.writeProgramme(to: path, seconds: 40, sampleRate: 44100, seed: seed)
        return path
    }

    func expectNoAttribution(_ report: FileReport, check: Check = .imageWatermark) {
        // Without the tie the mark may still decode: what matters is that nothing is attributed.
        if let found = report.watermark, found.present {
            #expect(found.binding?.verdict != .confirmed, "\(String(describing: found.binding))")
        }
        let mark = report.findings.first { $0.check == check }
        #expect(mark?.outcome != .pass, "\(String(describing: mark))")
        let copied = report.findings.first { $0.check == .copiedWatermark }
        #expect(copied?.outcome != .pass, "\(String(describing: copied))")
    }

    @Test(arguments: [("-camo", 11), ("-madras", 5), ("-tartan", 3)])
    func aMarkCopiedFromOnePictureAttributesNothing(_ pattern: String, _ seed: Int) throws {
        let victim = try picture("victim.png", pattern: pattern, seed: seed)
        let forged = try forge(from: [try picture("source.png")], onto: victim)
        expectNoAttribution(try verify(forged))
    }

    @Test func aMarkAveragedOverThreePicturesAttributesNothing() throws {
        let sources = try (0..<3).map { try picture("source-\($0).png", seed: 20 + $0) }
        let forged = try forge(from: sources, onto: try picture("victim.png", pattern: "-camo", seed: 40))
        expectNoAttribution(try verify(forged))
    }

    /// The audio block repeats every 4.8 s; estimated from three marked programmes, it still
    /// decodes on a fourth, but is not tied to it.
    @Test func anAudioMarkCopiedFromThreeProgrammesAttributesNothing() throws {
        let sources = (0..<3).map { programme("source-\($0).wav", seed: 30 + UInt64($0)) }
        let report = try verify(try forgeAudio(from: sources, onto: programme("victim.wav", seed: 40)))
        #expect(report.watermark?.present == true, "the attack still carries the payload across")
        #expect(report.watermark?.binding?.verdict == .copied, "\(String(describing: report.watermark?.binding))")
        expectNoAttribution(report, check: .audioWatermark)
    }

    /// The finding says so in words a person acts on, and `--json` gives the figures.
    @Test func theCommandLineSaysTheCopiedMarkAttributesNothing() throws {
        let forged = try forge(from: [try picture("source.png")], onto: try picture("victim.png", pattern: "-camo", seed: 11))
        let keyFile = folder.file("test.key")
        Fixtures.write(
            Array("-----BEGIN \(WatermarkKey.pemLabel)-----\n\(Base64.encode(key.secret))\n-----END \(WatermarkKey.pemLabel)-----\n".utf8),
            to: keyFile)
        try Media.shell("chmod 600 '\(keyFile)'")
        let run = try Fixtures.run(Fixtures.binary, ["verify", forged, "--watermark-key", keyFile, "--all-checks"])
        #expect(run.stdout.contains("watermark.copied") && run.stdout.contains("attributes nothing"), "\(run.stdout)")
        #expect(!run.stdout.contains("pass     watermark"), "\(run.stdout)")
    }
}
