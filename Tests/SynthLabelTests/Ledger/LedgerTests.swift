import Foundation
import SynthLabelPostgres
import Testing

@testable import SynthLabel

/// The ledger library: acts recorded, completed, abandoned, found, exported and pruned, the same
/// in an SQLite file and in PostgreSQL (a fresh database on the server scripts/postgres.sh starts).
@Suite("ledger")
struct LedgerTests {
    let folder = TemporaryDirectory()

    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A ledger of `kind` (`connections` of them on one database), with what keeps it alive.
    struct Opened {
        var ledgers: [Ledger]
        var postgres: PostgresDatabase?
        var ledger: Ledger { ledgers[0] }
    }

    func open(_ kind: Kind, connections: Int = 1) throws -> Opened {
        switch kind {
        case .sqlite:
            let path = folder.file("nested/dir/ledger.sqlite")
            return Opened(ledgers: try (0..<connections).map { _ in try Ledger(path: path) })
        case .postgres:
            let database = try PostgresDatabase()
            return Opened(ledgers: try (0..<connections).map { _ in try LedgerLocation.open(database.url) }, postgres: database)
        }
    }

    static func act(output: String = "/data/a.png", after: String = String(repeating: "b", count: 64), time: String = LedgerClock.now())
        -> LedgerAct
    {
        LedgerAct(
            time: time, action: .label, tool: "synthlabel", toolVersion: "test", operatorName: "tester", host: "host",
            path: output, output: output, format: "png", sha256Before: String(repeating: "a", count: 64), sha256After: after,
            label: Fixtures.label(id: "P-\(output)"), keyID: "k1")
    }

    @Test(arguments: Kind.allCases) func actsArePendingUntilFinishedAndRoundTripEveryColumn(_ kind: Kind) throws {
        let opened = try open(kind)
        let ledger = opened.ledger
        let recorded = try ledger.begin([Self.act(), Self.act(output: "/data/b.png")])
        #expect(recorded.map(\.state) == [.pending, .pending])
        #expect(recorded[0].id != nil && recorded[0].id != recorded[1].id)
        let found = try #require(try ledger.act(writing: "/data/a.png", sha256: String(repeating: "b", count: 64)))
        #expect(found == recorded[0])

        try ledger.finish(completed: [recorded[0].id!], abandoned: [recorded[1].id!])
        let completed = try #require(try ledger.acts(produceID: "P-/data/a.png").first)
        #expect(completed.state == .completed)
        #expect(completed.completedAt != nil)
        #expect(try ledger.acts(produceID: "P-/data/b.png").first?.state == .abandoned)
        // An abandoned act never made the bytes it planned.
        #expect(try ledger.act(writing: "/data/b.png", sha256: String(repeating: "b", count: 64)) == nil)
    }

    /// A ledger written before a column was added opens, keeps its acts, and gains the column.
    @Test func aLedgerFromAnEarlierVersionGainsTheNewColumns() throws {
        let path = folder.file("old.sqlite")
        let oldColumns = LedgerAct.columns.filter { $0 != "watermark_note" }
        let create =
            "CREATE TABLE act (id INTEGER PRIMARY KEY, " + oldColumns.dropFirst().map { "\($0) TEXT" }.joined(separator: ", ")
            + "); INSERT INTO act (time, state, action, tool, tool_version, operator, host, path, output, format, sha256_before, "
            + "sha256_after, produce_id) VALUES ('2026-11-01T00:00:00Z', 'completed', 'label', 'synthlabel', '0.1.0', 'o', 'h', "
            + "'/a.wav', '/a.wav', 'wav', 'x', 'y', 'OLD-1'); PRAGMA user_version = 1;"
        let made = try Fixtures.run("sqlite3", [path, create])
        #expect(made.status == 0, "\(made.stderr)")
        let ledger = try Ledger(path: path)
        #expect(try ledger.acts(produceID: "OLD-1").first?.watermarkNote == nil)
        var act = Self.act(output: "/data/short.wav")
        act.watermarkNote = "too short"
        let recorded = try ledger.begin([act])[0]
        #expect(try ledger.acts(produceID: recorded.label.produceID ?? "").first?.watermarkNote == "too short")
    }

    @Test(arguments: Kind.allCases) func aNewActOnTheSameOutputAbandonsTheUnfinishedOne(_ kind: Kind) throws {
        let opened = try open(kind)
        let ledger = opened.ledger
        let first = try ledger.begin([Self.act()])[0]
        let second = try ledger.begin([Self.act(after: String(repeating: "c", count: 64))])[0]
        let states = try ledger.acts(file: "/data/a.png").map { ($0.id!, $0.state) }
        #expect(states.map(\.0) == [first.id!, second.id!])
        #expect(states.map(\.1) == [.abandoned, .pending])
    }

