import Glibc

/// The record of every labelling act, kept in a SQL database: an SQLite file by default, or a
/// PostgreSQL database that many servers share (`SynthLabelPostgres`).
///
/// Built to survive kills and power cuts: an act is recorded `pending` (committed durably)
/// before its file is renamed into place and marked `completed` after, so a file that was
/// renamed always has its record, and a rerun can tell a finished act from one that was cut
/// off (by the file's SHA-256). Calls block; `perform(_:)` runs them off an async caller's
/// executor.
public final class Ledger: Sendable {
    /// The database the acts are kept in.
    public let database: any LedgerDatabase

    /// Where the ledger is: a path, or a URL without its password.
    public var location: String { database.location }

    /// The SQLite file's path (now `location`, which also names PostgreSQL ledgers).
    @available(*, deprecated, renamed: "location")
    public var path: String { location }

    /// Opens (or creates, with its folder) the SQLite ledger at `path`.
    public convenience init(path: String) throws(LedgerError) {
        try Self.createParentFolders(of: path)
        try self.init(database: SQLiteLedgerDatabase(path: path))
    }

    /// Opens the ledger kept in `database`, creating its table (or adding the columns a later
    /// version added) when needed.
    public init(database: any LedgerDatabase) throws(LedgerError) {
        self.database = database
        try database.transaction(durable: true) { (statements) throws(LedgerError) in
            try Self.prepareSchema(statements, dialect: database.dialect)
        }
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
        try insert(acts, as: .pending)
    }

    /// Records acts whose bytes already exist nowhere but in a reply about to be sent (the
    /// service's): `completed` at once, in one durable transaction.
    public func record(completed acts: [LedgerAct]) throws(LedgerError) -> [LedgerAct] {
        try insert(acts, as: .completed)
    }

    private func insert(_ acts: [LedgerAct], as state: LedgerAct.State) throws(LedgerError) -> [LedgerAct] {
        let time = LedgerClock.now()
        return try database.transaction(durable: true) { (statements) throws(LedgerError) in
            let columns = LedgerAct.columns.dropFirst()
            let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
            var recorded: [LedgerAct] = []
            for var act in acts {
                if state == .pending {
                    try statements.run("UPDATE act SET state = 'abandoned' WHERE output = $1 AND state = 'pending'", [.text(act.output)])
                }
                act.state = state
                act.completedAt = state == .completed ? time : nil
                let returned = try statements.rows(
                    "INSERT INTO act (\(columns.joined(separator: ", "))) VALUES (\(placeholders)) RETURNING CAST(id AS TEXT)",
                    act.values.dropFirst().map(LedgerValue.init))
                act.id = returned.first?.first.flatMap { $0.flatMap { Int64($0) } }
                recorded.append(act)
            }
            return recorded
        }
    }

    /// Marks acts `completed` (their files are in place) or `abandoned` (they were not written),
    /// in one transaction.
    public func finish(completed: [Int64], abandoned: [Int64] = []) throws(LedgerError) {
        guard !completed.isEmpty || !abandoned.isEmpty else { return }
        let time = LedgerClock.now()
        // Not forced to disk: a completion lost to a power cut leaves a pending act whose file
        // has the planned digest, which the next run completes. The pending records, which
        // must never be lost, are committed durably.
        try database.transaction(durable: false) { (statements) throws(LedgerError) in
            for id in completed {
                try statements.run("UPDATE act SET state = 'completed', completed_at = $1 WHERE id = $2", [.text(time), .integer(id)])
            }
            for id in abandoned {
                try statements.run("UPDATE act SET state = 'abandoned' WHERE id = $1 AND state = 'pending'", [.integer(id)])
            }
        }
    }

    /// The newest act that wrote exactly these bytes (by SHA-256) to `output`, finished or
    /// not: what a rerun asks before labelling a file again.
    public func act(writing output: String, sha256 digest: String) throws(LedgerError) -> LedgerAct? {
        try acts(where: "output = $1 AND sha256_after = $2 AND state != 'abandoned'", [.text(output), .text(digest)], newestFirst: true)
            .first
    }

