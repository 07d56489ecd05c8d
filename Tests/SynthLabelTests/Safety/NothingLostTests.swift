import Foundation
import Testing

@testable import SynthLabel

/// Nothing lost in bulk runs: no output written over another, no file labelled twice, a file
/// labelled in place keeps what it was, nothing in the tree passed over in silence, and a
/// closed pipe or an interrupt never leaves a batch half done.
@Suite("nothing lost in bulk runs")
struct NothingLostTests {
    let folder = TemporaryDirectory()
    let producer = Fixtures.producer

    private func makeFolders(_ names: String...) throws {
        for name in names { try FileManager.default.createDirectory(atPath: folder.file(name), withIntermediateDirectories: true) }
    }

    private func acts(in ledger: String, writing output: String) throws -> [String] {
        let query = "SELECT state FROM act WHERE output LIKE '%\(output)'"
        let run = try Fixtures.run("sqlite3", [ledger, query])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        return run.stdout.split(separator: "\n").map(String.init)
    }

    // MARK: 1. Output collisions

    @Test func twoInputsBoundForOneOutputAreRefusedBeforeAnythingIsWritten() throws {
        try makeFolders("d1", "d2", "x", "y")
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: folder.file("d1/pic.png"))
        try FileManager.default.copyItem(atPath: Fixtures.sample("grey-interlaced.png"), toPath: folder.file("d2/pic.png"))
        try FileManager.default.copyItem(atPath: Fixtures.sample("chirp.wav"), toPath: folder.file("d2/other.wav"))
        let ledger = folder.file("ledger.sqlite")

        let run = try Fixtures.synthlabel(
            "label", folder.file("d1"), folder.file("d2"), "--producer", producer, "--output", folder.file("o"), "--ledger", ledger)
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(folder.file("d1/pic.png")): refused: \(folder.file("d2/pic.png")) would be written to the same"))
        #expect(run.stderr.contains("\(folder.file("d2/pic.png")): refused: \(folder.file("d1/pic.png")) would be written to the same"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("o/pic.png")))
        #expect(FileManager.default.fileExists(atPath: folder.file("o/other.wav")))
        #expect(try acts(in: ledger, writing: "/o/pic.png").isEmpty)

        // Two file arguments with one name.
        try FileManager.default.copyItem(atPath: folder.file("d1/pic.png"), toPath: folder.file("x/pic.png"))
        try FileManager.default.copyItem(atPath: folder.file("d2/pic.png"), toPath: folder.file("y/pic.png"))
        let files = try Fixtures.synthlabel(
            "label", folder.file("x/pic.png"), folder.file("y/pic.png"), "--producer", producer, "--output", folder.file("o2"),
            "--ledger", ledger)
        #expect(files.status == 1 && !FileManager.default.fileExists(atPath: folder.file("o2/pic.png")), "\(files.stderr)")

