import CSQLite

/// One connection to an SQLite database (Debian's libsqlite3), with just what the ledger
/// needs: statements with bound values, rows read by column, and write transactions.
///
/// Not safe to share between threads by itself; `SQLiteLedgerDatabase` serialises every call.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    let path: String

    init(path: String) throws(LedgerError) {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw .cannotOpen(path: path, reason: reason)
        }
    }

    deinit { sqlite3_close(handle) }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(LedgerError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let reason = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw .database(path: path, reason: reason)
        }
    }

    func prepare(_ sql: String) throws(LedgerError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw .database(path: path, reason: lastError)
        }
        return SQLiteStatement(statement, connection: self)
    }

    /// Runs `body` in a write transaction taken at once (`BEGIN IMMEDIATE`), so a second
    /// process waits on the busy timeout up front instead of failing half way; any error
    /// rolls back.
    func writeTransaction<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Waits this long for another process's write lock before giving up.
    func setBusyTimeout(milliseconds: Int32) { sqlite3_busy_timeout(handle, milliseconds) }

    var changes: Int { Int(sqlite3_changes(handle)) }

    var lastError: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection" }
}

/// A prepared statement; reusable after `reset`.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ statement: OpaquePointer, connection: SQLiteConnection) {
        self.statement = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds `values` to the parameters 1…n, after clearing earlier bindings and results.
    func bind(_ values: [LedgerValue]) throws(LedgerError) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let status: Int32 =
                switch value {
                case .integer(let number): sqlite3_bind_int64(statement, position, number)
                case .text(let text): sqlite3_bind_text(statement, position, text, -1, csqlite_transient())
                case .null: sqlite3_bind_null(statement, position)
                }
            guard status == SQLITE_OK else { throw .database(path: connection.path, reason: connection.lastError) }
        }
    }

    /// Advances to the next row: true when there is one, false when the statement is done.
    func step() throws(LedgerError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw .database(path: connection.path, reason: connection.lastError)
        }
    }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: bytes)
    }

    /// How many columns each row has.
    var columnCount: Int32 { sqlite3_column_count(statement) }
}
