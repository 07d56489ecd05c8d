import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization
import SynthLabel

/// The ledger in a PostgreSQL database, so the servers and `label` runs of a whole fleet keep
/// one record. Same table, same rules as the SQLite ledger; PostgreSQL's own locking lets many
/// processes on many machines write at once.
///
/// The ledger's calls block (the CLI is synchronous; the service calls through
/// `Ledger.perform`), so each waits on PostgresNIO's answer from a thread that is not one of
/// NIO's. Connections are opened as calls need them and kept for the next call (up to 16).
public final class PostgresLedgerDatabase: LedgerDatabase {
    /// The URL without its password.
    public let location: String
    /// Always `.postgres`.
    public let dialect = LedgerDialect.postgres
    private let configuration: PostgresConnection.Configuration
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    private let logger = Logger(label: "synthlabel.ledger.postgres")
    /// Connections kept open between calls; more are opened when calls overlap, and closed after.
    private let keptConnections = 16

    /// Connects to the database a `postgres://` (or `postgresql://`) URL names:
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-ca|verify-full]`.
    /// Without a password in the URL, `$PGPASSWORD` is used. `sslmode` means what it means to
    /// libpq (the default, `prefer`, encrypts when the server can, without checking its
    /// certificate).
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError) {
        let parsed = try Self.parse(url, environment: environment)
        configuration = parsed.configuration
        location = parsed.location
        // Connect once now, so a wrong URL or password is an error at start, not on the first act.
        try withConnection { _ throws(LedgerError) in }
    }

    /// Runs `body` between BEGIN and COMMIT on one connection; ROLLBACK on error. A non-durable
    /// transaction commits without waiting for the server's disk (`synchronous_commit = off`).
    public func transaction<T: Sendable>(durable: Bool, _ body: (any LedgerStatements) throws(LedgerError) -> T) throws(LedgerError)
        -> T
    {
        try withConnection { (connection) throws(LedgerError) in
            let statements = PostgresStatements(connection: connection, location: location, logger: logger)
            try statements.run("BEGIN", [])
            do throws(LedgerError) {
                if !durable { try statements.run("SET LOCAL synchronous_commit = off", []) }
                let result = try body(statements)
                try statements.run("COMMIT", [])
                return result
            } catch {
                _ = try? statements.run("ROLLBACK", [])
                throw error
            }
        }
    }

    /// The rows a read-only statement returns.
    public func rows(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> [[String?]] {
        try withConnection { (connection) throws(LedgerError) in
            try PostgresStatements(connection: connection, location: location, logger: logger).rows(sql, values)
        }
    }

    deinit {
        for connection in idle.withLock({ $0 }) { try? connection.close().wait() }
    }

    /// Lends an open connection (a kept one, or a new one) to `body`, and keeps it after unless
    /// it closed or enough are kept.
    private func withConnection<T>(_ body: (PostgresConnection) throws(LedgerError) -> T) throws(LedgerError) -> T {
        let connection: PostgresConnection
        if let kept = idle.withLock({ $0.popLast() }), !kept.isClosed { connection = kept } else { connection = try connect() }
        defer { keepOrClose(connection) }
        return try body(connection)
    }

    private func keepOrClose(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let kept = idle.withLock { kept in
            guard kept.count < keptConnections else { return false }
            kept.append(connection)
            return true
        }
        // The closure holds the connection until it has closed (PostgresNIO requires that).
        if !kept { connection.close().whenComplete { _ in _ = connection } }
    }

    private func connect() throws(LedgerError) -> PostgresConnection {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            throw .cannotOpen(path: location, reason: PostgresStatements.reason(error))
        }
    }

    /// The connection settings and the password-free location of a URL.
    static func parse(_ url: String, environment: [String: String]) throws(LedgerError) -> (
        configuration: PostgresConnection.Configuration, location: String
    ) {
        let invalid = { (reason: String) in
            LedgerError.cannotOpen(path: Self.redacted(url), reason: reason + " (use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme?.lowercased()) else {
            throw invalid("not a postgres:// URL")
        }
        guard let host = parts.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = parts.user?.removingPercentEncoding, !user.isEmpty else { throw invalid("no user") }
        let database = String(parts.path.dropFirst()).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name after the host") }
        let password = parts.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        let options = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        if let unknown = options.keys.first(where: { $0 != "sslmode" }) { throw invalid("unknown option '\(unknown)'") }
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch options["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(try Self.tlsContext(verifying: .none))
            case "require": tls = .require(try Self.tlsContext(verifying: .none))
            case "verify-ca": tls = .require(try Self.tlsContext(verifying: .noHostnameVerification))
            case "verify-full": tls = .require(try Self.tlsContext(verifying: .fullVerification))
            case let other: throw invalid("sslmode '\(other)' is not one of disable, prefer, require, verify-ca, verify-full")
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw invalid("TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return (configuration, Self.redacted(url))
    }

    private static func tlsContext(verifying verification: CertificateVerification) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verification
        return try NIOSSLContext(configuration: tls)
    }

    /// The URL with any password replaced, fit for messages and logs.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? "postgres://…"
    }
}

/// The ledger's statements on one PostgreSQL connection, each awaited in turn.
private struct PostgresStatements: LedgerStatements {
    let connection: PostgresConnection
    let location: String
    let logger: Logger

    func rows(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> [[String?]] {
        do {
            return try result(sql, values).rows.map { row in try row.map { cell in try cell.decode(String?.self) } }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .database(path: location, reason: "a column that is not text: \(error)")
        }
    }

    @discardableResult func run(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> Int {
        try result(sql, values).metadata.rows ?? 0
    }

    private func result(_ sql: String, _ values: [LedgerValue]) throws(LedgerError) -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .integer(let number): binds.append(number)
            case .text(let text): binds.append(text)
            case .null: binds.appendNull()
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait()
        } catch {
            throw .database(path: location, reason: Self.reason(error))
        }
    }

    /// What PostgreSQL (or the connection) said. PostgresNIO's own description hides the
    /// server's message; the ledger's statements carry no secrets, so it is shown.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
    }
}
