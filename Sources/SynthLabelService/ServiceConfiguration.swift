import Foundation
import SynthLabel
import SynthLabelPostgres
import Yams

/// What `synthlabel serve --config FILE` reads (YAML): where to listen, where the ledger is, how
/// large a body may be, how many files are worked on at once, and who may do what.
public struct ServiceConfiguration: Sendable, Decodable {
    /// `HOST:PORT` to listen on; loopback by default.
    public var listen: String
    /// `sqlite:PATH` (the default: the CLI's ledger path), `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`
    /// (one ledger that many servers share), or `none` to keep no record.
    public var ledger: String
    /// The largest body accepted; a larger one is answered 413 before it is read.
    public var maxBodyBytes: Int
    /// Files worked on at once; a request beyond them is answered 503 with `Retry-After`.
    public var maxConcurrent: Int
    /// Where request bodies and results are spooled while a file is worked on.
    public var spool: String
    /// Who may call, and as what.
    public var tokens: [Token]

    /// What a bearer token may do.
    public enum Role: String, Sendable, Decodable {
        /// Labels as one of its `producers` (ContentProducer codes), signing and marking with its keys.
        case producer
        /// Propagates as its `propagator` code.
        case platform
        /// Verifies and reads the ledger.
        case auditor
    }

    /// One bearer token and what it may do.
    public struct Token: Sendable, Decodable {
        /// The secret a client sends as `Authorization: Bearer …` (at least 16 characters).
        public var token: String
        /// What it may do.
        public var role: Role
        /// A producer's ContentProducer codes: the only ones it may label as.
        public var producers: [String]
        /// A platform's ContentPropagator code.
        public var propagator: String?
        /// Paths of the keys this token's requests sign and mark with (relative to the config file).
        public var signKey: String?
        /// The watermark key's path.
        public var watermarkKey: String?

        enum CodingKeys: String, CodingKey {
            case token, role, producers, propagator
            case signKey = "sign_key"
            case watermarkKey = "watermark_key"
        }

        /// Reads a token entry; `producers` may be left out (not for a producer).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            token = try container.decode(String.self, forKey: .token)
            role = try container.decode(Role.self, forKey: .role)
            producers = try container.decodeIfPresent([String].self, forKey: .producers) ?? []
            propagator = try container.decodeIfPresent(String.self, forKey: .propagator)
            signKey = try container.decodeIfPresent(String.self, forKey: .signKey)
            watermarkKey = try container.decodeIfPresent(String.self, forKey: .watermarkKey)
        }
    }

    enum CodingKeys: String, CodingKey {
        case listen, ledger, spool, tokens
        case maxBodyBytes = "max_body_bytes"
        case maxConcurrent = "max_concurrent"
    }

    /// Reads a configuration; everything but `tokens` has a default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        listen = try container.decodeIfPresent(String.self, forKey: .listen) ?? "127.0.0.1:8080"
        ledger =
            try container.decodeIfPresent(String.self, forKey: .ledger) ?? "sqlite:"
            + Ledger.defaultPath(environment: ProcessInfo.processInfo.environment)
        maxBodyBytes = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? 2 << 30
        maxConcurrent = try container.decodeIfPresent(Int.self, forKey: .maxConcurrent) ?? 2 * ProcessInfo.processInfo.activeProcessorCount
        spool = try container.decodeIfPresent(String.self, forKey: .spool) ?? NSTemporaryDirectory()
        tokens = try container.decode([Token].self, forKey: .tokens)
    }

    /// Reads and checks a configuration file; key paths are taken relative to its folder.
    public static func load(path: String) throws -> ServiceConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read \(path): \(error.localizedDescription)")
        }
        var configuration: ServiceConfiguration
        do { configuration = try YAMLDecoder().decode(ServiceConfiguration.self, from: text) } catch {
            throw ConfigurationError("\(path) is not a valid configuration: \(error)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        for index in configuration.tokens.indices {
            for key in [\Token.signKey, \Token.watermarkKey] {
                if let relative = configuration.tokens[index][keyPath: key], !relative.hasPrefix("/") {
                    configuration.tokens[index][keyPath: key] = (folder.isEmpty ? "." : folder) + "/" + relative
                }
            }
        }
        try configuration.check(path: path)
        return configuration
    }

    /// The rules a configuration must keep, each with its own sentence.
    public func check(path: String) throws {
        guard listenAddress != nil else { throw ConfigurationError("\(path): listen must be HOST:PORT, not '\(listen)'") }
        guard maxBodyBytes > 0, maxConcurrent > 0 else {
            throw ConfigurationError("\(path): max_body_bytes and max_concurrent must be positive")
        }
        guard ledger == "none" || ledger.hasPrefix("sqlite:") || LedgerLocation.isPostgres(ledger) else {
            throw ConfigurationError(
                "\(path): ledger must be sqlite:PATH, postgres://USER@HOST/DATABASE or none, not '\(LedgerLocation.redacted(ledger))'")
        }
        var seen: Set<String> = []
        for token in tokens {
            guard token.token.count >= 16 else { throw ConfigurationError("\(path): a token must be at least 16 characters") }
            guard seen.insert(token.token).inserted else { throw ConfigurationError("\(path): a token is listed twice") }
            if token.role == .producer && token.producers.isEmpty {
                throw ConfigurationError("\(path): a producer token needs its ContentProducer codes (producers)")
            }
            if token.role == .platform && token.propagator == nil {
                throw ConfigurationError("\(path): a platform token needs its propagator code")
            }
        }
    }

    /// `listen` split into host and port.
    public var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else {
            return nil
        }
        return (String(listen[..<colon]), port)
    }

    /// The token a bearer value names, if any.
    func token(_ value: String) -> Token? {
        tokens.first { Self.constantTimeEqual($0.token, value) }
    }

    /// Compares without stopping at the first difference, so timing does not tell a token's prefix.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A configuration that cannot be used, in one sentence.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// The sentence.
    public var description: String
    init(_ description: String) { self.description = description }
}
