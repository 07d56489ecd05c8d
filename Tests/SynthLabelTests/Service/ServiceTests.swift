import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import SynthLabel
@testable import SynthLabelService

/// `synthlabel serve` over HTTP on loopback (HummingbirdTesting's live mode: a real server on a
/// free port and a real client): every endpoint, every role, every refusal, and the ledger.
@Suite struct ServiceTests {
    let folder = TemporaryDirectory()
    static let producerToken = "producer-token-0123456789"
    static let platformToken = "platform-token-0123456789"
    static let auditorToken = "auditor-token-01234567890"
    static let platform = "001191110102MACQD9K64018706"

    /// A service on a free loopback port with its own ledger, spool and SM2 key.
    func service(maxBodyBytes: Int = 10_000_000, maxConcurrent: Int = 4) throws -> (LabellingService, ledger: String, key: PublicKey) {
        let key = try KeyFile.generate(.sm2, writingTo: folder.file("producer"))
        let spool = folder.file("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let ledger = folder.file("ledger.sqlite")
        let yaml = """
            listen: 127.0.0.1:0
            ledger: sqlite:\(ledger)
            max_body_bytes: \(maxBodyBytes)
            max_concurrent: \(maxConcurrent)
            spool: \(spool)
            tokens:
              - { token: "\(Self.producerToken)", role: producer, producers: ["\(Fixtures.producer)"], sign_key: producer.key }
              - { token: "\(Self.platformToken)", role: platform, propagator: "\(Self.platform)" }
              - { token: "\(Self.auditorToken)", role: auditor }
            """
        let path = folder.file("service.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (try LabellingService(configuration: ServiceConfiguration.load(path: path)), ledger, key)
    }

    func headers(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    func sample(_ name: String) -> ByteBuffer { ByteBuffer(bytes: Fixtures.read(Fixtures.sample(name))) }

    /// The response body written to a file, for the library and other tools to read.
    func saved(_ body: ByteBuffer, as name: String) -> String {
        let path = folder.file(name)
        Fixtures.write(Array(body.readableBytesView), to: path)
        return path
    }

    func json(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    @Test func aProducerLabelsSignsAndTheActIsRecorded() async throws {
        let (service, ledgerPath, key) = try service()
        try await service.application(logger: Logger(label: "test")).test(.live) { client in
            let uri = "/v1/label?producer=\(Fixtures.producer)&produce_id=HTTP-1&sign=true&explicit=true"
            try await client.execute(uri: uri, method: .post, headers: headers(Self.producerToken), body: sample("gradient.png")) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(response.headers[HTTPField.Name("SynthLabel-Produce-ID")!] == "HTTP-1")
                #expect(response.headers[HTTPField.Name("SynthLabel-Format")!] == "png")
                let path = saved(response.body, as: "labelled.png")
                #expect(response.headers[HTTPField.Name("SynthLabel-SHA256")!] == (try FileDigest.sha256(ofFileAt: path)))
                let report = try Verifier(trust: TrustStore(keys: [key])).verify(fileAt: path)
                #expect(report.verdict == .compliant && report.label?.produceID == "HTTP-1")
                #expect(report.findings.first { $0.check == .producerSignature }?.outcome == .pass)
                #expect(report.findings.first { $0.check == .caption }?.outcome == .pass)
                // exiftool, a reader of its own, finds the label in what came back.
                #expect(try Fixtures.exiftool("XMP-TC260:AIGC", path).contains("HTTP-1"))
            }
            // The auditor finds the act by its ProduceID; the ledger file holds it once.
            try await client.execute(uri: "/v1/ledger/HTTP-1", method: .get, headers: headers(Self.auditorToken)) { response in
                #expect(response.status == .ok)
                let acts = try #require(try json(response.body)["acts"] as? [[String: String]])
                #expect(acts.count == 1 && acts[0]["state"] == "completed" && acts[0]["tool"] == "synthlabel serve")
            }
            #expect(try Ledger(path: ledgerPath).acts(produceID: "HTTP-1").count == 1)
        }
    }

    @Test func aPlatformPropagatesAndAnyoneMayVerify() async throws {
        let (service, _, _) = try service()
        try await service.application(logger: Logger(label: "test")).test(.live) { client in
            let labelled = try await client.execute(
                uri: "/v1/label?produce_id=HTTP-2", method: .post, headers: headers(Self.producerToken), body: sample("chirp.wav")
            ) { $0.body }
            try await client.execute(
                uri: "/v1/propagate?propagate_id=P-2", method: .post, headers: headers(Self.platformToken), body: labelled
            ) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "audio/wav")
                let report = try Fixtures.report(saved(response.body, as: "propagated.wav"))
                #expect(report.label?[.contentPropagator] == Self.platform && report.label?[.propagateID] == "P-2")
                #expect(report.label?.produceID == "HTTP-2")
            }
            for token in [Self.producerToken, Self.platformToken, Self.auditorToken] {
                try await client.execute(uri: "/v1/verify", method: .post, headers: headers(token), body: labelled) { response in
                    #expect(response.status == .ok)
                    let entry = try json(response.body)
                    #expect(entry["verdict"] as? String == "compliant" && entry["path"] == nil && entry["checks"] != nil)
                }
            }
        }
    }

    /// A body has no name, and Markdown and plain text have no signature: `name=` carries the
    /// extension that tells them apart. Formats with a signature go by their bytes whatever it says.
    @Test func markdownAndTextAreKnownByTheNameGiven() async throws {
        let (service, _, _) = try service()
        let spool = folder.file("spool")
        try await service.application(logger: Logger(label: "test")).test(.live) { client in
            let token = headers(Self.producerToken)
            try await client.execute(uri: "/v1/label", method: .post, headers: token, body: sample("story.md")) { response in
                #expect(response.status == .unsupportedMediaType, "without a name, text is not recognised")
            }
            let markdown = try await client.execute(
                uri: "/v1/label?produce_id=MD-1&name=drafts%2Fstory.MD", method: .post, headers: token, body: sample("story.md")
            ) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/markdown; charset=utf-8")
                #expect(response.headers[LabellingService.formatField] == "markdown")
                let report = try Fixtures.report(saved(response.body, as: "story.md"))
                #expect(report.verdict == .compliant && report.label?.produceID == "MD-1", "\(report.findings)")
                return response.body
            }
            try await client.execute(uri: "/v1/verify?name=story.md", method: .post, headers: headers(Self.auditorToken), body: markdown) {
                response in
                let entry = try json(response.body)
                #expect(entry["verdict"] as? String == "compliant" && entry["format"] as? String == "markdown", "\(entry)")
            }
            try await client.execute(
                uri: "/v1/label?produce_id=TXT-1&name=readme.txt&explicit=true&invisible_text=true", method: .post, headers: token,
                body: sample("readme.txt")
            ) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/plain; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("本内容由人工智能生成"))
                let report = try Fixtures.report(saved(response.body, as: "readme.txt"))
                #expect(report.verdict == .compliant && report.label?.produceID == "TXT-1", "\(report.findings)")
            }
            try await client.execute(uri: "/v1/label?name=photo.md", method: .post, headers: token, body: sample("gradient.png")) {
                response in
                #expect(response.status == .ok && response.headers[LabellingService.formatField] == "png", "the bytes say PNG")
            }
            try await client.execute(uri: "/v1/label?name=notes.m%24d", method: .post, headers: token, body: sample("story.md")) {
                response in
                let refusal = try json(response.body)
                #expect(response.status == .badRequest && (refusal["message"] as? String ?? "").contains("name:"), "\(refusal)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
    }

