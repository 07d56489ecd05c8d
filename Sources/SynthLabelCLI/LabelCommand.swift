import ArgumentParser
import Foundation
import SynthLabel

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Write the GB 45438 metadata label into files.",
        discussion: """
            Writes {"AIGC":{...}} where the TC260 guides say for each format: PNG iTXt XMP, \
            JPEG APP1 XMP (both with the IPTC DigitalSourceType), WAV 'AIGC' chunk, MP3 ID3v2 \
            TXXX:AIGC, FLAC Vorbis comment AIGC=, Markdown front matter. Pixels, samples and \
            other metadata are kept byte for byte. A file keeps one label: labelling again \
            replaces it, and other label sites are folded into the canonical one. A label from \
            another producer is never replaced.

            Each file is written to a temporary file beside its destination and renamed into \
            place, so an error or a kill leaves the original as it was.

            Directories are walked (symbolic links are not followed). With --output DIR, a file \
            found under a directory argument lands at the same relative path under DIR; a file \
            argument lands directly in DIR. Files of other types are skipped with a note.

            Without --produce-id each file gets a fresh unique ID: 'SL' + the UTC time \
            (yyyyMMddTHHmmssZ) + 16 random hex digits, e.g. SL20261129T093000Z3F9A0C1B2D4E5F60.

            Examples:
              synthlabel label out/ --producer 001191110102MACQD9K64018705 --output labelled/
              synthlabel label img.png --producer 001191110102MACQD9K64018705 --produce-id job-42 --in-place
            """
    )

    @Argument(help: "Files or directories to label.")
    var paths: [String]

    @Option(help: "ContentProducer: the generation service's 27-character provider code (or name).")
    var producer: String

    @Option(name: .customLong("produce-id"), help: "ProduceID: this content's unique ID. Default: a fresh one per file.")
    var produceID: String?

    @Option(help: "Label value: 1 AI-generated, 2 possibly, 3 suspected.")
    var label: String = "1"

    @Option(help: "Folder for the labelled copies (created if missing).")
    var output: String?

    @Flag(name: .customLong("in-place"), help: "Replace the originals (atomically).")
    var inPlace = false

    @Flag(name: .customLong("dry-run"), help: "Check and plan every file, write nothing.")
    var dryRun = false

    @Flag(help: "Mark images as partly generated (IPTC compositeWithTrainedAlgorithmicMedia).")
    var composite = false

    @Flag(name: .customLong("break-c2pa"), help: "Label files with a C2PA manifest even though that invalidates its signature.")
    var breakC2PA = false

    @Flag(help: "Print one JSON document with a 'files' array.")
    var json = false

    func validate() throws {
        guard (output != nil) != inPlace else {
            throw ValidationError("give exactly one of --output DIR (write labelled copies) or --in-place (replace the originals)")
        }
        guard let value = LabelValue(rawValue: label) else {
            throw ValidationError("--label must be 1 (AI-generated), 2 (possibly) or 3 (suspected), not '\(label)'")
        }
        let sample = AIGCLabel(label: value, contentProducer: producer, produceID: produceID ?? "SL0")
        let problems = sample.validationProblems()
        guard problems.isEmpty else {
            throw ValidationError(problems.map(\.description).joined(separator: "; "))
        }
    }

    struct FileResult: Encodable {
        var path: String
        var output: String?
        var status: String
        var format: String?
        var label: LabelJSON?
        var error: String?
    }

    func run() throws {
        if let output, !dryRun {
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            } catch {
                Output.diagnostic("error: cannot create \(output): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        for problem in ProviderCode(producer).problems() {
            Output.diagnostic("warning: --producer: \(problem)")
        }
        let labeller = Labeller(
            sourceType: composite ? .compositeWithTrainedAlgorithmicMedia : .trainedAlgorithmicMedia,
            allowBreakingC2PA: breakC2PA)
        let value = LabelValue(rawValue: label) ?? .generated
        let producer = producer
        let fixedID = produceID
        let output = output
        let dryRun = dryRun
        let idMaker = ProduceIDMaker()
        var walker = FileWalker(paths, excluding: output.map { [$0] } ?? [])
        var results: [FileResult] = []
        var counts = (labelled: 0, skipped: 0, failed: 0)
        var bytes = 0
        let started = Date()

        // Files are read and planned on every core, then written a batch at a time on this
        // thread; those that replace originals reach the disk with one sync per batch.
        BatchRunner(batchSize: 64, progress: ProgressLine("labelled")).run(&walker) { entry in
            let destination = output.map { Self.destination(for: entry, in: $0) } ?? entry.path
            let fileLabel = AIGCLabel(label: value, contentProducer: producer, produceID: fixedID ?? idMaker.make())
            let result = Result { () throws(SynthLabelError) in
                if let output, !dryRun {
                    let folder = (destination as NSString).deletingLastPathComponent
                    if folder != output {
                        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    }
                }
                return try labeller.plan(fileAt: entry.path, with: fileLabel, writingTo: destination, mayReplaceOriginal: output == nil)
            }
            return (entry, destination, result)
        } settle: { batch in
            // Written here, one file after another, with one disk sync for the batch.
            let planned = batch.compactMap { try? $0.2.get() }
            var written = (dryRun ? planned.map { .success($0.outcome) } : Labeller.write(planned)).makeIterator()
            return batch.map { entry, destination, plan in
                (entry, destination, plan.flatMap { _ in written.next()! })
            }
        } deliver: { (entry: FileWalker.Entry, destination: String, result: Result<LabelOutcome, SynthLabelError>) in
            switch result {
            case .success(let outcome):
                counts.labelled += 1
                bytes += outcome.size
                let status = dryRun ? "would label" : "labelled"
                results.append(
                    FileResult(
                        path: entry.path, output: destination, status: dryRun ? "planned" : "labelled", format: outcome.carrier.rawValue,
                        label: LabelJSON(outcome.label)))
                if !json {
                    let target = destination == entry.path ? "" : " -> \(destination)"
                    Output.line(
                        "\(status): \(entry.path)\(target) (\(outcome.carrier.displayName), ProduceID \(outcome.label.produceID ?? ""))")
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
                LabelRun(
                    files: results,
                    summary: .init(labelled: counts.labelled, skipped: counts.skipped, failed: counts.failed, dryRun: dryRun)))
        } else {
            let rate = seconds > 0 ? Double(counts.labelled) / seconds : 0
            Output.diagnostic(
                String(
                    format: "%@ %d file(s), skipped %d, failed %d in %.2f s (%.0f files/s, %.1f MB)",
                    dryRun ? "planned" : "labelled", counts.labelled, counts.skipped, counts.failed, seconds, rate, Double(bytes) / 1e6))
        }
        if fixedID != nil, counts.labelled > 1 {
            Output.diagnostic(
                "warning: --produce-id gave \(counts.labelled) files the same ProduceID; Annex E expects one per piece of content")
        }
        if counts.failed > 0 { throw ExitCode(1) }
    }

    struct LabelRun: Encodable {
        struct Summary: Encodable {
            var labelled, skipped, failed: Int
            var dryRun: Bool
        }
        var files: [FileResult]
        var summary: Summary
    }

    static func destination(for entry: FileWalker.Entry, in folder: String) -> String {
        (folder as NSString).appendingPathComponent(entry.relativePath)
    }
}

/// Unique ProduceIDs: 'SL', the UTC time, and 64 random bits, all in the Annex E character set.
struct ProduceIDMaker: Sendable {
    func make() -> String {
        var time = time_t(Date().timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        let stamp = String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
        let random = String(UInt64.random(in: .min ... .max), radix: 16, uppercase: true)
        return "SL" + stamp + String(repeating: "0", count: 16 - random.count) + random
    }
}
