import Foundation
import HTTPTypes
import Hummingbird
import SynthLabel

/// The three endpoints that take a file: label, propagate, verify.
extension LabellingService {
    static let produceIDField = field("SynthLabel-Produce-ID")
    static let propagateIDField = field("SynthLabel-Propagate-ID")
    static let formatField = field("SynthLabel-Format")
    static let digestField = field("SynthLabel-SHA256")

    private static func field(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is not a header name") }
        return field
    }

    /// `POST /v1/label?producer=…[&produce_id=…][&label=1|2|3][&explicit=true[&explicit_text=…][&caption_position=…]][&invisible_text=true][&watermark=true][&sign=true][&name=…]`
    func label(_ request: Request) async throws -> Response {
        let caller = try authorize(request, as: [.producer])
        let query = Query(request)
        guard let producer = query["producer"] ?? (caller.producers.count == 1 ? caller.producers[0] : nil) else {
            throw ServiceError.badRequest("give producer=CODE: this token holds several ContentProducer codes")
        }
        guard caller.producers.contains(producer) else {
            throw ServiceError.forbidden(
                "this token may not label as \(producer): its codes are \(caller.producers.joined(separator: ", "))")
        }
        let value = try query.labelValue("label") ?? .generated
        let label = AIGCLabel(label: value, contentProducer: producer, produceID: query["produce_id"] ?? GeneratedID.produceID())
        let labeller = try labeller(for: caller, query: query)
        return try await work(request, request: .produce(label), labeller: labeller, action: .label)
    }

    /// `POST /v1/propagate?[propagator=…][&propagate_id=…][&declared=true|&suspected=true][&sign=true][&name=…]`
    func propagate(_ request: Request) async throws -> Response {
        let caller = try authorize(request, as: [.platform])
        let query = Query(request)
        let propagator = query["propagator"] ?? caller.propagator ?? ""
        guard propagator == caller.propagator else {
            throw ServiceError.forbidden("this token propagates as \(caller.propagator ?? "nobody"), not \(propagator)")
        }
        let declared = try query.flag("declared")
        let suspected = try query.flag("suspected")
        guard !(declared && suspected) else { throw ServiceError.badRequest("give declared or suspected, not both") }
        let propagation = Propagation(
            propagator: propagator, propagateID: query["propagate_id"] ?? GeneratedID.propagateID(),
            labelForUnlabelled: declared ? .possiblyGenerated : suspected ? .suspectedGenerated : nil)
        let labeller = try labeller(for: caller, query: query)
        return try await work(request, request: .propagate(propagation), labeller: labeller, action: .propagate)
    }

    /// `POST /v1/verify?[explicit=true][&name=…]`: one file entry of `verify --json`, without a path.
    func verify(_ request: Request) async throws -> Response {
        _ = try authorize(request, as: [.producer, .platform, .auditor])
        let query = Query(request)
        let explicit = try query.flag("explicit")
        let fileExtension = try query.fileExtension()
        return try await gate.run {
            let body = try await SpooledFile.receiving(
                request.body, declaredLength: request.headers[.contentLength].flatMap { Int($0) }, into: configuration.spool,
                limit: configuration.maxBodyBytes, fileExtension: fileExtension)
            let entry = try await Self.report(of: body.file.path, explicitChecks: explicit)
            metrics.verdict(entry.verdict, format: entry.format ?? "unknown")
            return Self.json(entry)
        }
    }

    // MARK: The shared path

