import Foundation
import Testing

@testable import SynthLabel
@testable import SynthLabelCLI

@Suite("synthlabel scan")
struct ScanTests {
    let folder = TemporaryDirectory()

    /// a/ok.png (labelled), a/plain.wav, b/story.md (labelled), b/c/vendor.png (noncompliant), notes.txt.
    func tree() throws -> String {
        let root = folder.file("tree")
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/b/c", withIntermediateDirectories: true)
        try Fixtures.labelFile(Fixtures.sample("gradient.png"), to: root + "/a/ok.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("chirp.wav"), toPath: root + "/a/plain.wav")
        try Fixtures.labelFile(Fixtures.sample("story.md"), to: root + "/b/story.md")
        let vendor = Containers.png(
            Fixtures.read(Fixtures.sample("gradient.png")),
            inserting: Containers.textChunk("AIGC", #"{"AIGC":{"Label":"AIGC","ContentProducer":"V","ProduceID":"1"}}"#), before: "IDAT")
        Fixtures.write(vendor, to: root + "/b/c/vendor.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("readme.txt"), toPath: root + "/notes.txt")
        return root
    }

    func paths(_ ndjson: String) throws -> [String] {
        try ndjson.split(separator: "\n").map { line in
            try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["path"] as? String)
        }
    }

    @Test func csvHasAHeaderAndOneEscapedRowPerFile() throws {
        let root = try tree()
        let run = try Fixtures.synthlabel("scan", "--csv", root)
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == CSVRow.header)
        #expect(lines.count == 6)
        #expect(lines.contains("\(root)/a/plain.wav,wav,unlabelled,,,,,,0,"))
        #expect(lines.contains { $0.hasPrefix("\(root)/notes.txt,text,unlabelled,") })
        let vendor = try #require(lines.first { $0.hasPrefix("\(root)/b/c/vendor.png,png,noncompliant,AIGC,V,1,,,1,") })
        #expect(vendor.contains("\"Label is \"\"AIGC\"\""))  // quotes doubled inside a quoted field
    }

    @Test func failOnSetsTheExitStatus() throws {
        let root = try tree()
        #expect(try Fixtures.synthlabel("scan", root).status == 0)
        #expect(try Fixtures.synthlabel("scan", root, "--fail-on", "noncompliant").status == 1)
        #expect(try Fixtures.synthlabel("scan", root + "/a", "--fail-on", "noncompliant,inconclusive").status == 0)
        #expect(try Fixtures.synthlabel("scan", root + "/a", "--fail-on", "unlabelled").status == 1)
        #expect(try Fixtures.synthlabel("scan", root, "--fail-on", "compliant").status == 2)
    }

    @Test func includeAndExcludeGlobs() throws {
        let root = try tree()
        #expect(
            try paths(Fixtures.synthlabel("scan", "--ndjson", root, "--include", "*.png").stdout) == [
                root + "/a/ok.png", root + "/b/c/vendor.png",
            ])
        #expect(try paths(Fixtures.synthlabel("scan", "--ndjson", root, "--include", "b/**/*.png").stdout) == [root + "/b/c/vendor.png"])
        #expect(
            try paths(Fixtures.synthlabel("scan", "--ndjson", root, "--exclude", "*.png", "--exclude", "b/*").stdout) == [
                root + "/notes.txt", root + "/a/plain.wav",
            ])
    }

    @Test func filesFromStandardInputOrAFile() throws {
        let root = try tree()
        let list = folder.file("list.txt")
        try "\(root)/b/story.md\n\n\(root)/a/ok.png\n".write(toFile: list, atomically: true, encoding: .utf8)
        #expect(
            try paths(Fixtures.synthlabel("scan", "--ndjson", "--files-from", list).stdout) == [root + "/b/story.md", root + "/a/ok.png"])
        let piped = try Fixtures.run(
            "/bin/sh", ["-c", "printf '%s\\n' \"$1\" | \"$0\" scan --ndjson --files-from -", Fixtures.binary, root + "/a/plain.wav"])
        #expect(try paths(piped.stdout) == [root + "/a/plain.wav"])
        #expect(try Fixtures.synthlabel("scan", "--files-from", folder.file("nope")).status == 2)
    }

    @Test func shardsSplitTheWalkStablyAndCompletely() throws {
        let root = try tree()
        for index in 0..<30 {
            try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: "\(root)/a/copy\(index).png")
        }
        let all = try Set(paths(Fixtures.synthlabel("scan", "--ndjson", root).stdout))
        var union: Set<String> = []
        var total = 0
        for k in 1...3 {
            let part = try paths(Fixtures.synthlabel("scan", "--ndjson", root, "--shard", "\(k)/3").stdout)
            #expect(!part.isEmpty)
            #expect(try paths(Fixtures.synthlabel("scan", "--ndjson", root, "--shard", "\(k)/3").stdout) == part)  // stable
            total += part.count
            union.formUnion(part)
        }
        #expect(union == all)
        #expect(total == all.count)  // disjoint
        #expect(try Fixtures.synthlabel("scan", root, "--shard", "4/3").status == 2)
    }

    @Test func symbolicLinksAreFollowedOnlyWhenAskedAndLoopsEndOnce() throws {
        let root = try tree()
        try FileManager.default.createSymbolicLink(atPath: root + "/a/loop", withDestinationPath: root)
        let outside = folder.copy(Fixtures.sample("chirp.flac"))
        try FileManager.default.createSymbolicLink(atPath: root + "/linked.flac", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/again.wav", withDestinationPath: root + "/a/plain.wav")
        let plain = try Fixtures.synthlabel("scan", "--ndjson", root)
        #expect(try paths(plain.stdout).count == 5)
        #expect(plain.stderr.contains("skipped: \(root)/linked.flac: a symbolic link, not followed"), "\(plain.stderr)")
        let followed = try Fixtures.synthlabel("scan", "--ndjson", "--follow-symlinks", root)
        let found = try paths(followed.stdout)
        #expect(found.count == 6)
        #expect(found.contains(root + "/linked.flac"))
        // A link to a file already in the tree names the same file: it is scanned once, and said.
        #expect(found.contains(root + "/again.wav") != found.contains(root + "/a/plain.wav"))
        #expect(followed.stderr.contains(": the same file as \(root)/"), "\(followed.stderr)")
    }
}
