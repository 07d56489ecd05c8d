import ArgumentParser
import Foundation
import SynthLabel

/// The bulk engine behind `label` and `propagate`: walks the paths, reads and plans every
/// file on all cores, writes a batch at a time (one disk sync per batch for files that
/// replace originals), carries on past bad files, and reports each file and a summary.
struct LabellingRun {
    var paths: [String]
    var options: WriteOptions
    var labeller: Labeller
    /// Past tense for the output: "labelled", "propagated".
    var verb: String
    /// The identifying field shown per file.
    var detail: @Sendable (AIGCLabel) -> String
    /// What to ask of each file.
    var request: @Sendable () -> LabelRequest

    struct Counts {
        var done = 0
        var skipped = 0
        var failed = 0
    }

    struct FileResult: Encodable {
        var path: String
        var output: String?
        var status: String
        var format: String?
        var label: LabelJSON?
        /// What the explicit step did, with --explicit.
        var explicit: String?
        var error: String?
    }

    struct Document: Encodable {
        struct Summary: Encodable {
            var done, skipped, failed: Int
            var dryRun: Bool
        }
        var files: [FileResult]
        var summary: Summary
    }

    func run() -> Counts {
        let output = options.output
        let dryRun = options.dryRun
        let json = options.json
        if let output, !dryRun {
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            } catch {
                Output.diagnostic("error: cannot create \(output): \(error.localizedDescription)")
                return Counts(failed: 1)
            }
        }
        let labeller = labeller
        let request = request
        var walker = FileWalker(paths, excluding: output.map { [$0] } ?? [])
        var results: [FileResult] = []
        var counts = Counts()
        var bytes = 0
        let started = Date()

        // Files are read and planned on every core, then written a batch at a time on this
        // thread; those that replace originals reach the disk with one sync per batch.
        // Explicit labels hold each redrawn file in memory until its batch is written, so those
        // batches are one file per core (two batches are in flight at once).
        let batchSize = labeller.explicit == nil ? 64 : ProcessInfo.processInfo.activeProcessorCount
        BatchRunner(batchSize: batchSize, progress: ProgressLine(verb)).run(&walker) { entry in
            let destination = output.map { Self.destination(for: entry, in: $0) } ?? entry.path
            let result = Result { () throws(SynthLabelError) in
                if let output, !dryRun {
                    let folder = (destination as NSString).deletingLastPathComponent
                    if folder != output {
                        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    }
                }
                return try labeller.plan(fileAt: entry.path, request: request(), writingTo: destination, mayReplaceOriginal: output == nil)
            }
            return (entry, destination, result)
        } settle: { batch in
            let planned = batch.compactMap { try? $0.2.get() }
            var written = (dryRun ? planned.map { .success($0.outcome) } : Labeller.write(planned)).makeIterator()
            return batch.map { entry, destination, plan in
                (entry, destination, plan.flatMap { _ in written.next()! })
            }
        } deliver: { (entry: FileWalker.Entry, destination: String, result: Result<LabelOutcome, SynthLabelError>) in
            switch result {
            case .success(let outcome):
                counts.done += 1
                bytes += outcome.size
                results.append(
                    FileResult(
                        path: entry.path, output: destination, status: dryRun ? "planned" : verb, format: outcome.carrier.rawValue,
                        label: LabelJSON(outcome.label), explicit: outcome.explicit))
                if !json {
                    let target = destination == entry.path ? "" : " -> \(destination)"
                    let status = dryRun ? "would be \(verb)" : verb
                    let explicit = outcome.explicit.map { "; \($0)" } ?? ""
                    Output.line(
                        "\(status): \(entry.path)\(target) (\(outcome.carrier.displayName), \(detail(outcome.label))\(explicit))")
                }
            case .failure(.unsupportedFile(_, let reason)):
                counts.skipped += 1
                results.append(FileResult(path: entry.path, status: "skipped", error: reason))
                if !json { Output.line("skipped: \(entry.path): \(reason)") }
            case .failure(let error):
                counts.failed += 1
                results.append(FileResult(path: entry.path, output: destination, status: "failed", error: error.description))
                Output.diagnostic("error: \(error)")
            }
        }
        for missing in walker.missing {
            counts.failed += 1
            results.append(FileResult(path: missing, status: "failed", error: "no such file or directory"))
            Output.diagnostic("error: \(missing): no such file or directory")
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.json(
                Document(
                    files: results, summary: .init(done: counts.done, skipped: counts.skipped, failed: counts.failed, dryRun: dryRun)))
        } else {
            let rate = seconds > 0 ? Double(counts.done) / seconds : 0
            Output.diagnostic(
                String(
                    format: "%@ %d file(s), skipped %d, failed %d in %.2f s (%.0f files/s, %.1f MB)",
                    dryRun ? "planned" : verb, counts.done, counts.skipped, counts.failed, seconds, rate, Double(bytes) / 1e6))
        }
        return counts
    }

    static func destination(for entry: FileWalker.Entry, in folder: String) -> String {
        (folder as NSString).appendingPathComponent(entry.relativePath)
    }
}
