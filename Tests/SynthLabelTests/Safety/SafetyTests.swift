import Foundation
import Testing

@testable import SynthLabel

@Suite("Nothing lost")
struct SafetyTests {
    let folder = TemporaryDirectory()

    @Test func inPlaceKeepsTheFileMode() throws {
        let path = folder.copy(Fixtures.sample("gradient.png"))
        chmod(path, 0o640)
        try Fixtures.labelFile(path, to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func unwritableDestinationLeavesNoTrace() throws {
        let source = folder.copy(Fixtures.sample("chirp.wav"))
        let locked = folder.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        try Fixtures.labelFile(source, to: locked + "/chirp.wav")  // target exists, then lock the folder
        let before = Fixtures.read(locked + "/chirp.wav")
        chmod(locked, 0o500)
        defer { chmod(locked, 0o700) }
        if getuid() == 0 {
            // root ignores permission bits; a path through a regular file fails for everyone.
            #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(source, to: source + "/inside.wav") }
        } else {
            #expect(throws: SynthLabelError.self) {
                try Fixtures.labelFile(source, to: locked + "/chirp.wav", with: Fixtures.label(id: "x"))
            }
        }
        #expect(Fixtures.read(locked + "/chirp.wav") == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == ["chirp.wav"])
    }

    /// A file-size limit makes every write past 64 KiB fail, as a full disk would.
    @Test func fullDiskLeavesTheOriginalAndNoTemporaryFile() throws {
        let path = folder.file("chirp.wav")
        let big = Fixtures.pcmWAV(dataSize: 256 * 1024)
        Fixtures.write(big, to: path)
        let command = "trap '' XFSZ; ulimit -f 64; exec \"$0\" label \"$1\" --producer \(Fixtures.producer) --in-place \"$2\""
        let run = try Fixtures.run("/bin/sh", ["-c", command, Fixtures.binary, path, "--no-ledger"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot write"), "\(run.stderr)")
        #expect(run.stderr.contains("the original is unchanged"))
        #expect(Fixtures.read(path) == big)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["chirp.wav"])

        // The ledger on the same full disk: the file is not labelled without its record.
        let ledger = TemporaryDirectory()
        let recorded = try Fixtures.run("/bin/sh", ["-c", command, Fixtures.binary, path, "--ledger=\(ledger.file("ledger.sqlite"))"])
        #expect(recorded.status == 2, "\(recorded.stderr)")  // the ledger cannot be made: an I/O error before any file
        #expect(Fixtures.read(path) == big)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["chirp.wav"])
    }

    @Test func symbolicLinksAreNotReplacedInPlace() throws {
        let target = folder.copy(Fixtures.sample("gradient.png"))
        let link = folder.file("link.png")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect {
            try Fixtures.labelFile(link, to: link)
        } throws: { $0 as? SynthLabelError == .symbolicLink(path: link) }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        try Fixtures.labelFile(link, to: folder.file("copy.png"))  // reading through a link is fine
        #expect(try Fixtures.report(folder.file("copy.png")).verdict == .compliant)
    }

    @Test func anotherProducersLabelIsNeverReplaced() throws {
        let path = folder.copy(Fixtures.sample("gradient.jpg"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(producer: "OTHERVENDOR"))
        let before = Fixtures.read(path)
        #expect {
            try Fixtures.labelFile(path, to: path)
        } throws: { $0 as? SynthLabelError == .anotherProducersLabel(path: path, producer: "OTHERVENDOR") }
        #expect(Fixtures.read(path) == before)
    }

    @Test func propagationFieldsSurviveTheProducerRelabelling() throws {
        let path = folder.copy(Fixtures.sample("chirp.flac"))
        var label = Fixtures.label(id: "a")
        label[.contentPropagator] = "PLATFORM1"
        label[.propagateID] = "up-9"
        try Fixtures.labelFile(path, to: path, with: label)
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "b"))
        let report = try Fixtures.report(path)
        #expect(report.label?[.contentPropagator] == "PLATFORM1")
        #expect(report.label?[.propagateID] == "up-9")
        #expect(report.label?.produceID == "b")
    }

    /// Kills `synthlabel` while it rewrites a large WAV in place, many times, at different
    /// moments: the file must always be either the original or the complete labelled copy.
    @Test func killAtAnyMomentLeavesOriginalOrComplete() throws {
        let path = folder.file("big.wav")
        let dataSize = 24 << 20
        let original = Fixtures.pcmWAV(dataSize: dataSize)
        Fixtures.write(original, to: path)
        var outcomes: Set<String> = []
        for delay in [0, 2_000, 8_000, 20_000, 60_000, 150_000] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fixtures.binary)
            process.arguments = ["label", path, "--producer", Fixtures.producer, "--produce-id", "K", "--in-place"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = Fixtures.read(path)
            if now == original {
                outcomes.insert("original")
            } else {
                #expect(Array(now.prefix(44 + dataSize).dropFirst(8)) == Array(original.dropFirst(8)))
                #expect(try Fixtures.report(path).verdict == .compliant)
                outcomes.insert("labelled")
                Fixtures.write(original, to: path)
            }
        }
        #expect(outcomes.contains("original"))
        // Uninterrupted, the same command labels the file: the kills above hit real work.
        let complete = try Fixtures.synthlabel("label", path, "--producer", Fixtures.producer, "--produce-id", "K", "--in-place")
        #expect(complete.status == 0, "\(complete.stderr)")
        #expect(try Fixtures.report(path).verdict == .compliant)
        // Leftover temporary files carry the documented suffix and are skipped by scans.
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != "big.wav" {
            #expect(name.hasSuffix(FileSink.temporarySuffix))
        }
    }

    /// The sweep takes a dead process's temporaries and scratch files (a spooled upload keeps its
    /// extension after the suffix) and nothing else: not a live process's, not another host's,
    /// not a name that merely looks alike.
    @Test func theSweepTakesOnlyADeadProcesssLeftovers() throws {
        let folder = TemporaryDirectory()
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        let host = FileSink.hostTag
        let stale = [".a.png.\(dead)-\(host)-1\(FileSink.temporarySuffix)", ".serve.\(dead)-\(host)-2\(FileSink.temporarySuffix).md"]
        let kept = [
            ".serve.\(getpid())-\(host)-3\(FileSink.temporarySuffix).md", ".serve.\(dead)-0badc0de-4\(FileSink.temporarySuffix).txt",
            ".serve.\(dead)-\(host)-5\(FileSink.temporarySuffix).toolongext", "story.md", "notes\(FileSink.temporarySuffix).md.bak",
        ]
        for name in stale + kept { Fixtures.write([1], to: folder.file(name)) }
        #expect(FileSink.scratchName("serve", fileExtension: "md").hasSuffix(FileSink.temporarySuffix + ".md"))
        #expect(FileSink.scratchName("serve", fileExtension: "M/D").hasSuffix(FileSink.temporarySuffix))
        #expect(Labeller.removeStaleTemporaryFiles(in: folder.path) == stale.count)
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: folder.path)) == Set(kept))
    }
}
