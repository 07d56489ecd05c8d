import Dispatch
import Foundation

/// Runs a job over a stream of files on every core, handing results back in input order.
///
/// Files are taken in batches, so memory stays flat however long the stream is, and the
/// output is the same from run to run whatever the scheduling. After SIGINT or SIGTERM
/// (`Interruption`) it stops at the next batch boundary.
struct BatchRunner {
    var batchSize = 256
    var progress: ProgressLine

    func run<Input, Output>(
        _ inputs: inout some IteratorProtocol<Input>,
        work: @escaping @Sendable (Input) -> Output,
        deliver: (Output) -> Void
    ) {
        run(&inputs, work: work, settle: { $0 }, deliver: deliver)
    }

    /// As above, with `settle` run on each whole batch (in order, on this thread) before
    /// delivery: where labelling writes a batch of planned files with one disk sync.
    ///
    /// Pipelined: while this thread settles and delivers one batch, the workers already run
    /// `work` on the next, so reading and writing overlap.
    func run<Input, Staged, Output>(
        _ inputs: inout some IteratorProtocol<Input>,
        work: @escaping @Sendable (Input) -> Staged,
        settle: ([Staged]) -> [Output],
        deliver: (Output) -> Void
    ) {
        func start(_ inputs: inout some IteratorProtocol<Input>) -> InFlight<Staged>? {
            var batch: [Input] = []
            while batch.count < batchSize, let next = inputs.next() { batch.append(next) }
            if batch.isEmpty { return nil }
            let flight = InFlight<Staged>(count: batch.count)
            let shared = UncheckedBox(batch)
            flight.group.enter()
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: shared.value.count) { index in
                    flight.results.store(work(shared.value[index]), at: index)
                }
                flight.group.leave()
            }
            return flight
        }
        var current = start(&inputs)
        while let flight = current {
            flight.group.wait()
            // Interrupted: the batch in hand is dropped unsettled (nothing of it written), and
            // no other is started.
            if Interruption.requested != nil { break }
            current = start(&inputs)
            for result in settle(flight.results.values()) {
                deliver(result)
                progress.advance()
            }
        }
        progress.finish()
    }
}

/// A batch being worked on in the background.
private final class InFlight<Value>: @unchecked Sendable {
    let results: ResultBox<Value>
    let group = DispatchGroup()

    init(count: Int) { results = ResultBox(count: count) }
}

/// Slots written by concurrent workers, each index once.
private final class ResultBox<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ value: Value, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// Every slot's value; a slot no worker filled (none, once they have all run) is left out.
    func values() -> [Value] { slots.compactMap { $0 } }
}

/// The batch is only read while workers run.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
