/// What can go wrong with the ledger; each case names the database file.
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// The database could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// SQLite refused a statement (a damaged file, a full disk, a lock held too long).
    case database(path: String, reason: String)
    /// A prune that would delete records younger than the rules allow.
    case retention(requested: String, earliestAllowed: String)

    /// What went wrong, with the ledger's path.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the ledger \(path): \(reason); choose another with --ledger PATH or SYNTHLABEL_LEDGER"
        case .database(let path, let reason):
            "ledger \(path): \(reason)"
        case .retention(let requested, let earliest):
            "refusing to prune before \(requested): records must be kept at least six months (Measures Art. 9); "
                + "the latest date allowed is \(earliest); nothing was deleted"
        }
    }
}
