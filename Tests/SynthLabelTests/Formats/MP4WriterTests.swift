import Foundation
import Testing

@testable import SynthLabel

/// Writing the label into MP4 and MOV files FFmpeg made in every layout it writes: `moov` last,
/// first (`+faststart`, so every chunk offset moves), first with room reserved after it, with
/// existing mdta keys, fragmented, and QuickTime. FFmpeg is the witness: the `AIGC` tag it reads
/// equals ours, other tags stay, and every packet (data and timing) is the same as before.
@Suite struct MP4WriterTests {
    let folder = TemporaryDirectory()

    static let layouts: [(name: String, options: String)] = [
        ("last.mp4", ""), ("faststart.mp4", "-movflags +faststart"),
        ("reserved.mp4", "-moov_size 65536"),
        ("tagged.mp4", "-movflags use_metadata_tags -metadata title=Hello -metadata comment=Keep"),
        ("fragmented.mp4", "-movflags frag_keyframe+empty_moov+default_base_moof"), ("quicktime.mov", ""),
    ]

    func source(_ name: String, _ options: String) throws -> String {
        let plain = folder.file("plain.mp4")
        if !FileManager.default.fileExists(atPath: plain) {
            try Media.shell(
                "ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=25:duration=2 -f lavfi -i sine=f=440:d=2 -c:v libx264 -pix_fmt yuv420p -c:a aac '\(plain)'"
            )
        }
        let path = folder.file(name)
        try Media.shell("ffmpeg -v error -i '\(plain)' -map 0 -c copy \(options) '\(path)'")
        return path
    }

    @Test(arguments: layouts.map(\.name))
    func everyLayoutIsLabelledWithThePacketsUntouched(_ name: String) throws {
        let options = try #require(Self.layouts.first { $0.name == name }).options
        let path = try source(name, options)
        let output = folder.file("labelled-" + name)
        let label = Fixtures.label(id: "VIDEO-1")
        try Fixtures.labelFile(path, to: output, with: label)
        #expect(try Media.formatTag("AIGC", output) == label.wrappedJSON)
        #expect(try Media.packetDigests(output) == Media.packetDigests(path), "the media data and its timing are unchanged")
        let decoded = try Fixtures.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"])
        #expect(decoded.status == 0 && decoded.stderr.isEmpty, "\(decoded.stderr)")
        #expect(try Fixtures.exiftool("Keys:AIGC", output) == label.wrappedJSON)
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant && report.sites.count == 1, "\(report.sites)")
        if name == "tagged.mp4" {
            #expect(try Media.formatTag("title", output) == "Hello" && Media.formatTag("comment", output) == "Keep")
        }
        if name == "reserved.mp4" {
            // The room FFmpeg left after moov took the label: the media did not move.
            let before = Fixtures.read(path)
            let after = Fixtures.read(output)
            #expect(before.count == after.count)
            let mdat = try #require(MP4Adapter.boxes(in: 0..<before.count, of: FileSource(bytes: before)).first { $0.type == "mdat" })
            #expect(Array(before[mdat.offset...]) == Array(after[mdat.offset...]))
        }
        // Labelled again: one item, the new one.
        let again = Fixtures.label(id: "VIDEO-2")
        try Fixtures.labelFile(output, to: output, with: again)
        #expect(try Media.formatTag("AIGC", output) == again.wrappedJSON)
        #expect(try Fixtures.report(output).sites.count == 1)
        #expect(try Media.packetDigests(output) == Media.packetDigests(path))
    }

    @Test func watermarkingAVideoSaysItIsNotDone() throws {
        let path = try source("w.mp4", "")
        let key = folder.file("mark")
        _ = try WatermarkKey.generate(writingTo: key)
        let run = try Fixtures.synthlabel(
            "label", path, "--producer", Fixtures.producer, "--watermark", "--watermark-key", key + ".key", "--output",
            folder.file("out"), "--no-ledger")
        #expect(run.status == 0, "\(run.stderr)")
        #expect((run.stdout + run.stderr).contains("video frames are not watermarked yet"), "\(run.stdout) \(run.stderr)")
    }

    /// Signed, the label binds the media: a byte changed in `mdat` is "content changed", in
    /// every layout, including those where the chunk offsets move with the label's length.
    @Test(arguments: ["last.mp4", "faststart.mp4", "fragmented.mp4"])
    func signaturesBindTheMedia(_ name: String) throws {
        let options = try #require(Self.layouts.first { $0.name == name }).options
        let path = try source(name, options)
        let output = folder.file("signed-" + name)
        try Fixtures.expectSignatureBindsTheMiddle(of: path, writingTo: output, keyName: folder.file("key-" + name)) {
            let unchanged = try Media.packetDigests(output) == Media.packetDigests(path)
            #expect(unchanged, "signing moved no media")
        }
        #expect(try Media.packetDigests(output) != Media.packetDigests(path), "the flipped byte was in the media")
    }
}
