import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// The progress line on stderr: done/total, rate and time left, redrawn a few times a second.
///
/// Silent when stderr is not a terminal or with `--quiet`. The total is known up front for
/// labelling (which walks the whole tree before writing) and arrives from a counting walk
/// running beside the work for `verify` and `scan`; until then only the count and rate show.
final class ProgressLine: Sendable {
    /// The help of the `--quiet` flag every bulk command takes.
    static let quietHelp = ArgumentHelp(en: "No progress line on the terminal.", zh: "终端上不显示进度行。")
    private let label: String
    private let enabled: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    private let lastDraw = Atomic<UInt64>(0)
    /// Files handed back so far; read by the signal handler too.
    let done = Atomic<Int>(0)
    /// -1 until known.
    private let knownTotal = Atomic<Int>(-1)

    init(_ label: String, quiet: Bool = false, total: Int? = nil) {
        self.label = label
        enabled = !quiet && isatty(DecoderNoise.terminal) == 1
        knownTotal.store(total ?? -1, ordering: .relaxed)
    }

    var total: Int? {
        get {
            let value = knownTotal.load(ordering: .relaxed)
            return value < 0 ? nil : value
        }
        set { knownTotal.store(newValue ?? -1, ordering: .relaxed) }
    }

    /// Counts the files under `paths` on a background thread (as `walker` would find them,
    /// filtered by `admits`) and sets the total when done.
    func countInBackground(_ makeWalker: @escaping @Sendable () -> FileWalker, admits: @escaping @Sendable (FileWalker.Entry) -> Bool) {
        guard enabled else { return }
        Thread.detachNewThread { [self] in
            var walker = makeWalker()
            var count = 0
            while let entry = walker.next() {
                if admits(entry) { count += 1 }
            }
            total = count
        }
    }

    func advance() {
        let count = done.add(1, ordering: .relaxed).newValue
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw.load(ordering: .relaxed) > 200_000_000 else { return }
        lastDraw.store(now, ordering: .relaxed)
        fflush(nil)  // results first, so the line stays below them
        Output.standardError("\r\u{1B}[K" + text(count: count, now: now))
        Output.progressShown = true
    }

    /// "labelled 1200/5000 files, 310 files/s, 0:12 left".
    func text(count: Int, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> String {
        let seconds = Double(now - started) / 1e9
        let rate = seconds > 0 ? Double(count) / seconds : 0
        var line = "\(label) \(count)"
        if let total { line += "/\(total)" }
        line += CLILanguage.text(en: " files, \(Int(rate.rounded())) files/s", zh: " 个文件，每秒 \(Int(rate.rounded())) 个")
        if let total, rate > 0, total >= count {
            let left = Int((Double(total - count) / rate).rounded())
            let clock = String(format: "%d:%02d", left / 60, left % 60)
            line += CLILanguage.text(en: ", \(clock) left", zh: "，还需 \(clock)")
        }
        return line
    }

    func finish() {
        guard enabled else { return }
        Output.clearProgress()
    }
}

/// SIGINT and SIGTERM: during a bulk run (label, propagate, verify, scan) the first asks it to
/// stop at the next batch (nothing half written, a summary printed) and a second stops at once;
/// other commands stop at once. SIGPIPE is ignored, so a reader that
/// closes stdout (`synthlabel label … | head`) ends the output, not the work.
enum Interruption {
    private static let received = Atomic<Int32>(0)
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    /// The progress of the run in hand, for the line a second signal prints.
    nonisolated(unsafe) static var progress: ProgressLine?

    /// The signal received, if any.
    static var requested: Int32? {
        let value = received.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    static func install() {
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // Outside a bulk run (keys, ledger) there is no batch to finish: stop as the
                // signal's default would.
                guard progress != nil else { _exit(128 + number) }
                if received.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged { return }
                Output.standardError("\n" + line(done: progress?.done.load(ordering: .relaxed) ?? 0, total: progress?.total) + "\n")
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops handling SIGINT and SIGTERM here (they stay ignored at the process level), for a
    /// command with its own handling: `serve` drains its requests in flight instead.
    static func handOver() {
        for source in sources { source.cancel() }
        sources = []
    }

    /// "interrupted after 12 of 40 files".
    static func line(done: Int, total: Int?) -> String {
        CLILanguage.text(
            en: "interrupted after \(done)\(total.map { " of \($0)" } ?? "") file(s)",
            zh: "处理 \(done)\(total.map { " / \($0)" } ?? "") 个文件后中断")
    }

    /// After a run that stopped early: the one line, and the exit status a shell expects.
    static func finish(done: Int, total: Int?) throws {
        guard let signal = requested else { return }
        Output.diagnostic(
            line(done: done, total: total) + CLILanguage.text(en: "; run the same command again to carry on", zh: "；再次运行同一命令即可接着做"))
        throw ExitCode(128 + signal)
    }
}
