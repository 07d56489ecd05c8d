import Glibc
import Synchronization

/// The record of every labelling act, kept in an SQLite database.
///
/// Built to survive kills and power cuts and to be shared: write-ahead logging with full
/// syncs, one transaction per batch of acts, and a write lock taken up front so concurrent
/// `label` processes wait for each other (up to a minute) instead of failing. An act is
/// recorded `pending` before its file is renamed into place and marked `completed` after,
/// so a file that was renamed always has its record, and a rerun can tell a finished act
/// from one that was cut off (by the file's SHA-256).
public final class Ledger: Sendable {
    /// Where the database lives.
    public let path: String
    private let connection: Mutex<SQLiteConnectionBox>

    /// Opens (or creates, with its folder) the ledger at `path`.
    public init(path: String) throws(LedgerError) {
        self.path = path
        try Self.createParentFolders(of: path)
        let database = try SQLiteConnection(path: path)
        database.setBusyTimeout(milliseconds: 60_000)
        try database.execute("PRAGMA journal_mode=WAL")
        try database.execute("PRAGMA synchronous=FULL")
        try database.writeTransaction { () throws(LedgerError) in
            try database.execute(Self.schema)
            try Self.addMissingColumns(database)
        }
        connection = Mutex(SQLiteConnectionBox(database))
    }

