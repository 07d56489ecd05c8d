import Foundation
import Synchronization
import Testing

@testable import SynthLabel

/// The ledger through the built binary: recording, reruns, recovery after a kill, lookups
/// and exports, with sqlite3, sha256sum and Python as independent readers.
@Suite("synthlabel ledger")
struct LedgerCommandTests {
    let folder = TemporaryDirectory()
    let producer = Fixtures.producer
    var ledger: String { folder.file("ledger.sqlite") }

    /// A tree of copies of the samples that `label` writes.
    func tree() throws -> String {
        let tree = folder.file("tree")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        for name in ["gradient.png", "chirp.wav", "story.md", "with-metadata.jpg"] {
            try FileManager.default.copyItem(atPath: Fixtures.sample(name), toPath: tree + "/" + name)
        }
        return tree
    }

    func synthlabel(_ arguments: String...) throws -> Fixtures.Run {
        try Fixtures.run(Fixtures.binary, arguments, environment: ["SYNTHLABEL_LEDGER": ledger])
    }

    func sql(_ query: String) throws -> String {
        try Fixtures.run("sqlite3", [ledger, query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyActIsRecordedAndTheDigestsAreWhatSha256sumSays() throws {
        let tree = try tree()
        let run = try synthlabel("label", tree, "--producer", producer, "--in-place", "--operator", "alice")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("recorded in \(ledger)"))
        #expect(try sql("PRAGMA journal_mode") == "wal")
        #expect(try sql("PRAGMA integrity_check") == "ok")
        #expect(try sql("SELECT state, count(*) FROM act GROUP BY state") == "completed|4")
        #expect(try sql("SELECT DISTINCT operator || ' ' || tool || ' ' || action FROM act") == "alice synthlabel label")

        let png = tree + "/gradient.png"
        let sum = try Fixtures.run("sha256sum", [png]).stdout.prefix(64)
        let row = try sql("SELECT sha256_before, sha256_after, produce_id, format FROM act WHERE output = '\(png)'").split(separator: "|")
        #expect(row.count == 4)
        #expect(row[1] == sum)
        #expect(row[0] == (try Fixtures.run("sha256sum", [Fixtures.sample("gradient.png")]).stdout.prefix(64)))
        #expect(try Fixtures.report(png).label?.produceID == String(row[2]))
        #expect(row[3] == "png")
    }

    /// Files too large to hold in memory are hashed as they are written (`DigestingWriter`),
    /// across its 4 MiB chunks, into a new folder and in place, with the original's digest then
    /// taken first.
    @Test(arguments: [false, true]) func theDigestsOfLargeFilesAreWhatSha256sumSays(inPlace: Bool) throws {
        let folder = TemporaryDirectory()
        let wav = folder.file("long.wav")
        let samples = (0..<2_300_000).map { sin(Double($0) * 0.01) * 0.5 }
        Fixtures.write(Media.wav(samples, channels: 2, rate: 44100, encoding: .pcm16), to: wav)
        let text = folder.file("long.md")
        Fixtures.write(Array(String(repeating: "A generated line of text.\n", count: 400_000).utf8), to: text)
        let originals = try [wav, text].map { try Fixtures.run("sha256sum", [$0]).stdout.prefix(64) }
        let out = folder.file("out")
        let run = try Fixtures.run(
            Fixtures.binary, ["label", wav, text, "--producer", producer] + (inPlace ? ["--in-place"] : ["--output", out]),
            environment: ["SYNTHLABEL_LEDGER": ledger])
        #expect(run.status == 0, "\(run.stderr)")
        for (path, original) in zip([wav, text], originals) {
            let written = inPlace ? path : out + "/" + (path as NSString).lastPathComponent
            let row = try sql("SELECT sha256_before, sha256_after FROM act WHERE output = '\(written)'").split(separator: "|")
            #expect(row.count == 2 && row[0] == original, "\(written): \(row)")
            let sum = try Fixtures.run("sha256sum", [written]).stdout.prefix(64)
            #expect(row.count == 2 && row[1] == sum, "\(written): \(row)")
        }
    }

    @Test func aRerunSkipsWhatItAlreadyLabelledAndKeepsTheIDs() throws {
        let tree = try tree()
        #expect(try synthlabel("label", tree, "--producer", producer, "--in-place").status == 0)
        let before = try sql("SELECT output, produce_id FROM act ORDER BY output")
        let bytes = Fixtures.read(tree + "/chirp.wav")

        let rerun = try synthlabel("label", tree, "--producer", producer, "--in-place")
        #expect(rerun.status == 0)
        #expect(rerun.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("already labelled: ") })
        #expect(rerun.stderr.contains("labelled 0 file(s)") && rerun.stderr.contains("already labelled 4"))
        #expect(Fixtures.read(tree + "/chirp.wav") == bytes)
        #expect(try sql("SELECT output, produce_id FROM act ORDER BY output") == before)

        // Asking for something else (a fixed ProduceID) labels again, replacing our own label.
        let other = try synthlabel("label", tree + "/chirp.wav", "--producer", producer, "--produce-id", "NEW-1", "--in-place")
        #expect(other.stdout.hasPrefix("labelled: "))
        #expect(try Fixtures.report(tree + "/chirp.wav").label?.produceID == "NEW-1")
    }

    @Test func aPendingActWhoseFileWasRenamedIsCompletedOnRerun() throws {
        let tree = try tree()
        #expect(try synthlabel("label", tree, "--producer", producer, "--in-place").status == 0)
        // As if the process was killed after the rename, before the completion was recorded.
        _ = try sql("UPDATE act SET state = 'pending', completed_at = NULL")
        let rerun = try synthlabel("label", tree, "--producer", producer, "--in-place")
        #expect(rerun.stderr.contains("already labelled 4"), "\(rerun.stderr)")
        #expect(try sql("SELECT state, count(*) FROM act GROUP BY state") == "completed|4")
    }

    @Test func aPendingActWhoseFileWasNeverRenamedIsAbandonedAndTheFileLabelled() throws {
        let tree = try tree()
        let png = tree + "/gradient.png"
        // As if killed after recording the act, before the rename: the file is still the original.
        let recorder = try Ledger(path: ledger)
        _ = try recorder.begin([
            LedgerAct(
                action: .label, tool: "synthlabel", toolVersion: "0", operatorName: "x", host: "h", path: png, output: png,
                format: "png", sha256Before: try FileDigest.sha256(ofFileAt: png), sha256After: String(repeating: "0", count: 64),
                label: Fixtures.label())
        ])
        let run = try synthlabel("label", png, "--producer", producer, "--in-place")
        #expect(run.stdout.hasPrefix("labelled: "))
        #expect(try sql("SELECT state FROM act WHERE output = '\(png)' ORDER BY id") == "abandoned\ncompleted")
    }

    @Test func staleTemporaryFilesOfDeadProcessesAreRemovedOthersKept() throws {
        let tree = try tree()
        // A pid that is not running: beyond the kernel's pid range.
        let dead = tree + "/.gradient.png.99999999-\(FileSink.hostTag)-a\(FileSink.temporarySuffix)"
        let live = tree + "/.gradient.png.\(getpid())-\(FileSink.hostTag)-b\(FileSink.temporarySuffix)"
        let otherHost = tree + "/.gradient.png.99999999-0badf00d-c\(FileSink.temporarySuffix)"
        for path in [dead, live, otherHost] { Fixtures.write([0], to: path) }
        #expect(try synthlabel("label", tree, "--producer", producer, "--in-place").status == 0)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: otherHost))
    }

    @Test func findExportAndPruneFromTheCommandLine() throws {
        let tree = try tree()
        #expect(try synthlabel("label", tree, "--producer", producer, "--produce-id", "JOB-7", "--output", folder.file("out")).status == 0)
        let png = folder.file("out/gradient.png")
        let digest = String(try Fixtures.run("sha256sum", [png]).stdout.prefix(64))

        let byDigest = try synthlabel("ledger", "find", "--digest", String(digest.prefix(12)), "--ledger", ledger)
        #expect(byDigest.status == 0)
        #expect(byDigest.stdout.contains("completed label") && byDigest.stdout.contains("-> \(png) (png)"))
        #expect(byDigest.stdout.contains("after  \(digest)"))

        let byID = try synthlabel("ledger", "find", "--produce-id", "JOB-7", "--json", "--ledger", ledger)
        let document = try JSONSerialization.jsonObject(with: Data(byID.stdout.utf8)) as! [String: [[String: Any]]]
        #expect(document["acts"]?.count == 4)
        #expect(try synthlabel("ledger", "find", "--produce-id", "NOPE", "--ledger", ledger).status == 1)
        #expect(try synthlabel("ledger", "find", "--digest", "xyz", "--ledger", ledger).status == 2)

        // Python's csv and json modules read the exports and agree on the rows.
        let csv = try synthlabel("ledger", "export", "--format", "csv", "--ledger", ledger)
        let json = try synthlabel("ledger", "export", "--format", "json", "--since", "2020-01-01", "--ledger", ledger)
        let csvFile = folder.file("acts.csv")
        let jsonFile = folder.file("acts.json")
        Fixtures.write(Array(csv.stdout.utf8), to: csvFile)
        Fixtures.write(Array(json.stdout.utf8), to: jsonFile)
        let check = try Fixtures.run(
            "python3",
            [
                "-c",
                """
                import csv, json, sys
                rows = list(csv.DictReader(open(sys.argv[1])))
                objects = json.load(open(sys.argv[2]))
                assert len(rows) == len(objects) == 4, (len(rows), len(objects))
                assert [r["sha256_after"] for r in rows] == [o["sha256_after"] for o in objects]
                assert all(o["produce_id"] == "JOB-7" and o["reserved_code1"] is None for o in objects)
                print("ok")
                """, csvFile, jsonFile,
            ])
        #expect(check.stdout == "ok\n", "\(check.stderr)")
        let future = try synthlabel("ledger", "export", "--since", "2999-01-01", "--format", "json", "--ledger", ledger)
        #expect(future.stdout == "[\n]\n")

        let refused = try synthlabel("ledger", "prune", "--before", LedgerClock.now(), "--ledger", ledger)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("at least six months") && refused.stderr.contains("nothing was deleted"))
        #expect(try sql("SELECT count(*) FROM act") == "4")
        let allowed = try synthlabel("ledger", "prune", "--before", "2000-01-01", "--ledger", ledger)
        #expect(allowed.stdout == "deleted 0 act(s) recorded before 2000-01-01\n")
        #expect(try synthlabel("ledger", "find", "--file", png, "--ledger", folder.file("missing.sqlite")).status == 2)
    }

    @Test func concurrentLabelProcessesShareOneLedger() throws {
        let trees = try (0..<4).map { index in
            let tree = folder.file("t\(index)")
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            for copy in 0..<20 {
                try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: "\(tree)/\(copy).png")
            }
            return tree
        }
        let statuses = Mutex([Int32](repeating: -1, count: 4))
        let ledger = ledger
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let status =
                (try? Fixtures.run(
                    Fixtures.binary, ["label", trees[index], "--producer", Fixtures.producer, "--in-place"],
                    environment: ["SYNTHLABEL_LEDGER": ledger]
                ).status) ?? -1
            statuses.withLock { $0[index] = status }
        }
        #expect(statuses.withLock { $0 } == [0, 0, 0, 0])
        #expect(try sql("SELECT state, count(*), count(DISTINCT output) FROM act GROUP BY state") == "completed|80|80")
    }

    @Test func noLedgerRecordsNothingAndAnUnusableLedgerStopsBeforeAnyFile() throws {
        let tree = try tree()
        let original = Fixtures.read(tree + "/gradient.png")
        let blocked = try synthlabel(
            "label", tree, "--producer", producer, "--in-place", "--ledger", Fixtures.sample("gradient.png") + "/ledger.sqlite")
        #expect(blocked.status == 2)  // an I/O error before any file
        #expect(blocked.stderr.contains("cannot open the ledger"))
        #expect(Fixtures.read(tree + "/gradient.png") == original)

        #expect(try synthlabel("label", tree, "--producer", producer, "--in-place", "--no-ledger").status == 0)
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }
}

