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
        if !["fragmented.mp4", "quicktime.mov"].contains(name) {  // AtomicParsley refuses the iso5 and qt brands
            // A third reader walks every box: sizes add up, and the label's boxes are where they belong.
            let tree = try Fixtures.run("AtomicParsley", [output, "-T"])
            #expect(tree.status == 0 && !(tree.stdout + tree.stderr).lowercased().contains("error"), "\(tree.stdout) \(tree.stderr)")
            #expect(tree.stdout.contains("Atom keys") && tree.stdout.contains("Atom ilst"))
        }
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

    /// An MP4 (moov last, no metadata of FFmpeg's) whose `moov/udta` holds the label's
    /// non-standard copies, each with `json`: an iTunes meta with a `----` item named AIGC beside
    /// a title, and a literal `AIGC` box in QuickTime's text form.
    func nonStandardCopies(_ name: String, json: String) throws -> String {
        let plain = folder.file("bare-" + name)
        try Media.shell(
            "ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25:duration=1 -c:v libx264 -map_metadata -1 -fflags +bitexact '\(plain)'"
        )
        let bytes = Fixtures.read(plain)
        let moov = try #require(MP4Adapter.boxes(in: 0..<bytes.count, of: FileSource(bytes: bytes)).last)
        #expect(moov.type == "moov")
        // FFmpeg's own udta (bit-exact: an empty one) makes way for ours.
        let kept = try MP4Adapter.boxes(in: moov.payload, of: FileSource(bytes: bytes)).filter { $0.type != "udta" }
            .flatMap { bytes[$0.offset..<$0.end] }
        let value = Array(json.utf8)
        let data = { (value: [UInt8]) in MP4Adapter.box("data", [0, 0, 0, 1, 0, 0, 0, 0] + value) }
        let titleData = data(Array("Hello".utf8))
        var title: [UInt8] = []
        title.appendUInt32BE(UInt32(8 + titleData.count))
        title += [0xA9] + Array("nam".utf8) + titleData
        let freeform = MP4Adapter.box(
            "----",
            MP4Adapter.fullBox("mean", Array("com.apple.iTunes".utf8)) + MP4Adapter.fullBox("name", Array("AIGC".utf8)) + data(value))
        let handler = MP4Adapter.fullBox("hdlr", [0, 0, 0, 0] + Array("mdirappl".utf8) + [UInt8](repeating: 0, count: 9))
        let itunes = MP4Adapter.fullBox("meta", handler + MP4Adapter.box("ilst", title + freeform))
        let textBox = MP4Adapter.box("AIGC", [UInt8(value.count >> 8), UInt8(value.count & 0xFF), 0x55, 0xC4] + value)
        let path = folder.file(name)
        Fixtures.write(
            Array(bytes[..<moov.offset]) + MP4Adapter.box("moov", kept + MP4Adapter.box("udta", itunes + textBox)),
            to: path)
        return path
    }

    @Test func nonStandardCopiesInUdtaAreReadAndFoldedIntoTheCanonicalItem() throws {
        let path = try nonStandardCopies("copies.mp4", json: Fixtures.label(id: "OLD").wrappedJSON)
        #expect(try Media.formatTag("title", path) == "Hello", "FFmpeg reads the crafted file")
        let before = try Fixtures.report(path)
        #expect(before.sites.count == 2 && before.sites.allSatisfy { !$0.isCanonical }, "\(before.sites.map(\.location))")
        #expect(before.label?.produceID == "OLD")

        let output = folder.file("folded.mp4")
        let label = Fixtures.label(id: "NEW")
        try Fixtures.labelFile(path, to: output, with: label)
        let after = try Fixtures.report(output)
        #expect(after.sites.count == 1 && after.sites[0].isCanonical && after.verdict == .compliant, "\(after.sites.map(\.location))")
        #expect(try Media.formatTag("AIGC", output) == label.wrappedJSON)
        #expect(try Media.formatTag("title", output) == "Hello", "the title beside the folded item is kept")
        #expect(try Media.packetDigests(output) == Media.packetDigests(path))

        // Another producer's label in a non-standard place is still never replaced.
        let other = try nonStandardCopies("other.mp4", json: Fixtures.label(producer: "OTHERVENDOR").wrappedJSON)
        let untouched = Fixtures.read(other)
        #expect(
            Fixtures.thrown { try Fixtures.labelFile(other, to: other) } == .anotherProducersLabel(path: other, producer: "OTHERVENDOR"))
        #expect(Fixtures.read(other) == untouched)
    }

    /// `moov` (found at the top of `bytes`) with every `stco` made a `co64` whose offsets move
    /// by `shift` plus what the conversion adds to `moov`; and that growth.
    static func widenedMoov(_ bytes: [UInt8], shift: Int) throws -> [UInt8] {
        let file = FileSource(bytes: bytes)
        let moov = try #require(MP4Adapter.boxes(in: 0..<bytes.count, of: file).first { $0.type == "moov" })
        // Each 4-byte entry becomes 8 bytes: moov grows by 4 bytes an entry.
        var entries = 0
        func walk(_ range: Range<Int>, _ visit: (MP4Adapter.Box) throws -> Void) throws {
            for box in try MP4Adapter.boxes(in: range, of: file) {
                if ["trak", "mdia", "minf", "stbl"].contains(box.type) { try walk(box.payload, visit) } else { try visit(box) }
            }
        }
        try walk(moov.payload) { if $0.type == "stco" { entries += Int(try bytes.uint32BE(at: $0.offset + 12)) } }
        let growth = entries * 4
        func rebuilt(_ range: Range<Int>) throws -> [UInt8] {
            var out: [UInt8] = []
            for box in try MP4Adapter.boxes(in: range, of: file) {
                if ["trak", "mdia", "minf", "stbl"].contains(box.type) {
                    out += MP4Adapter.box(box.type, try rebuilt(box.payload))
                } else if box.type == "stco" {
                    let count = Int(try bytes.uint32BE(at: box.offset + 12))
                    var payload: [UInt8] = [0, 0, 0, 0]
                    payload.appendUInt32BE(UInt32(count))
                    for index in 0..<count {
                        let offset = UInt64(try bytes.uint32BE(at: box.offset + 16 + index * 4)) + UInt64(shift + growth)
                        for byte in (0..<8).reversed() { payload.append(UInt8(truncatingIfNeeded: offset >> (8 * UInt64(byte)))) }
                    }
                    out += MP4Adapter.box("co64", payload)
                } else {
                    out += bytes[box.offset..<box.end]
                }
            }
            return out
        }
        return MP4Adapter.box("moov", try rebuilt(moov.payload))
    }

    /// A file past 4 GiB, sparse: `ftyp`, `moov` with 64-bit chunk offsets, a `free` box with a
    /// 64-bit size holding a 4.3 GB hole, then the media. FFmpeg reads its packets, and after
    /// labelling reads the same packets from the offsets the writer moved.
    @Test func aFileOver4GiBKeepsItsPacketsAtTheirMovedOffsets() throws {
        let small = try source("small-faststart.mp4", "-movflags +faststart")
        let bytes = Fixtures.read(small)
        let top = try MP4Adapter.boxes(in: 0..<bytes.count, of: FileSource(bytes: bytes))
        let ftyp = try #require(top.first { $0.type == "ftyp" })
        let moov = try #require(top.first { $0.type == "moov" })
        #expect(top.contains { $0.type == "mdat" && $0.offset > moov.offset }, "FFmpeg put moov before mdat")
        // The new box: a 16-byte header (size 1, then the 64-bit size) and the hole.
        let gap = 4_300_000_000
        let freeBox = 16 + gap
        var head = Array(bytes[ftyp.offset..<ftyp.end]) + (try Self.widenedMoov(bytes, shift: freeBox))
        head.appendUInt32BE(1)
        head += Array("free".utf8)
        for byte in (0..<8).reversed() { head.append(UInt8(truncatingIfNeeded: UInt64(freeBox) >> (8 * UInt64(byte)))) }
        let big = folder.file("big.mp4")
        FileManager.default.createFile(atPath: big, contents: Data(head))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.seek(toOffset: UInt64(head.count + gap))  // the hole is never written
        try handle.write(contentsOf: Data(bytes[moov.end...]))
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: big) }
        let original = try Media.packetDigests(small)
        #expect(try Media.packetDigests(big) == original, "the crafted file holds the same packets past 4 GiB")

        let output = folder.file("labelled-big.mp4")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let label = Fixtures.label(id: "BIG")
        try Fixtures.labelFile(big, to: output, with: label)
        #expect(try Media.formatTag("AIGC", output) == label.wrappedJSON)
        #expect(try Media.packetDigests(output) == original, "every co64 offset moved with moov")
        let size = try #require(FileManager.default.attributesOfItem(atPath: output)[.size] as? Int)
        #expect(size > 1 << 32)
        #expect(try Fixtures.report(output).verdict == .compliant)
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
