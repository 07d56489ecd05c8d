import Dispatch
import Glibc

/// Where the async entry points run their blocking work: reading, decoding, hashing and writing
/// files block a thread for as long as the disk takes, which must never be one of Swift
/// concurrency's cooperative threads (a server on SwiftNIO or Hummingbird would stall with it).
/// Each call runs on a thread of this queue's own pool, at most one per core at once (later calls
/// wait their turn there, not on the caller's executor), and resumes the caller when done.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "SynthLabel.blocking-work", attributes: .concurrent)
    private static let slots = DispatchSemaphore(value: max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    static func run<Value: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            queue.async {
                slots.wait()
                defer { slots.signal() }
                continuation.resume(returning: Result { () throws(Failure) in try work() })
            }
        }
        return try result.get()
    }

    private static let waitingQueue = DispatchQueue(label: "SynthLabel.waiting-work", attributes: .concurrent)

    /// Like `run`, for work that mostly waits (a database's sync or answer) rather than
    /// computes: it takes no core's slot, so it never holds up file work, nor waits behind it.
    static func waiting<Value: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            waitingQueue.async { continuation.resume(returning: Result { () throws(Failure) in try work() }) }
        }
        return try result.get()
    }
}
