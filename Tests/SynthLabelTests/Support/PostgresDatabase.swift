import Foundation
import Testing

/// Fresh PostgreSQL databases for the tests, on the server scripts/postgres.sh starts (Debian's
/// PostgreSQL 15 on loopback). Each test gets a database of its own, dropped when it ends, so
/// tests run in parallel without seeing each other's acts. No server is a failure, not a skip.
final class PostgresDatabase: Sendable {
    /// The server and role: `$SYNTHLABEL_TEST_POSTGRES`, else scripts/postgres.sh's.
    static let server =
        ProcessInfo.processInfo.environment["SYNTHLABEL_TEST_POSTGRES"]
        ?? "postgres://synthlabel_test:synthlabel_test@127.0.0.1:5432/synthlabel_test"

    /// This database's URL.
    let url: String
    let name: String

    init() throws {
        name = "synthlabel_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        var parts = URLComponents(string: Self.server)
        parts?.path = "/" + name
        url = parts?.string ?? Self.server
        let made = try Self.psql("CREATE DATABASE \(name)")
        guard made.status == 0 else {
            throw PostgresUnavailable(reason: "\(made.stderr) (start it with scripts/postgres.sh)")
        }
    }

    deinit { _ = try? Self.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }

    /// One value `sql` selects in this database, read by psql (an independent witness).
    func value(_ sql: String) throws -> String {
        let result = try Self.psql(sql, database: url)
        guard result.status == 0 else { throw PostgresUnavailable(reason: result.stderr) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func psql(_ sql: String, database: String = server) throws -> Fixtures.Run {
        try Fixtures.run("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", database, "-c", sql])
    }

    struct PostgresUnavailable: Error, CustomStringConvertible {
        var reason: String
        var description: String { "PostgreSQL for the tests: \(reason)" }
    }
}
