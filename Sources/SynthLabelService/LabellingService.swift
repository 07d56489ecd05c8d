import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SynthLabel
import SynthLabelPostgres
import SynthLabelReports

/// `synthlabel serve`: labelling, propagation and verification over HTTP, so pipelines in any
/// language call the library without spawning a process per file. Bodies are spooled to disk
/// as they arrive (memory does not grow with the file), at most `max_concurrent` files are
/// worked on at once, and every act is recorded in the ledger before its bytes are returned.
public struct LabellingService: Sendable {
    let configuration: ServiceConfiguration
    let gate: WorkGate
    let ledger: Ledger?
    /// Each producer token's keys, loaded once at start so a bad key stops the service, not a request.
    let keys: [String: TokenKeys]
    let metrics = ServiceMetrics()

    struct TokenKeys: Sendable {
        var signing: SigningKey?
        var watermark: WatermarkKey?
    }

    /// Loads the ledger and every key the configuration names.
    public init(configuration: ServiceConfiguration) throws {
        self.configuration = configuration
        gate = WorkGate(limit: configuration.maxConcurrent)
        // What a killed server left in the spool (bodies, results, the writer's temporaries).
        Labeller.removeStaleTemporaryFiles(in: configuration.spool)
        if configuration.ledger == "none" {
            ledger = nil
        } else {
            do { ledger = try LedgerLocation.open(configuration.ledger) } catch { throw ConfigurationError("\(error)") }
        }
        var keys: [String: TokenKeys] = [:]
        for token in configuration.tokens {
            do {
                keys[token.token] = TokenKeys(
                    signing: try token.signKey.map { (path) throws(SynthLabelError) in try SigningKey(contentsOf: path) },
                    watermark: try token.watermarkKey.map { (path) throws(SynthLabelError) in try WatermarkKey(contentsOf: path) })
            } catch {
                throw ConfigurationError("a key of a \(token.role.rawValue) token: \(error)")
            }
        }
        self.keys = keys
    }

    /// Every route as `METHOD /path` (OpenAPI's path form): what `/openapi.json` must describe.
    public static let endpoints: Set<String> = [
        "GET /", "GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json", "POST /v1/label", "POST /v1/propagate",
        "POST /v1/verify",
        "GET /v1/ledger", "GET /v1/ledger/{id}",
    ]

