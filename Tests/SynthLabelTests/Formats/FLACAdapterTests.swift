import Foundation
import Testing

@testable import SynthLabel

@Suite("FLAC adapter")
struct FLACAdapterTests {
    let folder = TemporaryDirectory()

    func layout(_ path: String) throws -> FLACAdapter.Layout { try FLACAdapter.layout(of: FileSource(path: path)) }

    @Test func usesThePaddingBlockWhenItFits() throws {
        let source = Fixtures.sample("chirp.flac")
        let output = folder.file("chirp.flac")
        try Fixtures.labelFile(source, to: output)
        let before = try layout(source)
        let after = try layout(output)
        #expect(before.blocks.contains { $0.type == FLACAdapter.paddingBlock })
        #expect(after.audioStart == before.audioStart)  // frames did not move
        #expect(Fixtures.read(output).count == Fixtures.read(source).count)
        #expect(Array(Fixtures.read(output)[after.audioStart...]) == Array(Fixtures.read(source)[before.audioStart...]))
        #expect(try AudioSamples(contentsOf: source) == AudioSamples(contentsOf: output))
        #expect(try Fixtures.run("flac", ["--silent", "-t", output]).status == 0)
        #expect(try Fixtures.exiftool("Vorbis:AIGC", output) == Fixtures.label().wrappedJSON)
        #expect(try Fixtures.report(output).verdict == .compliant)
    }

    @Test func keepsOtherCommentsAndReplacesOldLabels() throws {
        let path = folder.copy(Fixtures.sample("chirp.flac"))
        try Fixtures.run("metaflac", ["--set-tag=TITLE=Chirp", "--set-tag=aigc=\(Fixtures.label(id: "lower").wrappedJSON)", path])
        #expect(try Fixtures.report(path).sites.map(\.location) == ["VORBIS_COMMENT entry aigc"])
        try Fixtures.labelFile(path, to: path)
        let tags = try Fixtures.run("metaflac", ["--export-tags-to=-", path]).stdout
        #expect(tags.contains("TITLE=Chirp"))
        #expect(
            tags.components(separatedBy: "\n").filter { $0.uppercased().hasPrefix("AIGC=") } == ["AIGC=\(Fixtures.label().wrappedJSON)"])
    }

    @Test func rewritesTheMetadataWhenThereIsNoPadding() throws {
        let path = folder.copy(Fixtures.sample("chirp.flac"))
        try Fixtures.run("metaflac", ["--remove", "--block-type=PADDING", "--dont-use-padding", path])
        let before = try layout(path)
        #expect(!before.blocks.contains { $0.type == FLACAdapter.paddingBlock })
        let original = Fixtures.read(path)
        let output = folder.file("nopad-out.flac")
        try Fixtures.labelFile(path, to: output)
        let after = try layout(output)
        #expect(after.blocks.last?.type == FLACAdapter.paddingBlock)
        #expect(Array(Fixtures.read(output)[after.audioStart...]) == Array(original[before.audioStart...]))
        #expect(try Fixtures.run("flac", ["--silent", "-t", output]).status == 0)
        #expect(try AudioSamples(contentsOf: path) == AudioSamples(contentsOf: output))
    }

    @Test func hugeCommentCountIsAnErrorNotAnAllocation() throws {
        let path = folder.copy(Fixtures.sample("chirp.flac"))
        try Fixtures.labelFile(path, to: path)
        var bytes = Fixtures.read(path)
        let block = try #require(try layout(path).blocks.first { $0.type == FLACAdapter.commentBlock })
        let vendorLength = Int(try bytes.uint32LE(at: block.offset + 4))
        bytes.replaceSubrange(block.offset + 8 + vendorLength..<block.offset + 12 + vendorLength, with: [0xFF, 0xFF, 0xFF, 0x7F])
        Fixtures.write(bytes, to: path)
        #expect(try Fixtures.report(path).verdict == .inconclusive)
    }
}
