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
    /// Past tense for the output and JSON's status: "labelled", "propagated".
    var verb: String
    /// The identifying field shown per file.
    var detail: @Sendable (AIGCLabel) -> String
    /// What to ask of each file.
    var request: @Sendable () -> LabelRequest

    /// Whether a recorded act already did what this run asks (same producer, label value,
    /// fixed IDs, key, explicit step): such a file is skipped when it is rerun.
    var isAskedFor: @Sendable (LedgerAct) -> Bool
    var action: LedgerAct.Action

    struct Counts {
        var done = 0
        var already = 0
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
        /// The watermark payload (hex) embedded, with --watermark.
        var watermark: String?
        /// With --watermark, why this file holds no mark.
        var watermarkNote: String?
        /// In place: the file's other hard links, which keep the original.
        var otherHardLinks: Int?
        /// The ledger's record of the act.
        var ledgerAct: Int64?
        var sha256: String?
        var error: String?
    }

    struct Document: Encodable {
        struct Summary: Encodable {
            var done, alreadyLabelled, skipped, failed: Int
            var dryRun: Bool
            var ledger: String?
        }
        var files: [FileResult]
        var summary: Summary
    }

    /// What the parallel step hands the writing step for one file.
    private enum Prepared {
        /// To be written, with the act to record (nil without a ledger) and the original's
        /// digest when it was taken already.
        case write(PlannedLabel, LedgerAct?, knownBefore: String?)
        /// A recorded act already made exactly this file; a pending one is completed.
        case alreadyLabelled(LedgerAct)
    }

    private enum Done {
        case labelled(LabelOutcome, LedgerAct?)
        case alreadyLabelled(LedgerAct)
    }

    /// Walks every path, refuses what would collide, then labels the rest. Setup failures (an
    /// output folder that cannot be made, a ledger that cannot be opened) exit 2; an interrupt
    /// exits 130 or 143 after the batch in hand.
    func run() throws -> Counts {
        let output = options.output
        let dryRun = options.dryRun
        let json = options.json
        if let output, !dryRun, let failure = FileSystem.makeFolders(output) {
            let place = failure.folder == output ? "" : CLILanguage.text(en: " (at \(failure.folder))", zh: "（在 \(failure.folder)）")
            Output.error(CLILanguage.text(en: "\(output): cannot create the folder: ", zh: "\(output)：无法创建文件夹：") + failure.reason + place)
            throw ExitCode(2)
        }
        let ledger: Ledger?
        do { ledger = try options.openLedger() } catch {
            Output.error(CLILanguage.describe(error))
            throw ExitCode(2)
        }
        let labeller = labeller
        let request = request
        let isAskedFor = isAskedFor
        let actTemplate = LedgerAct(
            action: action, tool: "synthlabel", toolVersion: SynthLabelCLI.version, operatorName: options.operatorName ?? Self.loginName(),
            host: HostName.current, path: "", output: "", format: "", sha256Before: "", sha256After: "",
            label: AIGCLabel(contentProducer: "", produceID: ""), keyID: labeller.signingKey?.keyID)
        var results: [FileResult] = []
        var counts = Counts()
        var bytes = 0
        var sweptFolders: Set<String> = []
        let started = Date()

        // The whole walk comes first, so that two inputs bound for one output path are found
        // before anything is written, and the progress line knows the total.
        var walker = FileWalker(paths, excluding: output.map { [$0] } ?? [])
        var found: [(entry: FileWalker.Entry, destination: String)] = []
        while let entry = walker.next() {
            found.append((entry, output.map { Self.destination(for: entry, in: $0, keepingPaths: options.keepPaths) } ?? entry.path))
        }
        for notice in walker.notices {
            if notice.isError {
                counts.failed += 1
                results.append(FileResult(path: notice.path, status: "failed", error: notice.message))
                Output.error(notice.messageForPeople)
            } else {
                counts.skipped += 1
                results.append(FileResult(path: notice.path, status: "skipped", error: notice.message))
                if !json { Output.line(CLILanguage.skippedPrefix + notice.messageForPeople) }
            }
        }
        var work: [(entry: FileWalker.Entry, destination: String)] = []
        for group in Self.groupedByDestination(found) {
            guard group.count > 1 else {
                work.append(group[0])
                continue
            }
            for (entry, destination) in group {
                let others = group.map(\.entry.path).filter { $0 != entry.path }.joined(separator: ", ")
                let message =
                    "\(entry.path): refused: \(others) would be written to the same \(destination); "
                    + (group.count == 2 ? "neither is labelled " : "none of them is labelled ")
                    + "(--keep-paths keeps each argument's path under --output)"
                counts.failed += 1
                results.append(FileResult(path: entry.path, output: destination, status: "failed", error: message))
                Output.error(
                    CLILanguage.text(
                        en: message,
                        zh: "\(entry.path)：已拒绝：\(others) 会写到同一个 \(destination)；这些文件都不添加标识（--keep-paths 在 --output 下保留每个参数的路径）"))
            }
        }
        let words = LineWords(action: action, english: verb)
        let progress = ProgressLine(words.done, quiet: options.quiet || json, total: work.count)
        Interruption.progress = progress
        var inputs = work.makeIterator()

        // Files are read and planned on every core, then written a batch at a time on this
        // thread; those that replace originals reach the disk with one sync per batch, and
        // their acts are recorded (pending) before the first rename and completed after.
        // Explicit labels hold each redrawn file in memory until its batch is written, so those
        // batches are one file per core (two batches are in flight at once).
        let batchSize = labeller.explicit == nil ? 64 : ProcessInfo.processInfo.activeProcessorCount
        BatchRunner(batchSize: batchSize, progress: progress).run(&inputs) { entry, destination in
            let result = Result { () throws(SynthLabelError) -> Prepared in
                if let output, !dryRun {
                    let folder = FileSystem.parentFolder(of: destination)
                    if folder != output, let failure = FileSystem.makeFolders(folder) {
                        throw .cannotWrite(path: destination, reason: "cannot create the folder \(failure.folder): \(failure.reason)")
                    }
                }
                // A rerun: the destination is exactly what a recorded act wrote, and that act
                // did what this run asks, so there is nothing to do.
                var existingDigest: String?
                let absoluteDestination = Self.absolute(destination)
                if let ledger, FileSystem.stat(destination) != nil {
                    let digest = try FileDigest.sha256(ofFileAt: destination)
                    existingDigest = digest
                    if let act = try Self.recorded(in: ledger, output: absoluteDestination, sha256: digest), isAskedFor(act) {
                        return .alreadyLabelled(act)
                    }
                }
                let planned = try labeller.plan(
                    fileAt: entry.path, request: request(), writingTo: destination, mayReplaceOriginal: output == nil)
                guard ledger != nil else { return .write(planned, nil, knownBefore: nil) }
                let knownBefore = destination == entry.path ? existingDigest : nil
                let act = try Self.act(
                    for: planned, from: actTemplate, path: Self.absolute(entry.path), output: absoluteDestination,
                    sha256Before: knownBefore)
                return .write(planned, act, knownBefore: knownBefore)
            }
            return (entry, destination, result)
        } settle: { batch in
            for (_, destination, _) in batch where !dryRun {
                let folder = (destination as NSString).deletingLastPathComponent
                if sweptFolders.insert(folder).inserted { Labeller.removeStaleTemporaryFiles(in: folder.isEmpty ? "." : folder) }
            }
            var plans: [PlannedLabel] = []
            var drafts: [LedgerAct?] = []
            // Acts whose digests are taken as their files are written (large files).
            var digesting: [Int: String?] = [:]
            var finishedEarlier: [Int64] = []
            for case .success(let prepared) in batch.map(\.2) {
                switch prepared {
                case .write(let plan, let act, let knownBefore):
                    if let act, act.sha256After.isEmpty { digesting[plans.count] = knownBefore }
                    plans.append(plan)
                    drafts.append(act)
                case .alreadyLabelled(let act):
                    if act.state == .pending, let id = act.id { finishedEarlier.append(id) }
                }
            }
            var recorded: [Int: LedgerAct] = [:]
            let written: [Result<LabelOutcome, SynthLabelError>] =
                dryRun
                ? plans.map { .success($0.outcome) }
                : Labeller.write(plans, digesting: digesting) { ready, digests in
                    guard let ledger else { return nil }
                    for (index, digest) in digests {
                        drafts[index]?.sha256Before = digest.before
                        drafts[index]?.sha256After = digest.after
                    }
                    do {
                        for (index, act) in zip(ready, try ledger.begin(ready.compactMap { drafts[$0] })) { recorded[index] = act }
                        return nil
                    } catch {
                        return .cannotWrite(path: ledger.location, reason: "the act could not be recorded (\(error))")
                    }
                }
            if let ledger, !dryRun {
                let completed = recorded.filter { (try? written[$0.key].get()) != nil }.compactMap(\.value.id)
                let abandoned = recorded.filter { (try? written[$0.key].get()) == nil }.compactMap(\.value.id)
                do { try ledger.finish(completed: completed + finishedEarlier, abandoned: abandoned) } catch {
                    Output.warning(
                        CLILanguage.text(
                            en: "\(error); the files are in place, and a rerun completes their records",
                            zh: "\(error)；文件已就位，重新运行即可补全其记录"))
                }
            }
            var next = written.indices.makeIterator()
            return batch.map { entry, destination, prepared in
                let done = prepared.flatMap { (prepared) -> Result<Done, SynthLabelError> in
                    switch prepared {
                    case .alreadyLabelled(let act): return .success(.alreadyLabelled(act))
                    case .write:
                        // One written result per file prepared for writing, in order.
                        guard let index = next.next() else {
                            return .failure(.cannotWrite(path: destination, reason: "it was not written"))
                        }
                        return written[index].map { .labelled($0, recorded[index]) }
                    }
                }
                return (entry, destination, done)
            }
        } deliver: { (entry: FileWalker.Entry, destination: String, result: Result<Done, SynthLabelError>) in
            switch result {
            case .success(.labelled(let outcome, let act)):
                counts.done += 1
                bytes += outcome.size
                results.append(
                    FileResult(
                        path: entry.path, output: destination, status: dryRun ? "planned" : verb, format: outcome.carrier.rawValue,
                        label: LabelJSON(outcome.label), explicit: outcome.explicit, watermark: outcome.watermark,
                        watermarkNote: outcome.watermarkNote, otherHardLinks: outcome.otherNames > 0 ? outcome.otherNames : nil,
                        ledgerAct: act?.id,
                        sha256: act?.sha256After))
                if !json {
                    let target = destination == entry.path ? "" : " -> \(destination)"
                    let status = dryRun ? words.planned : words.done
                    let mark =
                        outcome.watermark.map { CLILanguage.text(en: "; watermark ", zh: "；水印 ") + $0 }
                        ?? (outcome.watermarkNote.map { CLILanguage.text(en: "; no watermark: ", zh: "；无水印：") + $0 } ?? "")
                    let explicit = (outcome.explicit.map { words.separator + $0 } ?? "") + mark
                    Output.line(
                        status + words.colon + entry.path + target + words.open + outcome.carrier.displayName + words.comma
                            + detail(outcome.label) + explicit + words.close)
                }
                if outcome.otherNames > 0 {
                    Output.warning(
                        CLILanguage.text(
                            en:
                                "\(entry.path) has \(outcome.otherNames) other hard link(s); only this name holds the labelled file, the others still hold the original",
                            zh: "\(entry.path) 另有 \(outcome.otherNames) 个硬链接；只有这个名字指向已标识的文件，其他仍指向原文件"))
                }
            case .success(.alreadyLabelled(let act)):
                counts.already += 1
                results.append(
                    FileResult(
                        path: entry.path, output: destination, status: "already-\(verb)", format: act.format, label: LabelJSON(act.label),
                        explicit: act.explicit, watermark: act.watermark, ledgerAct: act.id, sha256: act.sha256After))
                if !json {
                    let target = destination == entry.path ? "" : " -> \(destination)"
                    Output.line(
                        words.already + words.colon + entry.path + target + words.open + detail(act.label) + words.separator
                            + CLILanguage.text(en: "ledger act ", zh: "日志记录 ") + String(act.id ?? 0) + words.close)
                }
            case .failure(let error) where error.isUnsupportedFile:
                counts.skipped += 1
                results.append(FileResult(path: entry.path, status: "skipped", error: error.hintedReason))
                if !json { Output.line(CLILanguage.skippedPrefix + entry.path + words.colon + error.reasonForPeople) }
            case .failure(let error):
                counts.failed += 1
                results.append(FileResult(path: entry.path, output: destination, status: "failed", error: error.message))
                Output.error(error.messageForPeople)
            }
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            Output.json(
                Document(
                    files: results,
                    summary: .init(
                        done: counts.done, alreadyLabelled: counts.already, skipped: counts.skipped, failed: counts.failed, dryRun: dryRun,
                        ledger: ledger?.location)))
        } else {
            let rate = seconds > 0 ? Double(counts.done) / seconds : 0
            let already =
                counts.already > 0
                ? CLILanguage.text(en: "; already \(verb) \(counts.already)", zh: "；\(words.already) \(counts.already) 个") : ""
            let recorded = ledger.map { CLILanguage.text(en: "; recorded in \($0.location)", zh: "；已记入 \($0.location)") } ?? ""
            let figures = [String(format: "%.2f", seconds), String(format: "%.0f", rate), String(format: "%.1f", Double(bytes) / 1e6)]
            Output.diagnostic(
                CLILanguage.text(
                    en:
                        "\(dryRun ? "planned" : verb) \(counts.done) file(s), skipped \(counts.skipped), failed \(counts.failed) in \(figures[0]) s "
                        + "(\(figures[1]) files/s, \(figures[2]) MB)",
                    zh:
                        "\(dryRun ? words.planned : words.done) \(counts.done) 个文件，跳过 \(counts.skipped) 个，失败 \(counts.failed) 个，用时 \(figures[0]) 秒"
                        + "（每秒 \(figures[1]) 个文件，\(figures[2]) MB）")
                    + already + recorded)
        }
        try Interruption.finish(done: progress.done.load(ordering: .relaxed), total: work.count)
        return counts
    }

    /// The files grouped by output path, in walk order: a group of more than one would collide.
    static func groupedByDestination(_ files: [(entry: FileWalker.Entry, destination: String)])
        -> [[(entry: FileWalker.Entry, destination: String)]]
    {
        var order: [String] = []
        var groups: [String: [(entry: FileWalker.Entry, destination: String)]] = [:]
        for file in files {
            let key = Self.absolute(file.destination)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(file)
        }
        return order.compactMap { groups[$0] }
    }

    /// The act to record for a planned file: the run's fields in `template`, the file's in `planned`.
    private static func act(
        for planned: PlannedLabel, from template: LedgerAct, path: String, output: String, sha256Before known: String?
    ) throws(SynthLabelError) -> LedgerAct {
        var act = template
        act.time = LedgerClock.now()
        act.path = path
        act.output = output
        act.format = planned.outcome.carrier.rawValue
        // A large file's digests are left empty here and taken as it is written.
        if let digests = try planned.digestsInMemory(before: known) {
            (act.sha256Before, act.sha256After) = (digests.before, digests.after)
        }
        act.label = planned.outcome.label
        act.explicit = planned.outcome.explicit
        act.watermark = planned.outcome.watermark
        act.watermarkNote = planned.outcome.watermarkNote
        return act
    }

    /// The recorded act that wrote exactly these bytes to `output`, if any.
    private static func recorded(in ledger: Ledger, output: String, sha256: String) throws(SynthLabelError) -> LedgerAct? {
        do { return try ledger.act(writing: output, sha256: sha256) } catch {
            throw .cannotRead(path: ledger.location, reason: error.description)
        }
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: full).standardized.path
    }

    static func loginName() -> String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }

    /// Where `--output` puts a file: its path under its directory argument (its name, for a
    /// file argument), or with `--keep-paths` the argument's own path too.
    static func destination(for entry: FileWalker.Entry, in folder: String, keepingPaths: Bool = false) -> String {
        let relative = keepingPaths ? entry.argumentPath : entry.relativePath
        return folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
    }
}

/// The words of the lines `label` and `propagate` print for each file, in the command line's
/// language: "labelled: a.png (PNG, ProduceID …)" or "已标识：a.png（PNG，ProduceID …）".
struct LineWords {
    /// What was done to a file ("labelled"), what would be with --dry-run, and what a recorded
    /// act had done already.
    let done: String
    let planned: String
    let already: String
    let colon = CLILanguage.text(en: ": ", zh: "：")
    let open = CLILanguage.text(en: " (", zh: "（")
    let close = CLILanguage.text(en: ")", zh: "）")
    let comma = CLILanguage.text(en: ", ", zh: "，")
    let separator = CLILanguage.text(en: "; ", zh: "；")

    init(action: LedgerAct.Action, english verb: String) {
        let zh = action == .propagate ? "添加传播信息" : "标识"
        done = CLILanguage.text(en: verb, zh: "已" + zh)
        planned = CLILanguage.text(en: "would be " + verb, zh: "将" + zh)
        already = CLILanguage.text(en: "already " + verb, zh: "此前已" + zh)
    }
}