    /// `$SYNTHLABEL_LEDGER`, else `$XDG_DATA_HOME/synthlabel/ledger.sqlite`, else
    /// `~/.local/share/synthlabel/ledger.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let chosen = environment["SYNTHLABEL_LEDGER"], !chosen.isEmpty { return chosen }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/synthlabel/ledger.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return home + "/.local/share/synthlabel/ledger.sqlite"
    }

    /// Records acts as `pending`, all in one transaction, and returns them with their ids.
    /// An earlier pending act on the same output is marked `abandoned`: its file is being
    /// labelled again, so that act never finished.
    public func begin(_ acts: [LedgerAct]) throws(LedgerError) -> [LedgerAct] {
        try withConnection { (database) throws(LedgerError) in
            try database.writeTransaction { () throws(LedgerError) in
                let abandon = try database.prepare("UPDATE act SET state = 'abandoned' WHERE output = ? AND state = 'pending'")
                let placeholders = Array(repeating: "?", count: LedgerAct.columns.count - 1).joined(separator: ", ")
                let insert = try database.prepare(
                    "INSERT INTO act (\(LedgerAct.columns.dropFirst().joined(separator: ", "))) VALUES (\(placeholders))")
                var recorded: [LedgerAct] = []
                for var act in acts {
                    try abandon.run([.text(act.output)])
                    act.state = .pending
                    try insert.run(act.values.dropFirst().map(SQLiteValue.init))
                    act.id = database.lastInsertedRow
                    recorded.append(act)
                }
                return recorded
            }
        }
    }

    /// Marks acts `completed` (their files are in place) or `abandoned` (they were not written),
    /// in one transaction.
    public func finish(completed: [Int64], abandoned: [Int64] = []) throws(LedgerError) {
        guard !completed.isEmpty || !abandoned.isEmpty else { return }
        let time = LedgerClock.now()
        try withConnection { (database) throws(LedgerError) in
            // Not forced to disk: a completion lost to a power cut leaves a pending act whose
            // file has the planned digest, which the next run completes. The pending records,
            // which must never be lost, are written with full syncs.
            try database.execute("PRAGMA synchronous=NORMAL")
            defer { try? database.execute("PRAGMA synchronous=FULL") }
            try database.writeTransaction { () throws(LedgerError) in
                let complete = try database.prepare("UPDATE act SET state = 'completed', completed_at = ? WHERE id = ?")
                for id in completed { try complete.run([.text(time), .integer(id)]) }
                let abandon = try database.prepare("UPDATE act SET state = 'abandoned' WHERE id = ? AND state = 'pending'")
                for id in abandoned { try abandon.run([.integer(id)]) }
            }
        }
    }

    /// The newest act that wrote exactly these bytes (by SHA-256) to `output`, finished or
    /// not: what a rerun asks before labelling a file again.
    public func act(writing output: String, sha256 digest: String) throws(LedgerError) -> LedgerAct? {
        try acts(where: "output = ? AND sha256_after = ? AND state != 'abandoned'", [.text(output), .text(digest)], newestFirst: true)
            .first
    }

    /// Acts whose label has this ProduceID or PropagateID.
    public func acts(produceID: String) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "produce_id = ? OR propagate_id = ?", [.text(produceID), .text(produceID)])
    }

    /// Acts whose file had, before or after, a SHA-256 starting with `prefix` (lowercase hex).
    public func acts(sha256Prefix prefix: String) throws(LedgerError) -> [LedgerAct] {
        // A range on the indexed column rather than LIKE, which SQLite cannot index here.
        let bounds: [SQLiteValue] = [.text(prefix), .text(prefix + "~")]
        return try acts(
            where: "(sha256_before >= ?1 AND sha256_before < ?2) OR (sha256_after >= ?1 AND sha256_after < ?2)", bounds)
    }

    /// Acts that read or wrote the file at this absolute path.
    public func acts(file: String) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "path = ? OR output = ?", [.text(file), .text(file)])
    }

    /// Acts that embedded this watermark payload (hex).
    public func acts(watermark: String) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "watermark = ?", [.text(watermark.lowercased())])
    }

    /// Every act recorded at or after `since` (a `LedgerClock` time), oldest first, handed to
    /// `body` one at a time so an export of millions of rows runs in constant memory.
    public func forEachAct(since: String? = nil, _ body: (LedgerAct) -> Void) throws(LedgerError) {
        try withConnection { (database) throws(LedgerError) in
            let statement = try database.prepare(
                "SELECT \(LedgerAct.columns.joined(separator: ", ")) FROM act WHERE time >= ? ORDER BY id")
            try statement.bind([.text(since ?? "")])
            while try statement.step() {
                if let act = Self.act(from: statement) { body(act) }
            }
        }
    }

    /// Up to `limit` acts recorded at or after `since` with ids above `afterID`, oldest first: a
    /// page of an export that a slow reader takes at its own pace (the service's NDJSON feed).
    public func acts(since: String?, afterID: Int64, limit: Int) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "time >= ? AND id > ?", [.text(since ?? ""), .integer(afterID)], limit: limit)
    }

    /// Deletes acts recorded before `cutoff` (a `LedgerClock` time) and returns how many.
    /// Refuses, deleting nothing, when that would remove records younger than six months
    /// (180 days or six calendar months, whichever keeps more).
    public func prune(before cutoff: String, now: String = LedgerClock.now()) throws(LedgerError) -> Int {
        guard let requested = LedgerClock.parse(cutoff), let current = LedgerClock.parse(now) else {
            throw .database(path: path, reason: "'\(cutoff)' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
        }
        let earliest = LedgerClock.retentionCutoff(now: current)
        guard requested <= earliest else {
            throw .retention(requested: cutoff, earliestAllowed: LedgerClock.format(secondsSinceEpoch: earliest))
        }
        let bound = LedgerClock.format(secondsSinceEpoch: requested)
        return try withConnection { (database) throws(LedgerError) in
            try database.writeTransaction { () throws(LedgerError) in
                try database.prepare("DELETE FROM act WHERE time < ?").run([.text(bound)])
                return database.changes
            }
        }
    }

    private func acts(where condition: String, _ values: [SQLiteValue], newestFirst: Bool = false, limit: Int? = nil) throws(LedgerError)
        -> [LedgerAct]
    {
        try withConnection { (database) throws(LedgerError) in
            let statement = try database.prepare(
                "SELECT \(LedgerAct.columns.joined(separator: ", ")) FROM act WHERE \(condition) ORDER BY id \(newestFirst ? "DESC" : "ASC")"
                    + (limit == nil ? "" : " LIMIT ?"))
            try statement.bind(values + (limit.map { [.integer(Int64($0))] } ?? []))
            var found: [LedgerAct] = []
            while try statement.step() {
                if let act = Self.act(from: statement) { found.append(act) }
            }
            return found
        }
    }

    private static func act(from statement: SQLiteStatement) -> LedgerAct? {
        LedgerAct(values: (0..<Int32(LedgerAct.columns.count)).map { statement.text($0) })
    }

    private func withConnection<T>(_ body: (SQLiteConnection) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try connection.withLock { (box) throws(LedgerError) in try body(box.connection) }
    }

    private static func createParentFolders(of path: String) throws(LedgerError) {
        var folder = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/").dropLast() {
            folder += "/" + component
            if mkdir(folder, 0o700) != 0 && errno != EEXIST {
                throw .cannotOpen(path: path, reason: "cannot create \(folder): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static let schema = """
        CREATE TABLE IF NOT EXISTS act (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            completed_at TEXT,
            state TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'abandoned')),
            action TEXT NOT NULL,
            tool TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            operator TEXT NOT NULL,
            host TEXT NOT NULL,
            path TEXT NOT NULL,
            output TEXT NOT NULL,
            format TEXT NOT NULL,
            sha256_before TEXT NOT NULL,
            sha256_after TEXT NOT NULL,
            label TEXT,
            content_producer TEXT,
            produce_id TEXT,
            reserved_code1 TEXT,
            content_propagator TEXT,
            propagate_id TEXT,
            reserved_code2 TEXT,
            watermark TEXT,
            key_id TEXT,
            explicit TEXT,
            watermark_note TEXT
        );
        CREATE INDEX IF NOT EXISTS act_output ON act (output, sha256_after);
        CREATE INDEX IF NOT EXISTS act_path ON act (path);
        CREATE INDEX IF NOT EXISTS act_time ON act (time);
        CREATE INDEX IF NOT EXISTS act_produce_id ON act (produce_id);
        CREATE INDEX IF NOT EXISTS act_propagate_id ON act (propagate_id);
        CREATE INDEX IF NOT EXISTS act_sha256_before ON act (sha256_before);
        CREATE INDEX IF NOT EXISTS act_sha256_after ON act (sha256_after);
        CREATE INDEX IF NOT EXISTS act_watermark ON act (watermark);
        PRAGMA user_version = 2;
        """

    /// Columns added since the first version, each with its type: a ledger made by an earlier
    /// version gains them when opened (its acts keep NULL there), so one file serves both.
    private static let addedColumns = [("watermark_note", "TEXT")]

    private static func addMissingColumns(_ database: SQLiteConnection) throws(LedgerError) {
        for (name, type) in addedColumns {
            let statement = try database.prepare("SELECT count(*) FROM pragma_table_info('act') WHERE name = '\(name)'")
            guard try statement.step(), statement.text(0) == "0" else { continue }
            try database.execute("ALTER TABLE act ADD COLUMN \(name) \(type)")
        }
    }
}

/// The connection travels inside the ledger's mutex, which is what makes sharing it safe.
private struct SQLiteConnectionBox: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}
