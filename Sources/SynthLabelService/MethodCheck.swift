import HTTPTypes
import Hummingbird

/// A method a path does not take is 405 with the methods it does take (`Allow`), not 404:
/// the route exists.
struct MethodCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = LabellingService.endpoints.compactMap { endpoint -> String? in
                let parts = endpoint.split(separator: " ", maxSplits: 1)
                return Self.matches(pattern: String(parts[1]), path: request.uri.path) ? String(parts[0]) : nil
            }
            guard !allowed.isEmpty else { throw error }
            throw ServiceError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.uri.path) takes \(allowed.sorted().joined(separator: ", ")), not \(request.method.rawValue)",
                headers: [.allow: allowed.sorted().joined(separator: ", ")])
        }
    }

    /// Whether `path` fits an OpenAPI path pattern (`{name}` takes one segment).
    static func matches(pattern: String, path: String) -> Bool {
        let expected = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let actual = path.split(separator: "/", omittingEmptySubsequences: false)
        return expected.count == actual.count
            && zip(expected, actual).allSatisfy { $0.hasPrefix("{") && !$1.isEmpty || $0 == $1 }
    }
}
