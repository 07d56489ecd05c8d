import Foundation
import Testing

@testable import SynthLabel

@Suite("WAV adapter")
struct WAVAdapterTests {
    let folder = TemporaryDirectory()

    @Test func labelsLosslesslyWithARightRIFFSize() throws {
        let source = Fixtures.sample("chirp.wav")
        let output = folder.file("chirp.wav")
        try Fixtures.labelFile(source, to: output)
        let before = Fixtures.read(source)
        let after = Fixtures.read(output)
        #expect(try AudioSamples(contentsOf: source) == AudioSamples(contentsOf: output))
        #expect(Int(try after.uint32LE(at: 4)) == after.count - 8)
        let chunks = Containers.riffChunks(after)
        #expect(chunks.filter { $0.id != "AIGC" }.map(\.bytes) == Containers.riffChunks(before).map(\.bytes))
        let label = try #require(chunks.first { $0.id == "AIGC" })
        #expect(label.bytes.count % 2 == 0)
        #expect(String(decoding: label.bytes.dropFirst(8).prefix { $0 != 0 }, as: UTF8.self) == Fixtures.label().wrappedJSON)
        #expect(try Fixtures.report(output).verdict == .compliant)
        // libsndfile's own reader sees our chunk and a sound file it can parse.
        let info = try Fixtures.run("sndfile-info", [output]).stdout
        #expect(info.contains("AIGC"))
        #expect(info.contains("Frames      : 22050"))
    }

    @Test func oddLengthLabelIsPadded() throws {
        let output = folder.file("odd.wav")
        var parities: Set<Int> = []
        for id in ["a", "ab"] {
            parities.insert(Fixtures.label(id: id).wrappedJSON.utf8.count % 2)
            try Fixtures.labelFile(Fixtures.sample("chirp.wav"), to: output, with: Fixtures.label(id: id))
            let bytes = Fixtures.read(output)
            #expect(bytes.count % 2 == 0)
            #expect(Int(try bytes.uint32LE(at: 4)) == bytes.count - 8)
            #expect(try Fixtures.report(output).label?.produceID == id)
        }
        #expect(parities == [0, 1])
    }

    @Test func infoListLabelIsFoldedIntoTheAIGCChunk() throws {
        // A LIST/INFO ICMT entry holding the JSON, as some tools write it, next to the chirp's own entries.
        let original = Fixtures.read(Fixtures.sample("chirp.wav"))
        let json = Array(Fixtures.label(id: "info").wrappedJSON.utf8) + [0]
        var entry = Array("ICMT".utf8)
        entry.appendUInt32LE(UInt32(json.count))
        entry += json
        if json.count % 2 == 1 { entry.append(0) }
        var list = Array("LIST".utf8)
        list.appendUInt32LE(UInt32(4 + entry.count))
        list += Array("INFO".utf8) + entry
        var bytes = original + list
        bytes.replaceSubrange(4..<8, with: withUnsafeBytes(of: UInt32(bytes.count - 8).littleEndian, Array.init))
        let path = folder.file("info.wav")
        Fixtures.write(bytes, to: path)
        let before = try Fixtures.report(path)
        #expect(before.sites.map(\.location) == ["LIST/INFO 'ICMT' entry"])
        #expect(before.label?.produceID == "info")

        try Fixtures.labelFile(path, to: path)
        let after = try Fixtures.report(path)
        #expect(after.sites.count == 1 && after.sites[0].location == "RIFF 'AIGC' chunk")
        // The chirp's own LIST/INFO survives untouched.
        #expect(
            Containers.riffChunks(Fixtures.read(path)).filter { $0.id == "LIST" }.map(\.bytes)
                == Containers.riffChunks(original).filter { $0.id == "LIST" }.map(\.bytes))
    }

    @Test func rf64IsRefusedClearly() throws {
        var bytes = Fixtures.read(Fixtures.sample("chirp.wav"))
        bytes.replaceSubrange(0..<4, with: Array("RF64".utf8))
        let path = folder.file("big.wav")
        Fixtures.write(bytes, to: path)
        #expect {
            try Fixtures.labelFile(path, to: folder.file("big-out.wav"))
        } throws: { error in
            guard case .unsupportedVariant(path, let problem) = error as? SynthLabelError else { return false }
            return problem.kind == .unsupported && problem.offset == 0 && problem.message.contains("RF64")
        }
    }

    @Test func dataChunkPastTheEndIsInconclusive() throws {
        let bytes = Fixtures.read(Fixtures.sample("chirp.wav"))
        let path = folder.file("short.wav")
        Fixtures.write(Array(bytes.prefix(bytes.count - 1000)), to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .inconclusive)
        #expect {
            try Fixtures.labelFile(path, to: folder.file("short-out.wav"))
        } throws: { error in
            if case .damaged(path, let problem) = error as? SynthLabelError { problem.kind == .truncated } else { false }
        }
    }

    /// A WAV with no samples: FFmpeg reads a data chunk of size 0 as "size unknown" and would
    /// take a label after it for samples, so the label goes before it and FFmpeg still decodes
    /// nothing.
    @Test func aLabelNeverFollowsAnEmptyDataChunk() throws {
        let path = folder.file("empty.wav")
        Fixtures.write(WAVFiles.pcm(bitsPerSample: 24, channels: 1, frames: 0), to: path)
        try Fixtures.labelFile(path, to: path)
        #expect(Containers.riffChunks(Fixtures.read(path)).map(\.id) == ["fmt ", "AIGC", "data"])
        #expect(try Fixtures.report(path).verdict == .compliant)
        let decoded = try Fixtures.run("ffmpeg", ["-v", "error", "-i", path, "-f", "s32le", "-"])
        #expect(decoded.status == 0 && decoded.stdout.isEmpty && decoded.stderr.isEmpty, "\(decoded.stderr)")
    }

    @Test func bigEndianRIFXIsNamedAndLeftAlone() throws {
        var rifx = WAVFiles.pcm(bitsPerSample: 16, channels: 1, frames: 8)
        rifx.replaceSubrange(0..<4, with: Array("RIFX".utf8))
        let path = folder.file("rifx.wav")
        Fixtures.write(rifx, to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .inconclusive)
        #expect(report.findings.contains { $0.message.contains("RIFX (the big-endian form of WAV) is not read or written yet") })
        #expect(Fixtures.thrown { _ = try Fixtures.labelFile(path, to: path) }?.path == path)
        #expect(Fixtures.read(path) == rifx)
    }
}