    @Test func whoMayDoWhat() async throws {
        let (service, _, _) = try service()
        try await service.application(logger: Logger(label: "test")).test(.live) { client in
            let png = sample("gradient.png")
            let cases: [(String, HTTPFields, HTTPResponse.Status, String)] = [
                ("/v1/label", [:], .unauthorized, "unauthorized"),
                ("/v1/label", headers("not-a-token-0123456789"), .unauthorized, "unauthorized"),
                ("/v1/label", headers(Self.auditorToken), .forbidden, "forbidden"),
                ("/v1/label", headers(Self.platformToken), .forbidden, "forbidden"),
                ("/v1/label?producer=001191110102MACQD9K64018799", headers(Self.producerToken), .forbidden, "forbidden"),
                ("/v1/propagate", headers(Self.producerToken), .forbidden, "forbidden"),
                ("/v1/propagate?propagator=SOMEONEELSE", headers(Self.platformToken), .forbidden, "forbidden"),
                ("/v1/label?label=4", headers(Self.producerToken), .badRequest, "bad_request"),
                ("/v1/label?watermark=true", headers(Self.producerToken), .forbidden, "forbidden"),
            ]
            for (uri, fields, status, code) in cases {
                try await client.execute(uri: uri, method: .post, headers: fields, body: png) { response in
                    let refusal = try json(response.body)
                    #expect(response.status == status, "\(uri)")
                    #expect(refusal["code"] as? String == code, "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/ledger/X", method: .get, headers: headers(Self.producerToken)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func badBodiesGetClearRefusals() async throws {
        let (service, _, _) = try service(maxBodyBytes: 100_000)
        let spool = folder.file("spool")
        try await service.application(logger: Logger(label: "test")).test(.live) { client in
            let token = headers(Self.producerToken)
            let large = ByteBuffer(bytes: [UInt8](repeating: 7, count: 200_000))
            try await client.execute(uri: "/v1/label", method: .post, headers: token, body: large) { response in
                let refusal = try json(response.body)
                #expect(response.status == .contentTooLarge && refusal["code"] as? String == "body_too_large")
            }
            try await client.execute(uri: "/v1/label", method: .post, headers: token, body: ByteBuffer(string: "\u{0}\u{1}binary")) {
                response in
                let refusal = try json(response.body)
                #expect(response.status == .unsupportedMediaType && refusal["code"] as? String == "unsupported_format")
                #expect(!String(buffer: response.body).contains(spool), "the spool file's name stays inside")
            }
            let png = Fixtures.read(Fixtures.sample("gradient.png"))
            try await client.execute(uri: "/v1/label", method: .post, headers: token, body: ByteBuffer(bytes: png.prefix(png.count / 2))) {
                response in
                let refusal = try json(response.body)
                #expect(response.status == .unprocessableContent && refusal["code"] as? String == "damaged_file")
                let report = refusal["report"] as? [String: Any]
                #expect(report?["verdict"] as? String == "inconclusive" && report?["path"] == nil, "\(String(describing: report))")
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
        // Nothing is left in the spool once the requests are answered.
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
    }

    @Test func theOpenAPIDocumentDescribesEveryRouteAndTheFeedsWork() async throws {
        let (service, _, _) = try service()
        try await service.application(logger: Logger(label: "test")).test(.live) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get) { try json($0.body) }
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(described == LabellingService.endpoints)
            // Every route answers (not 404), with the tokens it needs.
            for endpoint in LabellingService.endpoints {
                let parts = endpoint.split(separator: " ")
                let uri = String(parts[1]).replacingOccurrences(of: "{id}", with: "NOPE")
                let method: HTTPRequest.Method = parts[0] == "GET" ? .get : .post
                let token =
                    uri.hasPrefix("/v1/ledger") ? Self.auditorToken : uri.hasSuffix("propagate") ? Self.platformToken : Self.producerToken
                try await client.execute(
                    uri: uri, method: method, headers: headers(token), body: method == .post ? sample("gradient.png") : nil
                ) {
                    #expect($0.status != .notFound || uri.hasSuffix("NOPE"), "\(endpoint): \($0.status)")
                }
            }
            // The auditor's feed holds the acts just recorded, one JSON object a line.
            try await client.execute(uri: "/v1/ledger?since=2020-01-01", method: .get, headers: headers(Self.auditorToken)) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/x-ndjson")
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.count == 1, "the label; the propagation of an unlabelled file without declared or suspected was refused")
                #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: String] })
            }
            try await client.execute(uri: "/v1/ledger?since=yesterday", method: .get, headers: headers(Self.auditorToken)) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("synthlabel_requests_total{route=\"/v1/label\",status=\"200\"} 1"), "\(text)")
                #expect(text.contains("synthlabel_verdicts_total{format=\"png\",verdict=\"unlabelled\"} 1"))
                #expect(text.contains("synthlabel_request_seconds_bucket{route=\"/v1/verify\",le=\"+Inf\"} 1"))
            }
        }
    }

    @Test func aFullGateAnswersBusyInsteadOfQueueing() async throws {
        let gate = WorkGate(limit: 1)
        let (entered, enteredSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await gate.run {
                enteredSignal.yield()
                for await _ in release { break }
            }
        }
        for await _ in entered { break }
        await #expect(throws: ServiceError.self) { try await gate.run {} }
        releaseSignal.yield()
        try await holder.value
        try await gate.run {}  // free again
    }
}
