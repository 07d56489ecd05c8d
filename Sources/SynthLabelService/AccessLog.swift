import HTTPTypes
import Hummingbird
import Logging

/// One structured line per request: method, path, status, time, and the ProduceID and digest a
/// label response carries; never a body or a token.
struct AccessLog<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var metadata: Logger.Metadata = ["method": "\(request.method.rawValue)", "path": "\(request.uri.path)"]
        do {
            let response = try await next(request, context)
            metadata["status"] = "\(response.status.code)"
            if let id = response.headers[LabellingService.produceIDField] { metadata["produce_id"] = "\(id)" }
            if let digest = response.headers[LabellingService.digestField] { metadata["sha256"] = "\(digest)" }
            finish(&metadata, request, context, status: Int(response.status.code), bytesOut: response.body.contentLength ?? 0, started)
            return response
        } catch {
            metadata["status"] = "\((error as? any HTTPResponseError)?.status.code ?? 500)"
            if let refusal = error as? ServiceError { metadata["code"] = "\(refusal.code)" }
            finish(&metadata, request, context, status: Int((error as? any HTTPResponseError)?.status.code ?? 500), bytesOut: 0, started)
            throw error
        }
    }
}

extension AccessLog {
    private func finish(
        _ metadata: inout Logger.Metadata, _ request: Request, _ context: Context, status: Int, bytesOut: Int,
        _ started: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - started
        metadata["ms"] = "\(elapsed.milliseconds)"
        logger.info("request", metadata: metadata)
        metrics.request(
            route: context.endpointPath ?? "unmatched", status: status, seconds: Double(elapsed.milliseconds) / 1000,
            bytesIn: request.headers[.contentLength].flatMap { Int($0) } ?? 0, bytesOut: bytesOut)
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
