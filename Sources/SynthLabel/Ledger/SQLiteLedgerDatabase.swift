import Synchronization

/// The ledger in an SQLite file: the default, one file per machine.
///
/// Write-ahead logging with full syncs, and a write lock taken at the start of each
/// transaction (`BEGIN IMMEDIATE`), so concurrent `label` processes wait for each other (up to
/// a minute) instead of failing half way.
public final class SQLiteLedgerDatabase: LedgerDatabase {
    /// The database file.
    public let location: String
    /// Always `.sqlite`.
    public let dialect = LedgerDialect.sqlite
    private let connection: Mutex<SQLiteConnectionBox>

    /// Opens (or creates) the database file at `path`; its folder must exist.
    public init(path: String) throws(LedgerError) {
        location = path
        let database = try SQLiteConnection(path: path)
        database.setBusyTimeout(milliseconds: 60_000)
        try database.execute("PRAGMA journal_mode=WAL")
        try database.execute("PRAGMA synchronous=FULL")
        connection = Mutex(SQLiteConnectionBox(database))
    }

    /// Runs `body` under the write lock; a non-durable commit skips the sync of the log (a
    /// power cut may lose it, never damage the file).
    public func transaction<T: Sendable>(durable: Bool, _ body: (any LedgerStatements) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try connection.withLock { (box) throws(LedgerError) in
            let database = box.connection
            if !durable { try database.execute("PRAGMA synchronous=NORMAL") }
            defer { if !durable { try? database.execute("PRAGMA synchronous=FULL") } }
            return try database.writeTransaction { () throws(LedgerError) in try body(SQLiteStatements(connection: database)) }
        }
    }

    /// The rows a read-only statement returns.
    public func rows(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> [[String?]] {
        try connection.withLock { (box) throws(LedgerError) in try SQLiteStatements(connection: box.connection).rows(sql, values) }
    }
}

/// The ledger's statements on one SQLite connection. SQLite numbers parameters `?1`, `?2`, …
/// where PostgreSQL writes `$1`; the ledger's SQL has no `$` in its text otherwise.
private struct SQLiteStatements: LedgerStatements {
    let connection: SQLiteConnection

    func rows(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> [[String?]] {
        let statement = try prepared(sql, values)
        var rows: [[String?]] = []
        while try statement.step() { rows.append((0..<statement.columnCount).map { statement.text($0) }) }
        return rows
    }

    @discardableResult func run(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> Int {
        let statement = try prepared(sql, values)
        while try statement.step() {}
        return connection.changes
    }

    private func prepared(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> SQLiteStatement {
        let statement = try connection.prepare(String(sql.map { $0 == "$" ? "?" : $0 }))
        try statement.bind(values)
        return statement
    }
}

/// The connection travels inside the database's mutex, which is what makes sharing it safe.
private struct SQLiteConnectionBox: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}
