import Foundation
import SynthLabelCLI
import Testing

@testable import SynthLabel

/// End to end: the built `synthlabel` binary, its exact output and exit status.
@Suite("synthlabel command line")
struct CLITests {
    let folder = TemporaryDirectory()
    let producer = Fixtures.producer

    @Test func labelsATreeIntoAnOutputFolderAndVerifiesIt() throws {
        let tree = folder.file("in")
        try FileManager.default.createDirectory(atPath: tree + "/nested", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: tree + "/nested/a.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("readme.txt"), toPath: tree + "/b.txt")
        let single = folder.copy(Fixtures.sample("chirp.wav"))
        let out = folder.file("out")

        let run = try Fixtures.synthlabel("label", tree, single, "--producer", producer, "--produce-id", "P1", "--output", out)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout == """
                skipped: \(tree)/b.txt: plain text has no metadata to hold a label; --explicit writes a notice, --invisible-text a hidden label
                labelled: \(tree)/nested/a.png -> \(out)/nested/a.png (PNG, ProduceID P1)
                labelled: \(single) -> \(out)/chirp.wav (WAV, ProduceID P1)

                """)
        #expect(run.stderr.contains("labelled 2 file(s), skipped 1, failed 0"))
        #expect(run.stderr.contains("the same ProduceID"))
        // Originals untouched.
        #expect(Fixtures.read(tree + "/nested/a.png") == Fixtures.read(Fixtures.sample("gradient.png")))

        let verify = try Fixtures.synthlabel("verify", out + "/nested/a.png")
        #expect(verify.status == 0)
        #expect(
            verify.stdout == """
                \(out)/nested/a.png: compliant (PNG)
                  producer   Label=1 ContentProducer=\(producer) ProduceID=P1
                  site       iTXt chunk "XML:com.adobe.xmp", XMP element TC260:AIGC at byte 33 (canonical)

                """)
    }

    @Test func generatedProduceIDsAreUniqueAndInTheCharacterSet() throws {
        let out = folder.file("ids")
        let run = try Fixtures.synthlabel("label", Fixtures.samples, "--producer", producer, "--output", out, "--json")
        #expect(run.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let files = document["files"] as! [[String: Any]]
        let ids = files.compactMap { ($0["label"] as? [String: String])?["ProduceID"] }
        #expect(ids.count == files.filter { $0["status"] as? String == "labelled" }.count)
        #expect(Set(ids).count == ids.count)
        #expect(
            ids.allSatisfy {
                $0.hasPrefix("SL") && $0.count == 34 && AIGCLabel(contentProducer: "P", produceID: $0).validationProblems().isEmpty
            })
    }

    @Test func verifyJSONHasFilesWithPathVerdictAndLabel() throws {
        let labelled = folder.file("x.flac")
        try Fixtures.labelFile(Fixtures.sample("chirp.flac"), to: labelled)
        let run = try Fixtures.synthlabel("verify", "--json", labelled, Fixtures.sample("chirp.flac"))
        #expect(run.status == 1)  // the unlabelled original is not compliant
        let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let files = document["files"] as! [[String: Any]]
        #expect(files.map { $0["verdict"] as? String } == ["compliant", "unlabelled"])
        #expect(files[0]["path"] as? String == labelled)
        let label = files[0]["label"] as! [String: String]
        #expect(label["ContentProducer"] == producer)
        #expect(label.keys.sorted() == AIGCLabel.Field.allCases.map(\.rawValue).sorted())
    }

    @Test func exitStatusIsTwoForUsageAndMissingFiles() throws {
        #expect(try Fixtures.synthlabel("label", Fixtures.samples, "--producer", producer).status == 2)  // neither --output nor --in-place
        #expect(try Fixtures.synthlabel("label", Fixtures.samples, "--producer", "has space", "--in-place").status == 2)
        #expect(try Fixtures.synthlabel("label", Fixtures.samples, "--producer", producer, "--label", "4", "--in-place").status == 2)
        let missing = try Fixtures.synthlabel("verify", folder.file("nope.png"))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.png: no such file or directory"))
        let unknown = folder.file("data.bin")
        Fixtures.write([0, 1, 2, 3], to: unknown)
        #expect(try Fixtures.synthlabel("verify", unknown).status == 2)
    }

    @Test func bulkRunCarriesOnPastABadFile() throws {
        let tree = folder.file("mixed")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        let bad = Array(Fixtures.read(Fixtures.sample("gradient.png")).prefix(60))
        Fixtures.write(bad, to: tree + "/a-broken.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.jpg"), toPath: tree + "/b-good.jpg")
        let run = try Fixtures.synthlabel("label", tree, "--producer", producer, "--in-place")
        #expect(run.status == 1)
        #expect(run.stderr.contains("a-broken.png: damaged file:"))
        #expect(run.stdout.contains("labelled: \(tree)/b-good.jpg"))
        #expect(Fixtures.read(tree + "/a-broken.png") == bad)
    }

    @Test func dryRunWritesNothing() throws {
        let path = folder.copy(Fixtures.sample("chirp.mp3"))
        let run = try Fixtures.synthlabel("label", path, "--producer", producer, "--in-place", "--dry-run")
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("would be labelled: \(path)"))
        #expect(Fixtures.read(path) == Fixtures.read(Fixtures.sample("chirp.mp3")))
    }

    @Test func scanReportsNonCompliantFilesAndASummary() throws {
        let tree = folder.file("scan")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try Fixtures.labelFile(Fixtures.sample("gradient.png"), to: tree + "/ok.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("chirp.wav"), toPath: tree + "/plain.wav")
        try FileManager.default.copyItem(atPath: Fixtures.sample("readme.txt"), toPath: tree + "/notes.txt")
        try FileManager.default.createSymbolicLink(atPath: tree + "/loop", withDestinationPath: tree)

        let run = try Fixtures.synthlabel("scan", tree)
        #expect(run.status == 0)
        #expect(
            run.stdout == """
                unlabelled    \(tree)/notes.txt (plain text)
                unlabelled    \(tree)/plain.wav (WAV)
                format       compliant    noncompliant inconclusive unlabelled   total
                png          1            0            0            0            1
                text         0            0            0            1            1
                wav          0            0            0            1            1
                all          1            0            0            2            3

                """)
        #expect(run.stderr.contains("scanned 3 file(s), skipped 1 (unsupported or passed over)"))

        let ndjson = try Fixtures.synthlabel("scan", "--ndjson", tree)
        let lines = ndjson.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        let first = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
        #expect(first["path"] as? String == tree + "/ok.png")
        #expect(first["verdict"] as? String == "compliant")
    }

    @Test func helpTeaches() throws {
        let help = try Fixtures.synthlabel("label", "--help")
        #expect(help.status == 0)
        #expect(help.stdout.contains("--producer"))
        #expect(help.stdout.contains("unique ID"))
        #expect(try Fixtures.synthlabel("--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == SynthLabelCLI.version)
    }
}
