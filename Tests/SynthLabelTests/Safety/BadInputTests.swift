import Foundation
import Testing

@testable import SynthLabel

/// Damaged files of every format: each must give a report or a clear error, never a crash,
/// hang or runaway allocation, and labelling must never write a damaged file.
@Suite("Bad input")
struct BadInputTests {
    let folder = TemporaryDirectory()

    static let samples = [
        "gradient.png", "grey-interlaced.png", "gradient.jpg", "with-metadata.jpg", "chirp.wav", "chirp.mp3", "chirp.flac", "story.md",
    ]

    /// Verifies and dry-runs a label on `bytes`; returns the verdict, or nil when refused outright.
    func probe(_ bytes: [UInt8], name: String) -> Verdict? {
        let path = folder.file(name)
        Fixtures.write(bytes, to: path)
        let verdict = try? Fixtures.report(path).verdict
        _ = try? Labeller().label(fileAt: path, with: Fixtures.label(), writingTo: folder.file("out-" + name), dryRun: true)
        return verdict
    }

    @Test(arguments: samples)
    func everyTruncationIsHandled(_ name: String) throws {
        let labelled = folder.file("l-" + name)
        try Fixtures.labelFile(Fixtures.sample(name), to: labelled)
        let bytes = Fixtures.read(labelled)
        let step = max(1, bytes.count / 300)
        for length in stride(from: 0, to: bytes.count, by: step) {
            let verdict = probe(Array(bytes.prefix(length)), name: name)
            // A cut file must never pass as compliant, except Markdown (text has no end marker)
            // and cuts inside MP3 audio (MPEG frames carry no total length).
            if verdict == .compliant && !name.hasSuffix(".md") && !name.hasSuffix(".mp3") {
                Issue.record("\(name) cut to \(length) of \(bytes.count) bytes was judged compliant")
            }
        }
    }

    @Test(arguments: samples)
    func randomByteDamageIsHandled(_ name: String) throws {
        var generator = SplitMix(seed: UInt64(name.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        let labelled = folder.file("l-" + name)
        try Fixtures.labelFile(Fixtures.sample(name), to: labelled)
        let original = Fixtures.read(labelled)
        for _ in 0..<200 {
            var bytes = original
            // Damage the first 4 KiB, where the headers and label live.
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<min(bytes.count, 4096), using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = probe(bytes, name: name)
        }
    }

    @Test func absurdLengthFieldsInEveryFormat() throws {
        // PNG: a text chunk claiming 2 GiB.
        var png = Array(Fixtures.read(Fixtures.sample("gradient.png")).prefix(33))
        png += [0x7F, 0xFF, 0xFF, 0xFF] + Array("tEXt".utf8) + [0, 0, 0, 0]
        #expect(probe(png, name: "a.png") == .inconclusive)
        // WAV: a chunk claiming 4 GiB.
        var wav = Array(Fixtures.read(Fixtures.sample("chirp.wav")).prefix(12))
        wav += Array("JUNK".utf8) + [0xF0, 0xFF, 0xFF, 0xFF]
        #expect(probe(wav, name: "a.wav") == .inconclusive)
        // ID3: a tag claiming 256 MiB.
        let mp3 = Array("ID3".utf8) + [3, 0, 0, 0x7F, 0x7F, 0x7F, 0x7F] + Fixtures.read(Fixtures.sample("chirp.mp3"))
        #expect(probe(mp3, name: "a.mp3") == .inconclusive)
        // FLAC: a block claiming 16 MiB.
        let flac = Array("fLaC".utf8) + [0x80, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 40)
        #expect(probe(flac, name: "a.flac") == .inconclusive)
        // JPEG: a segment longer than the file.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0, 0x00]
        #expect(probe(jpeg, name: "a.jpg") == .inconclusive)
    }

    @Test func hugeAndDeeplyNestedXMPIsBounded() throws {
        let deep = String(repeating: "<a>", count: 200_000) + "<TC260:AIGC>" + String(repeating: "[", count: 50_000) + "</TC260:AIGC>"
        let chunk = PNGAdapter.makeChunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array(deep.utf8))
        let bytes = Containers.png(Fixtures.read(Fixtures.sample("gradient.png")), inserting: chunk, before: "IDAT")
        let path = folder.file("deep.png")
        Fixtures.write(bytes, to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .noncompliant)
        #expect(report.findings.contains { $0.check == .labelParse })
    }

    @Test func zlibBombIsRefused() throws {
        // 64 MiB of zeros compresses to ~64 KiB; the cap stops inflation at 16 MiB.
        let compressed = try Fixtures.zlibCompressed("bytes(64 << 20)")
        let chunk = PNGAdapter.makeChunk("zTXt", Array("AIGC".utf8) + [0, 0] + compressed)
        let path = folder.file("bomb.png")
        Fixtures.write(Containers.png(Fixtures.read(Fixtures.sample("gradient.png")), inserting: chunk, before: "IDAT"), to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .inconclusive)
        #expect(report.findings.contains { $0.message.contains("expands past") })
    }

    @Test func directoryAndMissingPathsAreClearErrors() {
        #expect(Fixtures.thrown { _ = try Fixtures.report(folder.path) } == .notARegularFile(path: folder.path, kind: "a folder"))
        let missing = folder.file("missing.png")
        #expect(Fixtures.thrown { _ = try Fixtures.report(missing) } == .cannotRead(path: missing, reason: "No such file or directory"))
    }
}

/// A small deterministic generator, so a failing damage pattern can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