    /// Acts whose label has this ProduceID or PropagateID.
    public func acts(produceID: String) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "produce_id = $1 OR propagate_id = $1", [.text(produceID)])
    }

    /// Acts whose file had, before or after, a SHA-256 starting with `prefix` (lowercase hex).
    public func acts(sha256Prefix prefix: String) throws(LedgerError) -> [LedgerAct] {
        // A range on the indexed columns rather than LIKE, which neither database can index
        // here ('~' sorts after every hex digit in byte order, the columns' collation).
        let bounds: [LedgerValue] = [.text(prefix), .text(prefix + "~")]
        return try acts(
            where: "(sha256_before >= $1 AND sha256_before < $2) OR (sha256_after >= $1 AND sha256_after < $2)", bounds)
    }

    /// Acts that read or wrote the file at this absolute path.
    public func acts(file: String) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "path = $1 OR output = $1", [.text(file)])
    }

    /// Acts that embedded this watermark payload (hex).
    public func acts(watermark: String) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "watermark = $1", [.text(watermark.lowercased())])
    }

    /// Every act recorded at or after `since` (a `LedgerClock` time), oldest first, handed to
    /// `body` one at a time and read a page at a time, so an export of millions of rows runs
    /// in constant memory.
    public func forEachAct(since: String? = nil, _ body: (LedgerAct) -> Void) throws(LedgerError) {
        var lastID: Int64 = 0
        while true {
            let page = try acts(since: since, afterID: lastID, limit: 1000)
            page.forEach(body)
            guard page.count == 1000, let last = page.last?.id else { return }
            lastID = last
        }
    }

    /// Up to `limit` acts recorded at or after `since` with ids above `afterID`, oldest first: a
    /// page of an export that a slow reader takes at its own pace (the service's NDJSON feed).
    public func acts(since: String?, afterID: Int64, limit: Int) throws(LedgerError) -> [LedgerAct] {
        try acts(where: "time >= $1 AND id > $2", [.text(since ?? ""), .integer(afterID)], limit: limit)
    }

    /// Deletes acts recorded before `cutoff` (a `LedgerClock` time) and returns how many.
    /// Refuses, deleting nothing, when that would remove records younger than six months
    /// (180 days or six calendar months, whichever keeps more).
    public func prune(before cutoff: String, now: String = LedgerClock.now()) throws(LedgerError) -> Int {
        guard let requested = LedgerClock.parse(cutoff), let current = LedgerClock.parse(now) else {
            throw .database(path: location, reason: "'\(cutoff)' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
        }
        let earliest = LedgerClock.retentionCutoff(now: current)
        guard requested <= earliest else {
            throw .retention(requested: cutoff, earliestAllowed: LedgerClock.format(secondsSinceEpoch: earliest))
        }
        let bound = LedgerClock.format(secondsSinceEpoch: requested)
        return try database.transaction(durable: true) { (statements) throws(LedgerError) in
            try statements.run("DELETE FROM act WHERE time < $1", [.text(bound)])
        }
    }

    /// Runs ledger calls on a thread of their own and awaits them, so a server's request
    /// handler does not hold its executor while the database syncs or answers.
    public func perform<T: Sendable>(_ work: @escaping @Sendable (Ledger) throws(LedgerError) -> T) async throws(LedgerError) -> T {
        try await BlockingWork.waiting { () throws(LedgerError) in try work(self) }
    }

    private func acts(where condition: String, _ values: [LedgerValue], newestFirst: Bool = false, limit: Int? = nil)
        throws(LedgerError) -> [LedgerAct]
    {
        let columns = ["CAST(id AS TEXT)"] + LedgerAct.columns.dropFirst()
        let rows = try database.rows(
            "SELECT \(columns.joined(separator: ", ")) FROM act WHERE \(condition) ORDER BY id \(newestFirst ? "DESC" : "ASC")"
                + (limit == nil ? "" : " LIMIT $\(values.count + 1)"),
            values + (limit.map { [.integer(Int64($0))] } ?? []))
        return rows.compactMap(LedgerAct.init(values:))
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

    /// The columns that must have a value.
    private static let requiredColumns: Set = [
        "time", "state", "action", "tool", "tool_version", "operator", "host", "path", "output", "format", "sha256_before",
        "sha256_after",
    ]

    /// Columns added since the first version: a ledger made by an earlier version gains them
    /// when opened (its acts keep NULL there), so one database serves both.
    private static let addedColumns = ["watermark_note"]

    /// Lookups the ledger answers without reading the whole table.
    private static let indexes = [
        "act_output": "output, sha256_after", "act_path": "path", "act_time": "time", "act_produce_id": "produce_id",
        "act_propagate_id": "propagate_id", "act_sha256_before": "sha256_before", "act_sha256_after": "sha256_after",
        "act_watermark": "watermark",
    ]

    /// Creates the table and its indexes if missing and adds the columns a later version added.
    /// Text compares byte by byte in both databases (PostgreSQL's collation "C"), which the
    /// time and digest ranges rely on.
    private static func prepareSchema(_ statements: any LedgerStatements, dialect: LedgerDialect) throws(LedgerError) {
        let text = dialect == .postgres ? "TEXT COLLATE \"C\"" : "TEXT"
        if dialect == .postgres {
            // Two servers starting at once must not both create the table.
            try statements.run("SELECT pg_advisory_xact_lock(7451283)", [])
        }
        let definitions =
            [dialect == .postgres ? "id BIGSERIAL PRIMARY KEY" : "id INTEGER PRIMARY KEY"]
            + LedgerAct.columns.dropFirst().map { column in
                "\(column) \(text)" + (requiredColumns.contains(column) ? " NOT NULL" : "")
                    + (column == "state" ? " CHECK (state IN ('pending', 'completed', 'abandoned'))" : "")
            }
        try statements.run("CREATE TABLE IF NOT EXISTS act (\(definitions.joined(separator: ", ")))", [])
        for column in addedColumns {
            switch dialect {
            case .postgres:
                try statements.run("ALTER TABLE act ADD COLUMN IF NOT EXISTS \(column) \(text)", [])
            case .sqlite:
                let present = try statements.rows("SELECT name FROM pragma_table_info('act') WHERE name = $1", [.text(column)])
                if present.isEmpty { try statements.run("ALTER TABLE act ADD COLUMN \(column) \(text)", []) }
            }
        }
        for (name, columns) in indexes.sorted(by: { $0.key < $1.key }) {
            try statements.run("CREATE INDEX IF NOT EXISTS \(name) ON act (\(columns))", [])
        }
        if dialect == .sqlite { try statements.run("PRAGMA user_version = 2", []) }
    }
}
