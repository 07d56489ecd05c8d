import Foundation
import Testing

@testable import SynthLabel

/// Writing the label into AVI files FFmpeg made: with its JUNK room before `movi`, without it
/// (so `movi` moves), and with `idx1` offsets made absolute (which must then move too). FFmpeg
/// is the witness: it reads the `AIGC` tag, other tags stay, and every packet is unchanged.
@Suite struct AVIWriterTests {
    let folder = TemporaryDirectory()

    func source(tags: String = "") throws -> String {
        let path = folder.file("source\(tags.isEmpty ? "" : "-tagged").avi")
        try Media.shell(
            "ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25:duration=1 -f lavfi -i sine=d=1 -c:v mpeg4 -c:a mp3 -y \(tags) '\(path)'"
        )
        return path
    }

    /// The file with its top-level JUNK chunks removed (the RIFF size fixed); with `absolute`,
    /// `idx1` offsets counted from the start of the file rather than from `movi`.
    func rewritten(_ path: String, absolute: Bool) throws -> String {
        let file = try FileSource(path: path)
        let walk = try RIFFChunks(file, form: "AVI ")
        var body = Array("AVI ".utf8)
        var moviAt = 0
        for chunk in walk.chunks where chunk.id != "JUNK" {
            var bytes = try file.bytes(at: chunk.offset, count: chunk.end - chunk.offset)
            if chunk.id == "LIST", bytes[8..<12].elementsEqual("movi".utf8) { moviAt = 8 + body.count + 8 }
            if chunk.id == "idx1", absolute {
                for entry in 0..<(chunk.size / 16) {
                    let at = 8 + entry * 16 + 8
                    let moved = Int(try bytes.uint32LE(at: at)) + moviAt
                    for byte in 0..<4 { bytes[at + byte] = UInt8(truncatingIfNeeded: moved >> (8 * byte)) }
                }
            }
            body += bytes
        }
        var out = Array("RIFF".utf8)
        out.appendUInt32LE(UInt32(body.count))
        let result = folder.file("rewritten-\(absolute).avi")
        Fixtures.write(out + body, to: result)
        return result
    }

    @Test func ffmpegsLayoutKeepsEveryByteOfTheMediaInPlace() throws {
        let path = try source(tags: "-metadata title=Hello")
        let output = folder.file("labelled.avi")
        let label = Fixtures.label(id: "AVI-1")
        try Fixtures.labelFile(path, to: output, with: label)
        #expect(try Media.formatTag("AIGC", output) == label.wrappedJSON && Media.formatTag("title", output) == "Hello")
        #expect(try Media.packetDigests(output) == Media.packetDigests(path))
        #expect(Fixtures.read(output).count == Fixtures.read(path).count, "the JUNK before movi took the label")
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant && report.sites.count == 1, "\(report.sites)")
        let again = Fixtures.label(id: "AVI-2")
        try Fixtures.labelFile(output, to: output, with: again)
        #expect(try Media.formatTag("AIGC", output) == again.wrappedJSON && Fixtures.report(output).sites.count == 1)
    }

    @Test(arguments: [false, true])
    func withoutRoomMoviMovesAndTheIndexFollows(_ absolute: Bool) throws {
        let path = try rewritten(try source(), absolute: absolute)
        #expect(try Media.packetDigests(path) == Media.packetDigests(try source()), "the rewritten source still plays the same")
        let output = folder.file("moved-\(absolute).avi")
        try Fixtures.labelFile(path, to: output, with: Fixtures.label(id: "AVI-3"))
        #expect(try Media.formatTag("AIGC", output).contains("AVI-3"))
        #expect(try Media.packetDigests(output) == Media.packetDigests(path))
        #expect(try Fixtures.report(output).verdict == .compliant)
    }

    /// Signed, the label binds the frames: a byte changed in `movi` is "content changed".
    @Test func signaturesBindTheFrames() throws {
        try Fixtures.expectSignatureBindsTheMiddle(
            of: try source(tags: "-metadata title=Hello"), writingTo: folder.file("signed.avi"), keyName: folder.file("key"))
    }
}
