import Foundation
import Testing

@testable import SynthLabel

@Suite("MP3 adapter")
struct MP3AdapterTests {
    let folder = TemporaryDirectory()

    /// The sample re-encoded by lame with its own ID3v2 tag (title, artist, comment).
    func taggedSample() throws -> String {
        let path = folder.file("tagged.mp3")
        let run = try Fixtures.run(
            "lame",
            ["--quiet", "-b", "64", "--id3v2-only", "--tt", "Chirp", "--ta", "Synth", "--tc", "hello", Fixtures.sample("chirp.wav"), path])
        #expect(run.status == 0)
        return path
    }

    func tagSize(_ bytes: [UInt8]) -> Int { 10 + (MP3Adapter.syncsafe(bytes[6..<10]) ?? 0) }

    @Test func addsATagWithPaddingToAnUntaggedFile() throws {
        let source = Fixtures.sample("chirp.mp3")
        let output = folder.file("chirp.mp3")
        try Fixtures.labelFile(source, to: output)
        let before = Fixtures.read(source)
        let after = Fixtures.read(output)
        #expect(before.starts(with: Array("ID3".utf8)) == false)
        #expect(Array(after[tagSize(after)...]) == before)  // audio frames copied untouched
        let tag = try #require(try MP3Adapter.tag(of: FileSource(path: output)))
        #expect(tag.frames.count == 1)
        #expect(tag.framesEnd - tag.frames[0].offset - tag.frames[0].range.count >= 1024)  // padding kept in the tag
        #expect(try AudioSamples(contentsOf: source) == AudioSamples(contentsOf: output))
        #expect(try Fixtures.exiftool("ID3:UserDefinedText", output) == "(AIGC) \(Fixtures.label().wrappedJSON)")
        #expect(try Fixtures.report(output).verdict == .compliant)
        let warnings = try Fixtures.run("exiftool", ["-warning", output]).stdout
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func keepsExistingFramesByteForByte() throws {
        let source = try taggedSample()
        let output = folder.file("tagged-out.mp3")
        try Fixtures.labelFile(source, to: output)
        let old = try #require(try MP3Adapter.tag(of: FileSource(path: source)))
        let new = try #require(try MP3Adapter.tag(of: FileSource(path: output)))
        let oldFrames = old.frames.map { Array(old.body[$0.range]) }
        let newFrames = new.frames.map { Array(new.body[$0.range]) }
        #expect(Array(newFrames.dropLast()) == oldFrames)
        #expect(new.frames.last?.id == "TXXX")
        #expect(Array(Fixtures.read(output)[new.end...]) == Array(Fixtures.read(source)[old.end...]))
        #expect(try Fixtures.exiftool("ID3:Title", output) == "Chirp")
        #expect(try Fixtures.exiftool("ID3:Artist", output) == "Synth")
        #expect(try AudioSamples(contentsOf: source) == AudioSamples(contentsOf: output))
    }

    @Test func relabellingReplacesTheFrameInPlace() throws {
        let path = folder.copy(Fixtures.sample("chirp.mp3"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "one"))
        let size = Fixtures.read(path).count
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "two"))
        #expect(Fixtures.read(path).count == size)  // fitted in the padding
        let report = try Fixtures.report(path)
        #expect(report.sites.count == 1 && report.label?.produceID == "two")
    }

    @Test func writesIntoAVersion24Tag() throws {
        // A v2.4 tag built here: one TIT2 frame with a syncsafe size, then the sample's audio.
        let title: [UInt8] = [3] + Array("Gen".utf8)
        var frame = Array("TIT2".utf8) + MP3Adapter.syncsafeBytes(title.count) + [0, 0] + title
        frame += [UInt8](repeating: 0, count: 20)
        let tag = Array("ID3".utf8) + [4, 0, 0] + MP3Adapter.syncsafeBytes(frame.count) + frame
        let path = folder.file("v24.mp3")
        Fixtures.write(tag + Fixtures.read(Fixtures.sample("chirp.mp3")), to: path)
        try Fixtures.labelFile(path, to: path)
        let report = try Fixtures.report(path)
        #expect(report.sites.first?.location == "ID3v2.4 TXXX frame \"AIGC\"")
        #expect(try Fixtures.exiftool("ID3v2_4:Title", path) == "Gen")
        #expect(try Fixtures.exiftool("ID3v2_4:UserDefinedText", path) == "(AIGC) \(Fixtures.label().wrappedJSON)")
    }

    @Test func readsUTF16Descriptions() throws {
        func utf16LE(_ text: String) -> [UInt8] { [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        let description = utf16LE("AIGC") + [0, 0]
        let value = utf16LE(Fixtures.label(id: "u16").wrappedJSON)
        let content: [UInt8] = [1] + description + value
        var frame = Array("TXXX".utf8)
        frame.appendUInt32BE(UInt32(content.count))
        frame += [0, 0] + content
        let tag = Array("ID3".utf8) + [3, 0, 0] + MP3Adapter.syncsafeBytes(frame.count) + frame
        let path = folder.file("utf16.mp3")
        Fixtures.write(tag + Fixtures.read(Fixtures.sample("chirp.mp3")), to: path)
        #expect(try Fixtures.report(path).label?.produceID == "u16")
    }

    @Test func frameRunningPastTheTagIsInconclusive() throws {
        var frame = Array("TIT2".utf8)
        frame.appendUInt32BE(0x00FF_FFFF)
        frame += [0, 0, 0, 65]
        let tag = Array("ID3".utf8) + [3, 0, 0] + MP3Adapter.syncsafeBytes(frame.count) + frame
        let path = folder.file("bad.mp3")
        Fixtures.write(tag + Fixtures.read(Fixtures.sample("chirp.mp3")), to: path)
        #expect(try Fixtures.report(path).verdict == .inconclusive)
        #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(path, to: folder.file("bad-out.mp3")) }
    }

    /// A cut-off MP3 is inconclusive and never labelled: half of a file LAME made (its Info header
    /// declares the whole stream), a 100-byte stub, and half of a file without that header (its
    /// last frame runs past the end); an ID3v1 tag after whole audio is no cut.
    @Test func truncatedAudioIsInconclusiveAndNotLabelled() throws {
        let tagged = try taggedSample()
        let bare = folder.file("bare.mp3")
        try Fixtures.run("lame", ["--quiet", "-t", "-b", "128", Fixtures.sample("chirp.wav"), bare])
        let bytes = Fixtures.read(tagged)
        let bareBytes = Fixtures.read(bare)
        let cases: [(String, [UInt8])] = [
            ("half.mp3", Array(bytes.prefix(bytes.count / 2))), ("stub.mp3", Array(bytes.prefix(100))),
            ("stub-untagged.mp3", Array(Fixtures.read(Fixtures.sample("chirp.mp3")).prefix(100))),
            ("bare-cut.mp3", Array(bareBytes.prefix(bareBytes.count * 2 / 3))),
        ]
        for (name, cut) in cases {
            let path = folder.file(name)
            Fixtures.write(cut, to: path)
            let report = try Fixtures.report(path)
            #expect(report.verdict == .inconclusive, "\(name)")
            #expect(report.findings.contains { $0.check == .containerIntact && $0.message.contains("truncated") }, "\(name)")
            #expect(throws: SynthLabelError.self, "\(name)") { try Fixtures.labelFile(path, to: path) }
            #expect(Fixtures.read(path) == cut)
        }
        for whole in [tagged, bare] {
            var withV1 = Fixtures.read(whole)
            withV1 += Array("TAG".utf8) + [UInt8](repeating: 0x20, count: 125)
            let path = folder.file("v1-" + (whole as NSString).lastPathComponent)
            Fixtures.write(withV1, to: path)
            #expect(try Fixtures.report(path).verdict == .unlabelled)
            try Fixtures.labelFile(path, to: path)
            #expect(try Fixtures.report(path).verdict == .compliant)
        }
    }
}