    @Test(arguments: Kind.allCases) func findsByDigestPrefixBeforeOrAfter(_ kind: Kind) throws {
        let opened = try open(kind)
        let ledger = opened.ledger
        _ = try ledger.begin([Self.act(after: "0123456789" + String(repeating: "f", count: 54)), Self.act(output: "/x")])
        #expect(try ledger.acts(sha256Prefix: "01234567").count == 1)
        #expect(try ledger.acts(sha256Prefix: "aaaaaaaa").count == 2)
        #expect(try ledger.acts(sha256Prefix: "01234568").isEmpty)
    }

    @Test(arguments: Kind.allCases) func pruneKeepsSixMonthsAndDeletesOlderActs(_ kind: Kind) throws {
        let opened = try open(kind)
        let ledger = opened.ledger
        _ = try ledger.begin([Self.act(time: "2025-01-10T00:00:00.000Z"), Self.act(output: "/new", time: "2026-11-30T00:00:00.000Z")])
        let now = "2026-12-01T00:00:00.000Z"
        // 2026-06-01 is six calendar months back but only 183 days; 180 days is 2026-06-04.
        #expect(throws: LedgerError.self) { try ledger.prune(before: "2026-06-02", now: now) }
        #expect(throws: LedgerError.self) { try ledger.prune(before: "2026-11-01", now: now) }
        var count = 0
        try ledger.forEachAct { _ in count += 1 }
        #expect(count == 2, "a refused prune deletes nothing")
        #expect(try ledger.prune(before: "2026-06-01", now: now) == 1)
        var left: [String] = []
        try ledger.forEachAct { left.append($0.output) }
        #expect(left == ["/new"])
    }

    @Test func retentionTakesTheEarlierOfSixMonthsAnd180Days() throws {
        // From 31 August, six months back is the end of February: earlier than 180 days (3 March).
        let august = try #require(LedgerClock.parse("2026-08-31T12:00:00Z"))
        #expect(LedgerClock.format(secondsSinceEpoch: LedgerClock.retentionCutoff(now: august)) == "2026-02-28T12:00:00.000Z")
        let june = try #require(LedgerClock.parse("2026-06-15"))
        #expect(LedgerClock.format(secondsSinceEpoch: LedgerClock.retentionCutoff(now: june)) == "2025-12-15T00:00:00.000Z")
    }

    @Test func parsesDatesAndRefusesNonsense() {
        let midnight: Double = 1_780_272_000
        let eight: Double = midnight + 8 * 3600
        #expect(LedgerClock.parse("2026-06-01") == midnight)
        #expect(LedgerClock.parse("2026-06-01T08:00:00Z") == eight)
        #expect(LedgerClock.parse("2026-06-01T08:00:00.250Z") == eight + 0.25)
        for bad in ["", "2026", "2026-13-01", "2026-02-30", "2026-06-01T25:00:00Z", "yesterday", "2026-06-01Tjunk"] {
            #expect(LedgerClock.parse(bad) == nil, "\(bad)")
        }
        #expect(LedgerClock.format(secondsSinceEpoch: 1_780_272_000.5) == "2026-06-01T00:00:00.500Z")
    }

    @Test(arguments: Kind.allCases) func concurrentBatchesOverTwoConnectionsAllLand(_ kind: Kind) throws {
        let opened = try open(kind, connections: 2)
        let ledgers = opened.ledgers
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let acts = (0..<16).map { Self.act(output: "/data/\(index)-\($0)") }
            if let recorded = try? ledgers[index % 2].begin(acts) {
                try? ledgers[(index + 1) % 2].finish(completed: recorded.compactMap(\.id))
            }
        }
        var states: [LedgerAct.State: Int] = [:]
        try ledgers[0].forEachAct { states[$0.state, default: 0] += 1 }
        #expect(states == [.completed: 640])
    }

    @Test func anUnwritableLocationIsAClearError() {
        let blocker = folder.file("file")
        Fixtures.write([1], to: blocker)
        #expect {
            try Ledger(path: blocker + "/ledger.sqlite")
        } throws: { error in
            "\(error)".contains("cannot open the ledger \(blocker)/ledger.sqlite") && "\(error)".contains("--ledger")
        }
    }

    @Test func defaultLocationFollowsTheEnvironment() {
        #expect(Ledger.defaultPath(environment: ["SYNTHLABEL_LEDGER": "/x/l.db", "HOME": "/h"]) == "/x/l.db")
        #expect(Ledger.defaultPath(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/synthlabel/ledger.sqlite")
        #expect(Ledger.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/share/synthlabel/ledger.sqlite")
    }
}
