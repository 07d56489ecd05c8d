import Foundation
import Testing

@testable import SynthLabel

@Suite("Ogg adapter")
struct OggAdapterTests {
    let folder = TemporaryDirectory()

    func encode(_ codec: String) throws -> String {
        let path = folder.file("c.\(codec)")
        let run =
            codec == "ogg"
            ? try Fixtures.run("oggenc", ["-Q", "-c", "TITLE=Chirp", Fixtures.sample("chirp.wav"), "-o", path])
            : try Fixtures.run("opusenc", ["--quiet", "--comment", "TITLE=Chirp", Fixtures.sample("chirp.wav"), path])
        #expect(run.status == 0, "\(run.stderr)")
        return path
    }

    func validate(_ path: String, codec: String) throws {
        let run = try Fixtures.run(codec == "ogg" ? "ogginfo" : "opusinfo", [path])
        #expect(run.status == 0)
        #expect(!run.stdout.contains("WARNING") && !run.stdout.contains("ERROR"), "\(run.stdout)")
    }

    @Test(arguments: ["ogg", "opus"])
    func labelsKeepingCommentsAndAudioPages(_ codec: String) throws {
        let source = try encode(codec)
        let output = folder.file("labelled.\(codec)")
        try Fixtures.labelFile(source, to: output)
        try validate(output, codec: codec)
        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant)
        #expect(report.sites.count == 1 && report.sites[0].isCanonical)
        // Other comments kept, audio pages byte for byte, samples identical.
        let listed = try Fixtures.run("ffprobe", ["-loglevel", "error", "-show_entries", "stream_tags:format_tags", output]).stdout
        #expect(listed.contains("TITLE=Chirp"))
        #expect(listed.contains("AIGC=\(Fixtures.label().wrappedJSON)"))
        let before = try OggAdapter.headers(of: FileSource(path: source))
        let after = try OggAdapter.headers(of: FileSource(path: output))
        #expect(Array(Fixtures.read(output)[after.audioStart...]) == Array(Fixtures.read(source)[before.audioStart...]))
        #expect(try AudioSamples(contentsOf: source) == AudioSamples(contentsOf: output))
        // Relabelling replaces.
        try Fixtures.labelFile(output, to: output, with: Fixtures.label(id: "again"))
        #expect(try Fixtures.report(output).sites.count == 1)
        #expect(try Fixtures.report(output).label?.produceID == "again")
    }

    /// Header packets that fill their pages' lacing exactly (510 segments, two pages), so the
    /// label pushes them onto a third page and every audio page is renumbered with a new CRC.
    @Test func growingTheHeadersRenumbersTheAudioPages() throws {
        let source = try encode("ogg")
        let padded = folder.file("padded.ogg")
        func pad(_ filler: Int) throws -> OggAdapter.Headers {
            let run = try Fixtures.run("vorbiscomment", ["-w", "-t", "NOTE=" + String(repeating: "n", count: filler), source, padded])
            #expect(run.status == 0, "\(run.stderr)")
            return try OggAdapter.headers(of: FileSource(path: padded))
        }
        // A packet of P bytes takes P/255 + 1 segments; aim the comment packet at 254 mod 255.
        let first = try pad(60_000)
        let comment = first.packets[1].count
        let setup = first.packets[2].count
        let target = (508 - setup / 255) * 255 + 254
        let headers = try pad(60_000 + target - comment)
        #expect(headers.packets[1].count / 255 + 1 + setup / 255 + 1 == 510)
        let output = folder.file("grown.ogg")
        try Fixtures.labelFile(padded, to: output)
        let grown = try OggAdapter.headers(of: FileSource(path: output))
        #expect(grown.pages.count == 4, "\(headers.pages.count) header pages before, \(grown.pages.count) after")
        #expect(grown.pages.count != headers.pages.count)
        try validate(output, codec: "ogg")
        #expect(try AudioSamples(contentsOf: padded) == AudioSamples(contentsOf: output))
        #expect(try Fixtures.report(output).verdict == .compliant)
    }

    @Test func cutOggIsInconclusive() throws {
        let bytes = Fixtures.read(try encode("opus"))
        let path = folder.file("cut.opus")
        Fixtures.write(Array(bytes.dropLast(100)), to: path)
        #expect(try Fixtures.report(path).verdict == .inconclusive)
        #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(path, to: folder.file("cut-out.opus")) }
    }
}
