import SynthLabel

/// Where a ledger is, as `label --ledger`, `synthlabel ledger --ledger` and the service's
/// configuration write it: `postgres://…` (or `postgresql://…`) for a shared PostgreSQL
/// database, `sqlite:PATH` or a bare path for an SQLite file.
public enum LedgerLocation {
    /// Opens the ledger `location` names; an SQLite file (and its folder) is created if missing.
    public static func open(_ location: String) throws(LedgerError) -> Ledger {
        if isPostgres(location) { return try Ledger(database: PostgresLedgerDatabase(url: location)) }
        return try Ledger(path: sqlitePath(location))
    }

    /// Whether `location` names a PostgreSQL database.
    public static func isPostgres(_ location: String) -> Bool {
        let lowered = location.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// The file an SQLite location names (`sqlite:` dropped).
    public static func sqlitePath(_ location: String) -> String {
        location.hasPrefix("sqlite:") ? String(location.dropFirst("sqlite:".count)) : location
    }

    /// `location` with any password hidden, for messages.
    public static func redacted(_ location: String) -> String {
        isPostgres(location) ? PostgresLedgerDatabase.redacted(location) : location
    }
}