    /// A labeller with what the query asks for and the token's keys.
    func labeller(for caller: ServiceConfiguration.Token, query: Query) throws -> Labeller {
        let tokenKeys = keys[caller.token] ?? TokenKeys()
        var explicit: ExplicitLabel?
        if try query.flag("explicit") {
            var settings = ExplicitLabel()
            if let text = query["explicit_text"] {
                do { settings.wording = try PromptWording(text) } catch { throw ServiceError.badRequest("explicit_text: \(error)") }
            }
            if let position = query["caption_position"] {
                guard let placement = CaptionPlacement(rawValue: position) else {
                    throw ServiceError.badRequest(
                        "caption_position must be one of \(CaptionPlacement.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.captionPlacement = placement
            }
            explicit = settings
        }
        var signing: SigningKey?
        if try query.flag("sign") {
            guard let key = tokenKeys.signing else { throw ServiceError.forbidden("this token has no signing key on the server") }
            signing = key
        }
        var watermark: WatermarkKey?
        if try query.flag("watermark") {
            guard let key = tokenKeys.watermark else { throw ServiceError.forbidden("this token has no watermark key on the server") }
            watermark = key
        }
        return Labeller(
            explicit: explicit, invisibleTextLabel: try query.flag("invisible_text"), signingKey: signing, watermarkKey: watermark)
    }

    /// Spools the body, labels it into a second spool file, records the act, and streams the
    /// result back. A damaged file is 422 with its verify findings.
    func work(_ request: Request, request labelRequest: LabelRequest, labeller: Labeller, action: LedgerAct.Action) async throws -> Response
    {
        let fileExtension = try Query(request).fileExtension()
        return try await gate.run {
            let body = try await SpooledFile.receiving(
                request.body, declaredLength: request.headers[.contentLength].flatMap { Int($0) }, into: configuration.spool,
                limit: configuration.maxBodyBytes, fileExtension: fileExtension)
            let output = try SpooledFile(in: configuration.spool)
            let outcome: LabelOutcome
            do {
                outcome = try await labeller.label(
                    fileAt: body.file.path, request: labelRequest, writingTo: output.path, mayReplaceOriginal: false)
            } catch let error as SynthLabelError {
                var refusal = ServiceError.from(error, spooledAt: body.file.path)
                if case .damaged = error { refusal.report = try? await Self.report(of: body.file.path, explicitChecks: false) }
                throw refusal
            }
            let digest: String
            do { digest = try FileDigest.sha256(ofFileAt: output.path) } catch let error as SynthLabelError {
                throw ServiceError.from(error, spooledAt: output.path)
            }
            try await record(
                action: action, outcome: outcome, sha256Before: body.sha256, sha256After: digest, keyID: labeller.signingKey?.keyID)
            var headers: HTTPFields = [
                .contentType: Self.mediaType(outcome.carrier), Self.formatField: outcome.carrier.rawValue, Self.digestField: digest,
            ]
            headers[Self.produceIDField] = outcome.label[.produceID]
            headers[Self.propagateIDField] = outcome.label[.propagateID]
            return Response(status: .ok, headers: headers, body: output.responseBody(size: outcome.size))
        }
    }

    /// Records a completed act: the bytes are in the spool, about to be returned.
    func record(action: LedgerAct.Action, outcome: LabelOutcome, sha256Before: String, sha256After: String, keyID: String?) async throws {
        guard let ledger else { return }
        let act = LedgerAct(
            action: action, tool: "synthlabel serve", toolVersion: LabellingService.version, operatorName: "service",
            host: HostName.current,
            path: "(request body)", output: "(response body)", format: outcome.carrier.rawValue, sha256Before: sha256Before,
            sha256After: sha256After, label: outcome.label, watermark: outcome.watermark, keyID: keyID, explicit: outcome.explicit,
            watermarkNote: outcome.watermarkNote)
        do { _ = try await ledger.perform { ledger throws(LedgerError) in try ledger.record(completed: [act]) } } catch {
            throw ServiceError(status: .serviceUnavailable, code: "ledger_unreachable", message: "the act could not be recorded: \(error)")
        }
    }

    /// The verify entry of a spooled body, without the spool file's name.
    static func report(of path: String, explicitChecks: Bool) async throws -> FileReportJSON {
        do {
            var entry = FileReportJSON(try await Verifier(explicitChecks: explicitChecks).verify(fileAt: path))
            entry.path = nil
            return entry
        } catch {
            return FileReportJSON(path: nil, error: error.description.replacingOccurrences(of: path, with: "the body"))
        }
    }

    /// The Content-Type of a labelled file.
    static func mediaType(_ carrier: Carrier) -> String {
        switch carrier {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        case .gif: "image/gif"
        case .tiff: "image/tiff"
        case .wav: "audio/wav"
        case .mp3: "audio/mpeg"
        case .flac: "audio/flac"
        case .ogg: "audio/ogg"
        case .mp4: "video/mp4"
        case .matroska: "video/x-matroska"
        case .avi: "video/x-msvideo"
        case .pdf: "application/pdf"
        case .markdown: "text/markdown; charset=utf-8"
        case .text: "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// The version the ledger records for the service's acts.
    public static let version = "0.1.0"
}

/// A request's query parameters, with their checks.
struct Query {
    private let request: Request

    init(_ request: Request) { self.request = request }

    subscript(_ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// `true`, `1` or `false`, `0`; absent is false.
    func flag(_ name: String) throws -> Bool {
        guard let value = self[name] else { return false }
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ServiceError.badRequest("\(name) must be true or false, not '\(value)'")
        }
    }

    /// The extension of `name=`, the uploaded file's name: a body carries no name, and Markdown
    /// and plain text have no signature to be known by. Nil without one; 400 for an extension
    /// that is not 1–8 letters or digits.
    func fileExtension() throws -> String? {
        guard let name = self["name"] else { return nil }
        let last = name.split(separator: "/").last ?? ""
        guard let dot = last.lastIndex(of: "."), last.index(after: dot) < last.endIndex else { return nil }
        let fileExtension = last[last.index(after: dot)...].lowercased()
        guard (1...8).contains(fileExtension.count), fileExtension.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ServiceError.badRequest("name: the extension must be 1 to 8 letters or digits, not '\(fileExtension)'")
        }
        return fileExtension
    }

    func labelValue(_ name: String) throws -> LabelValue? {
        guard let value = self[name] else { return nil }
        guard let label = LabelValue(rawValue: value) else { throw ServiceError.badRequest("\(name) must be 1, 2 or 3, not '\(value)'") }
        return label
    }
}
