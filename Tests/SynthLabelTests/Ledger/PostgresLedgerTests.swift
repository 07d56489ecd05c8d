import Foundation
import Synchronization
import Testing

@testable import SynthLabel
@testable import SynthLabelPostgres

/// What only the PostgreSQL ledger has: URLs, passwords kept out of messages, many processes
/// opening one database at once, and psql (an independent reader) seeing the same acts.
@Suite("ledger on PostgreSQL")
struct PostgresLedgerTests {
    @Test func psqlReadsTheActsTheLedgerWrote() throws {
        let database = try PostgresDatabase()
        let ledger = try LedgerLocation.open(database.url)
        let recorded = try ledger.record(completed: [LedgerTests.act(output: "/a"), LedgerTests.act(output: "/b")])
        #expect(recorded.allSatisfy { $0.state == .completed && $0.completedAt != nil && $0.id != nil })
        #expect(try database.value("SELECT count(*) FROM act WHERE state = 'completed' AND completed_at IS NOT NULL") == "2")
        #expect(try database.value("SELECT string_agg(produce_id, ',' ORDER BY id) FROM act") == "P-/a,P-/b")
        // Byte order, as SQLite compares: the time and digest ranges rely on it.
        #expect(
            try database.value("SELECT collation_name FROM information_schema.columns WHERE table_name = 'act' AND column_name = 'time'")
                == "C")
    }

    @Test func serversStartingTogetherCreateTheTableOnce() throws {
        let database = try PostgresDatabase()
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do { _ = try LedgerLocation.open(database.url).record(completed: [LedgerTests.act()]) } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try database.value("SELECT count(*) FROM act") == "6")
    }

    @Test func aWrongPasswordIsAClearErrorThatDoesNotShowIt() throws {
        let database = try PostgresDatabase()
        let wrong = database.url.replacingOccurrences(of: ":synthlabel_test@", with: ":not-the-password@")
        #expect {
            try LedgerLocation.open(wrong)
        } throws: { error in
            let text = "\(error)"
            return text.contains("password authentication failed") && !text.contains("not-the-password") && text.contains("***")
        }
    }

    @Test func anUnreachableServerIsAClearError() {
        #expect {
            try LedgerLocation.open("postgres://someone@127.0.0.1:1/ledger?sslmode=disable")
        } throws: { error in
            "\(error)".contains("cannot open the ledger postgres://someone@127.0.0.1:1/ledger")
        }
    }

    @Test func malformedURLsAreRefusedWithTheReason() {
        let cases = [
            "postgres://127.0.0.1/db": "no user",
            "postgres://me@127.0.0.1/": "no database",
            "postgres://me@127.0.0.1/db?sslmode=sometimes": "sslmode 'sometimes'",
            "postgres://me@127.0.0.1/db?pool=3": "unknown option 'pool'",
        ]
        for (url, reason) in cases {
            #expect(throws: LedgerError.self, "\(url)") { try PostgresLedgerDatabase.parse(url, environment: [:]) }
            do { _ = try PostgresLedgerDatabase.parse(url, environment: [:]) } catch { #expect("\(error)".contains(reason), "\(error)") }
        }
        #expect(LedgerLocation.isPostgres("postgresql://me@h/db") && !LedgerLocation.isPostgres("sqlite:/x"))
        #expect(LedgerLocation.sqlitePath("sqlite:/var/l.sqlite") == "/var/l.sqlite")
        #expect(LedgerLocation.redacted("postgres://me:secret@h/db") == "postgres://me:***@h/db")
    }
}