        // --keep-paths keeps each argument's own path, so both land, each with its own act.
        let kept = try Fixtures.synthlabel(
            "label", folder.file("d1"), folder.file("d2"), "--producer", producer, "--output", folder.file("o3"), "--keep-paths",
            "--ledger", ledger)
        #expect(kept.status == 0, "\(kept.stderr)")
        let base = folder.file("o3") + folder.path
        for (name, source) in [("d1/pic.png", "gradient.png"), ("d2/pic.png", "grey-interlaced.png")] {
            #expect(try Fixtures.report(base + "/" + name).verdict == .compliant)
            #expect(try acts(in: ledger, writing: "/o3\(folder.path)/\(name)") == ["completed"])
            // The pixels each one came from (a PNG's IDAT chunks are kept as they were).
            let idat = { (path: String) in Containers.pngChunks(Fixtures.read(path)).filter { $0.type == "IDAT" }.flatMap(\.bytes) }
            #expect(idat(base + "/" + name) == idat(Fixtures.sample(source)))
        }
    }

    // MARK: 2. The same file reached twice

    @Test func aFileReachedTwiceIsLabelledOnce() throws {
        try makeFolders("ov/sub")
        try FileManager.default.copyItem(atPath: Fixtures.sample("chirp.flac"), toPath: folder.file("ov/sub/a.flac"))
        let ledger = folder.file("ledger.sqlite")
        let run = try Fixtures.synthlabel(
            "label", folder.file("ov"), folder.file("ov/sub"), folder.file("ov/sub/a.flac"), "--producer", producer, "--in-place",
            "--ledger", ledger, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let acts = try Fixtures.run("sqlite3", [ledger, "SELECT state, produce_id FROM act"]).stdout
        let rows = acts.split(separator: "\n")
        #expect(rows.count == 1 && rows[0].hasPrefix("completed|"), "\(acts)")
        let idInFile = try #require(try Fixtures.report(folder.file("ov/sub/a.flac")).label?.produceID)
        #expect(rows.first?.hasSuffix("|" + idInFile) == true, "recorded \(acts), file holds \(idInFile)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["done"] as? Int == 1 && summary["skipped"] as? Int == 2, "\(summary)")
    }

    // MARK: 3. In place, the file keeps what it was

    @Test(.enabled(if: geteuid() == 0, "giving a file another owner needs root"))
    func inPlaceKeepsOwnerGroupAndExtendedAttributes() throws {
        let path = folder.copy(Fixtures.sample("gradient.jpg"))
        #expect(chown(path, 12345, 23456) == 0)
        #expect(chmod(path, 0o640) == 0)
        try Media.shell("python3 -c \"import os; os.setxattr('\(path)', 'user.origin', b'camera 7')\"")
        let run = try Fixtures.synthlabel("label", path, "--producer", producer, "--in-place", "--no-ledger")
        #expect(run.status == 0, "\(run.stderr)")
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_uid == 12345 && status.st_gid == 23456 && status.st_mode & 0o7777 == 0o640)
        let attribute = try Media.shell("python3 -c \"import os; print(os.getxattr('\(path)', 'user.origin').decode())\"").stdout
        #expect(attribute == "camera 7\n")
        #expect(try Fixtures.report(path).verdict == .compliant)
    }

    @Test func aHardLinkedFileLabelledInPlaceIsReported() throws {
        let path = folder.copy(Fixtures.sample("chirp.mp3"))
        #expect(link(path, folder.file("other-name.mp3")) == 0)
        let run = try Fixtures.synthlabel("label", path, "--producer", producer, "--in-place", "--no-ledger")
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: \(path) has 1 other hard link(s)"), "\(run.stderr)")
        #expect(Fixtures.read(folder.file("other-name.mp3")) == Fixtures.read(Fixtures.sample("chirp.mp3")))
    }

    // MARK: 8. Nothing in the tree passed over in silence

    @Test func linksUnreadableFoldersAndOddNamesAreReportedAndCounted() throws {
        try makeFolders("tree/locked", "empty")
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: folder.file("tree/a.png"))
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: folder.file("tree/locked/b.png"))
        try FileManager.default.createSymbolicLink(atPath: folder.file("tree/link.png"), withDestinationPath: "a.png")
        // A name that is not UTF-8: "pic" 0xFF ".png".
        let odd = PathBytes.string(Array(folder.file("tree/pic").utf8) + [0xFF] + Array(".png".utf8))
        let source = Fixtures.read(Fixtures.sample("gradient.png"))
        let descriptor = FileSystem.open(odd, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(descriptor >= 0)
        _ = source.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        #expect(chmod(folder.file("tree/locked"), 0) == 0)
        defer { chmod(folder.file("tree/locked"), 0o755) }
        // Root reads any folder, so the walk runs as nobody where the tests run as root.
        let asUser = geteuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        try Media.shell("chmod -R a+rwX '\(folder.path)' && chmod 0 '\(folder.file("tree/locked"))'")
        let run = try Fixtures.run(
            "env",
            asUser + [Fixtures.binary, "label", folder.file("tree"), "--producer", producer, "--output", folder.file("out"), "--no-ledger"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("error: \(folder.file("tree/locked")): cannot read the folder: Permission denied"), "\(run.stderr)")
        #expect(run.stdout.contains("skipped: \(folder.file("tree/link.png")): a symbolic link, not followed"), "\(run.stdout)")
        #expect(run.stdout.contains("labelled: \(folder.file("tree/pic"))\\xFF.png"), "\(run.stdout)")
        #expect(run.stderr.contains("labelled 2 file(s), skipped 1, failed 1"), "\(run.stderr)")
        let labelledOdd = PathBytes.string(Array(folder.file("out/pic").utf8) + [0xFF] + Array(".png".utf8))
        #expect(try Verifier().verify(fileAt: labelledOdd).verdict == .compliant)

        // Named directly, the odd name works too (through bash: Process passes UTF-8 only).
        let direct = try Media.shell("'\(Fixtures.binary)' verify \"$(printf '%s/pic\\xff.png' '\(folder.file("out"))')\"")
        #expect(direct.stdout.contains("pic\\xFF.png: compliant"), "\(direct.stdout)")

        let nothing = try Fixtures.synthlabel("verify", folder.file("empty"))
        #expect(nothing.status == 2 && nothing.stderr.contains("no file of a format SynthLabel reads"), "\(nothing.stderr)")
    }

    // MARK: 11. A closed pipe and an interrupt

    private func tree(of count: Int, _ sample: String = "chirp.wav") throws -> String {
        try makeFolders("many")
        for index in 0..<count {
            try FileManager.default.copyItem(
                atPath: Fixtures.sample(sample), toPath: folder.file("many/\(String(format: "%03d", index))-\(sample)"))
        }
        return folder.file("many")
    }

    /// Several batches, so results are still being written after `head` has gone (one batch
    /// would fit in the pipe's buffer and hide the problem).
    @Test func aClosedStdoutEndsTheOutputNotTheWork() throws {
        let tree = try tree(of: 300, "gradient.png")
        let out = folder.file("out")
        let run = try Media.shell(
            "'\(Fixtures.binary)' label '\(tree)' --producer \(producer) --output '\(out)' --no-ledger | head -1; echo \"exit ${PIPESTATUS[0]}\""
        )
        #expect(run.stdout.hasSuffix("exit 0\n"), "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("labelled 300 file(s)"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).count == 300)
    }

    /// 2,000 files, so the run is still going when the first file lands, even on a loaded machine
    /// whose polling for that file is slow.
    @Test(arguments: [("INT", 130), ("TERM", 143)])
    func anInterruptStopsAtABatchAndSaysHowFar(signal: String, status: Int) throws {
        let tree = try tree(of: 2000)
        let out = folder.file("out-\(signal)")
        let run = try Media.shell(
            """
            '\(Fixtures.binary)' label '\(tree)' --producer \(producer) --output '\(out)' --no-ledger > /dev/null 2> '\(out).err' &
            pid=$!
            until [ "$(ls '\(out)' 2>/dev/null | wc -l)" -ge 1 ]; do sleep 0.01; done
            kill -\(signal) $pid
            set +e; wait $pid; echo "exit $?"; cat '\(out).err'
            """)
        #expect(run.stdout.hasPrefix("exit \(status)\n"), "\(run.stdout)")
        let lines = run.stdout.split(separator: "\n").filter { $0.contains("interrupted after") }
        #expect(lines.count == 1 && lines[0].contains(" of 2000 file(s)"), "\(run.stdout)")
        // Every file that arrived is whole; nothing half-written is left behind.
        let written = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(written.count < 2000 && written.allSatisfy { $0.hasSuffix(".wav") }, "\(written.count)")
        for name in written.prefix(5) { #expect(try Fixtures.report(out + "/" + name).verdict == .compliant) }
    }

    // MARK: 13. Progress on a terminal

    @Test func progressShowsDoneTotalRateAndTimeLeftOnATerminal() throws {
        let tree = try tree(of: 3, "gradient.png")
        let command = "'\(Fixtures.binary)' label '\(tree)' --producer \(producer) --output '\(folder.file("p"))' --no-ledger"
        let shown = try Fixtures.run("script", ["-qec", command, "/dev/null"]).stdout
        #expect(shown.contains("labelled 1/3 files, ") && shown.contains(" left"), "\(shown)")
        let quiet = try Fixtures.run("script", ["-qec", command.replacingOccurrences(of: "/p'", with: "/q'") + " --quiet", "/dev/null"])
            .stdout
        #expect(!quiet.contains("1/3 files") && quiet.contains("labelled 3 file(s)"), "\(quiet)")
    }
}
