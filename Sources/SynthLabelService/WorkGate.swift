import Synchronization

/// At most `limit` files are worked on at once; a request beyond them is refused at once (503
/// with Retry-After) rather than queued without bound.
final class WorkGate: Sendable {
    private let limit: Int
    private let busy = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Runs `work` if a worker is free, else throws `ServiceError.busy`.
    func run<Value: Sendable>(_ work: () async throws -> Value) async throws -> Value {
        guard busy.add(1, ordering: .acquiringAndReleasing).newValue <= limit else {
            busy.subtract(1, ordering: .acquiringAndReleasing)
            throw ServiceError.busy()
        }
        defer { busy.subtract(1, ordering: .acquiringAndReleasing) }
        return try await work()
    }
}
