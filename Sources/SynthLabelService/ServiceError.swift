import Foundation
import HTTPTypes
import Hummingbird
import SynthLabel

/// Every refusal the service answers, as JSON with a stable `code` a client branches on and a
/// sentence for a person.
struct ServiceError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]
    /// The verify findings of a damaged file (422).
    var report: FileReportJSON?

    static func unauthorized() -> ServiceError {
        ServiceError(
            status: .unauthorized, code: "unauthorized", message: "a valid bearer token is needed (Authorization: Bearer TOKEN)",
            headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(_ message: String) -> ServiceError { ServiceError(status: .forbidden, code: "forbidden", message: message) }

    static func badRequest(_ message: String) -> ServiceError { ServiceError(status: .badRequest, code: "bad_request", message: message) }

    static func tooLarge(limit: Int) -> ServiceError {
        ServiceError(
            status: .contentTooLarge, code: "body_too_large", message: "the body is larger than the service's limit of \(limit) bytes")
    }

    static func busy() -> ServiceError {
        ServiceError(
            status: .serviceUnavailable, code: "busy", message: "every worker is busy; try again shortly", headers: [.retryAfter: "1"])
    }

    /// A library error as the status and code a client acts on; the spool file's name, which
    /// means nothing to the client, is said as "the body".
    static func from(_ error: SynthLabelError, spooledAt path: String) -> ServiceError {
        let message = error.description.replacingOccurrences(of: path, with: "the body")
        switch error {
        case .unrecognisedFormat, .readOnlyFormat, .noMetadataSite, .emptyFile, .unsupportedVariant:
            return ServiceError(status: .unsupportedMediaType, code: "unsupported_format", message: message)
        case .damaged:
            return ServiceError(status: .unprocessableContent, code: "damaged_file", message: message)
        case .invalidLabel, .invalidProducerLabel:
            return ServiceError(status: .badRequest, code: "invalid_label", message: message)
        case .anotherProducersLabel, .anotherPlatformsFields, .sitesDisagree, .carriesC2PA, .unlabelledNeedsDeclaration:
            return ServiceError(status: .conflict, code: "label_conflict", message: message)
        default:
            return ServiceError(status: .unprocessableContent, code: "cannot_label", message: message)
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        LabellingService.json(ErrorBody(code: code, message: message, report: report), status: status, headers: headers)
    }
}

/// The JSON of a refusal.
private struct ErrorBody: Encodable {
    var code: String
    var message: String
    var report: FileReportJSON?
}
