/// A SQL database that holds the ledger's one table.
///
/// The ledger writes the same statements for every database (parameters as `$1`, `$2`, …,
/// every column read as text), so its rules (pending before the rename, completed after,
/// six months kept) are written once. SQLite ships with the library; PostgreSQL, which many
/// servers share, comes from the `SynthLabelPostgres` module.
public protocol LedgerDatabase: Sendable {
    /// Where the ledger is, for messages: a path, or a URL without its password.
    var location: String { get }
    /// Which SQL the schema is written in.
    var dialect: LedgerDialect { get }
    /// Runs `body` in one write transaction; an error rolls it back. With `durable` false the
    /// commit may reach the disk a moment later: only for writes whose loss a rerun repairs.
    func transaction<T: Sendable>(durable: Bool, _ body: (any LedgerStatements) throws(LedgerError) -> T) throws(LedgerError) -> T
    /// The rows a read-only statement returns, outside any transaction.
    func rows(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> [[String?]]
}

/// What a transaction can run.
public protocol LedgerStatements {
    /// The rows a statement returns, every column as text (nil for NULL).
    func rows(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> [[String?]]
    /// Runs a statement and returns how many rows it changed.
    @discardableResult func run(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> Int
}

/// A value bound to a statement's parameter.
public enum LedgerValue: Sendable, Equatable {
    /// A 64-bit integer.
    case integer(Int64)
    /// Text.
    case text(String)
    /// SQL NULL.
    case null

    /// Text, or NULL for nil.
    public init(_ text: String?) { self = text.map { .text($0) } ?? .null }
}

/// The SQL a ledger database speaks, where the two differ (the schema).
public enum LedgerDialect: Sendable {
    /// SQLite 3.35 or later (RETURNING).
    case sqlite
    /// PostgreSQL 12 or later.
    case postgres
}
