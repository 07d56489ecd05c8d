import HTTPTypes
import Hummingbird
import Logging

/// One structured line per request: method, path, status, time, and the ProduceID and digest a
/// label response carries; never a body or a token.
struct AccessLog<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var metadata: Logger.Metadata = ["method": "\(request.method.rawValue)", "path": "\(request.uri.path)"]
        do {
            let response = try await next(request, context)
            metadata["status"] = "\(response.status.code)"
            if let id = response.headers[LabellingService.produceIDField] { metadata["produce_id"] = "\(id)" }
            if let digest = response.headers[LabellingService.digestField] { metadata["sha256"] = "\(digest)" }
            metadata["ms"] = "\((ContinuousClock.now - started).milliseconds)"
            logger.info("request", metadata: metadata)
            return response
        } catch {
            metadata["status"] = "\((error as? any HTTPResponseError)?.status.code ?? 500)"
            if let refusal = error as? ServiceError { metadata["code"] = "\(refusal.code)" }
            metadata["ms"] = "\((ContinuousClock.now - started).milliseconds)"
            logger.info("request", metadata: metadata)
            throw error
        }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
