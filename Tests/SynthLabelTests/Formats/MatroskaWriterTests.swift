import Foundation
import Testing

@testable import SynthLabel

/// Writing the label into Matroska and WebM files two muxers made: FFmpeg (Tags before the
/// clusters, so the new Tags goes to the end and the SeekHead is told) and mkvmerge (Tags at the
/// end, so it grows in place). Witnesses: ffprobe reads the tag with no warning, every packet is
/// unchanged, and mkvtoolnix's mkvinfo and mkvmerge read the SimpleTag and find no error.
@Suite struct MatroskaWriterTests {
    let folder = TemporaryDirectory()

    static let layouts: [(name: String, command: String)] = [
        ("ffmpeg.mkv", "ffmpeg -v error -i \"$SRC\" -map 0 -c copy -metadata title=Hello -y \"$OUT\""),
        (
            "ffmpeg.webm",
            "ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25:duration=1 -c:v libvpx-vp9 -deadline realtime -y \"$OUT\""
        ),
        ("mkvmerge.mkv", "mkvmerge -q -o \"$OUT\" \"$SRC\""),
    ]

    func source(_ name: String) throws -> String {
        let plain = folder.file("plain.mp4")
        if !FileManager.default.fileExists(atPath: plain) {
            try Media.shell(
                "ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=25:duration=2 -f lavfi -i sine=d=2 -c:v libx264 -pix_fmt yuv420p -c:a aac '\(plain)'"
            )
        }
        let command = try #require(Self.layouts.first { $0.name == name }).command
        let path = folder.file(name)
        try Media.shell("SRC='\(plain)'; OUT='\(path)'; " + command)
        return path
    }

    func probe(_ path: String) throws -> (aigc: String, title: String, warnings: String) {
        let run = try Fixtures.run(
            "ffprobe", ["-v", "warning", "-show_entries", "format_tags=AIGC,title", "-of", "default=nw=1", path])
        let lines = run.stdout.split(separator: "\n")
        let value = { (key: String) in lines.first { $0.hasPrefix("TAG:\(key)=") }.map { String($0.dropFirst(key.count + 5)) } ?? "" }
        return (value("AIGC"), value("title"), run.stderr)
    }

    @Test(arguments: layouts.map(\.name))
    func everyMuxersFileIsLabelledWithTheClustersUntouched(_ name: String) throws {
        let path = try source(name)
        let output = folder.file("labelled-" + name)
        for (round, id) in ["MKV-1", "MKV-2"].enumerated() {
            let label = Fixtures.label(id: id)
            try Fixtures.labelFile(round == 0 ? path : output, to: output, with: label)
            let found = try probe(output)
            #expect(found.aigc == label.wrappedJSON && found.warnings.isEmpty, "\(found)")
            if name == "ffmpeg.mkv" { #expect(found.title == "Hello") }
            #expect(try Media.packetDigests(output) == Media.packetDigests(path), "the clusters and their timing are unchanged")
            let info = try Fixtures.run("mkvinfo", ["-a", output]).stdout
            #expect(info.contains("+ Name: AIGC") && info.contains("+ String: \(label.wrappedJSON)"))
            let json = try Fixtures.run("mkvmerge", ["-J", output]).stdout
            #expect(json.contains("\"errors\": []") && json.contains("\"warnings\": []"), "\(json.prefix(300))")
            let report = try Fixtures.report(output)
            #expect(report.verdict == .compliant && report.sites.count == 1, "\(report.sites)")
        }
    }

    /// Signed, the label binds the clusters: a byte changed in one is "content changed".
    @Test(arguments: ["ffmpeg.mkv", "ffmpeg.webm", "mkvmerge.mkv"])
    func signaturesBindTheClusters(_ name: String) throws {
        try Fixtures.expectSignatureBindsTheMiddle(
            of: try source(name), writingTo: folder.file("signed-" + name), keyName: folder.file("key-" + name))
    }
}