    /// The routes, ready to run.
    public func application(logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(AccessLog(logger: logger, metrics: metrics))
        router.middlewares.add(MethodCheck())
        router.get("/") { request, _ in try self.page(request) }
        router.get("healthz") { _, _ in Self.json(["status": "ok"]) }
        router.get("readyz") { _, _ in try await self.readiness() }
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.metrics.text())))
        }
        router.post("v1/label") { request, _ in try await self.label(request) }
        router.post("v1/propagate") { request, _ in try await self.propagate(request) }
        router.post("v1/verify") { request, _ in try await self.verify(request) }
        router.get("v1/ledger") { request, _ in try self.ledgerFeed(request) }
        router.get("v1/ledger/:id") { request, context in try await self.ledgerEntry(request, id: context.parameters.get("id") ?? "") }
        let address = configuration.listenAddress ?? ("127.0.0.1", 8080)
        return Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "synthlabel"),
            logger: logger)
    }

    // MARK: Who may do what

    /// The caller's token entry: 401 without a valid bearer token, 403 for a role it lacks.
    func authorize(_ request: Request, as roles: Set<ServiceConfiguration.Role>) throws -> ServiceConfiguration.Token {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let token = configuration.token(String(header.dropFirst("Bearer ".count)))
        else { throw ServiceError.unauthorized() }
        guard roles.contains(token.role) else {
            throw ServiceError.forbidden(
                "the \(token.role.rawValue) role may not do this; it needs: \(roles.map(\.rawValue).sorted().joined(separator: " or "))")
        }
        return token
    }

    // MARK: Helpers

    /// `value` as a JSON answer (or refusal, with its `headers`).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data = (try? encoded(value)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The service's JSON: sorted keys, slashes unescaped, the same in every answer and feed.
    static func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// `GET /`: the verification page, in the language `?lang=` or `Accept-Language` asks for.
    /// It holds nothing secret: the auditor token is typed into it and sent only with the file.
    func page(_ request: Request) throws -> Response {
        let asked = Query(request)["lang"]
        if let asked, Language(rawValue: asked) == nil { throw ServiceError.badRequest("lang must be zh or en, not '\(asked)'") }
        let accepted = request.headers[.acceptLanguage]?.lowercased().hasPrefix("zh") == true ? "zh" : nil
        let language = Language.resolve(asked ?? accepted ?? "en", environment: [:])
        let nonce = ServicePage.nonce()
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: ServicePage.contentSecurityPolicy(nonce: nonce),
                .cacheControl: "no-store", Self.noSniffField: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ServicePage.html(language: language, nonce: nonce))))
    }

    static let noSniffField = HTTPField.Name("X-Content-Type-Options") ?? .contentType

    func readiness() async throws -> Response {
        guard let ledger else { return Self.json(["status": "ready", "ledger": "none"]) }
        do { _ = try await ledger.perform { ledger throws(LedgerError) in try ledger.acts(produceID: "readiness-probe") } } catch {
            throw ServiceError(status: .serviceUnavailable, code: "ledger_unreachable", message: "the ledger cannot be read: \(error)")
        }
        return Self.json(["status": "ready", "ledger": ledger.location])
    }

    /// `GET /v1/ledger?since=DATE`: every act since then as NDJSON, a page of 500 at a time as
    /// the client reads, so memory does not grow with the ledger.
    func ledgerFeed(_ request: Request) throws -> Response {
        _ = try authorize(request, as: [.auditor])
        guard let ledger else { throw ServiceError(status: .notFound, code: "no_ledger", message: "this service keeps no ledger") }
        let given = Query(request)["since"]
        let seconds = given.map(LedgerClock.parse)
        if let given, seconds == .some(nil) {
            throw ServiceError.badRequest("since takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '\(given)'")
        }
        let since = seconds.flatMap { $0 }.map(LedgerClock.format(secondsSinceEpoch:))
        let body = ResponseBody { writer in
            var lastID: Int64 = 0
            while true {
                let after = lastID
                let page = try await ledger.perform { ledger throws(LedgerError) in
                    try ledger.acts(since: since, afterID: after, limit: 500)
                }
                guard let last = page.last?.id else { break }
                var buffer = ByteBuffer()
                for act in page {
                    buffer.writeBytes(try Self.encoded(ActJSON(act)))
                    buffer.writeString("\n")
                }
                try await writer.write(buffer)
                lastID = last
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    func ledgerEntry(_ request: Request, id: String) async throws -> Response {
        _ = try authorize(request, as: [.auditor])
        guard let ledger else { throw ServiceError(status: .notFound, code: "no_ledger", message: "this service keeps no ledger") }
        let acts: [LedgerAct]
        do { acts = try await ledger.perform { ledger throws(LedgerError) in try ledger.acts(produceID: id) } } catch {
            throw ServiceError(status: .serviceUnavailable, code: "ledger_unreachable", message: "the ledger cannot be read: \(error)")
        }
        guard !acts.isEmpty else {
            throw ServiceError(status: .notFound, code: "not_found", message: "no act with ProduceID or PropagateID \(id)")
        }
        return Self.json(["acts": acts.map(ActJSON.init)])
    }
}

/// One ledger act as the service returns it: the ledger's columns by name.
struct ActJSON: Encodable {
    var fields: [String: String]

    init(_ act: LedgerAct) {
        fields = Dictionary(uniqueKeysWithValues: zip(LedgerAct.columns, act.values).compactMap { key, value in value.map { (key, $0) } })
    }

    func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}