/// `label --ledger postgres://…` and `synthlabel ledger … --ledger postgres://…`: the same
/// commands on a ledger many machines share, with psql as the independent reader.
@Suite("synthlabel ledger on PostgreSQL")
struct PostgresLedgerCommandTests {
    let folder = TemporaryDirectory()

    @Test func labelRecordsToPostgresAndTheLedgerCommandsReadIt() throws {
        let database = try PostgresDatabase()
        let tree = folder.file("tree")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        for name in ["gradient.png", "chirp.wav"] {
            try FileManager.default.copyItem(atPath: Fixtures.sample(name), toPath: tree + "/" + name)
        }
        // The password from $PGPASSWORD, as libpq's tools take it; never printed.
        let passwordless = database.url.replacingOccurrences(of: ":synthlabel_test@", with: "@")
        let environment = ["PGPASSWORD": "synthlabel_test"]
        let labelled = try Fixtures.run(
            Fixtures.binary, ["label", tree, "--producer", Fixtures.producer, "--in-place", "--ledger", passwordless],
            environment: environment)
        #expect(labelled.status == 0, "\(labelled.stderr)")
        #expect(labelled.stderr.contains("recorded in \(passwordless)"))
        #expect(try database.value("SELECT state || ' ' || count(*) FROM act GROUP BY state") == "completed 2")

        let png = tree + "/gradient.png"
        let sum = String(try Fixtures.run("sha256sum", [png]).stdout.prefix(64))
        let found = try Fixtures.run(
            Fixtures.binary, ["ledger", "find", "--digest", String(sum.prefix(12)), "--json", "--ledger", database.url])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.contains("\"output\":\"\(png)\"") && found.stdout.contains("\"sha256_after\":\"\(sum)\""))

        let exported = try Fixtures.run(Fixtures.binary, ["ledger", "export", "--ledger", database.url])
        #expect(exported.stdout.split(separator: "\n").count == 3, "a header and two acts: \(exported.stdout)")
        // Six months are kept on PostgreSQL too: a recent date is refused, nothing deleted.
        let pruned = try Fixtures.run(Fixtures.binary, ["ledger", "prune", "--before", "2026-11-01", "--ledger", database.url])
        #expect(pruned.status == 2 && pruned.stderr.contains("six months"))
        #expect(try database.value("SELECT count(*) FROM act") == "2")
        // A rerun finds its acts in the shared ledger and labels nothing again.
        let again = try Fixtures.run(
            Fixtures.binary, ["label", tree, "--producer", Fixtures.producer, "--in-place", "--ledger", database.url])
        #expect(again.stdout.contains("already labelled"), "\(again.stdout)")
        #expect(try database.value("SELECT count(*) FROM act") == "2")
    }
}
