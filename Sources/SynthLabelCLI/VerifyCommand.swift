import ArgumentParser
import Foundation
import SynthLabel

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the labels in files and give each a verdict.",
        discussion: """
            For each file: the label fields, every place a label was found, the findings \
            (check id, outcome, reason) and a verdict:
              compliant      a label that follows GB 45438 Annex E
              noncompliant   a label that breaks a rule (bad value, missing or unknown field, \
            bad characters, duplicate or disagreeing sites, a broken signature, a recorded \
            caption that is gone)
              inconclusive   the file is damaged or truncated, so the answer cannot be trusted
              unlabelled     no label found
            Explicit labels found (a caption SynthLabel drew, the rhythm prompt ·− ··, a text \
            notice) get a line of their own; a missing one is a warning. Signed labels are \
            checked against the public keys given with --trust: signature valid, signature \
            invalid, content changed, unknown key or unsigned. With --watermark-key, PNG and \
            JPEG pixels and WAV, FLAC, Ogg and MP3 samples are searched for the invisible \
            watermark (--json: "watermark": {present, confidence, payload}); a mark found in a \
            file whose metadata label is gone still shows it is AI-generated, and its payload \
            names the record ('synthlabel ledger find --watermark HEX').

            Examples:
              synthlabel verify labelled/ --trust keys/
              synthlabel verify upload.jpg --watermark-key keys/mark.key --json

            Directories are walked (symbolic links are not followed, and are reported). Exit \
            status: 0 when every file is compliant, 1 when any is not, 2 on usage or I/O errors \
            or when no file of a supported format was found.
            """
    )

    @Argument(help: "Files or directories to verify.")
    var paths: [String]

    @Flag(help: "Print one JSON document with a 'files' array (every check of every file).")
    var json = false

    @Flag(name: .customLong("all-checks"), help: "Show every check, passes and skips included (docs/checks.md explains each).")
    var allChecks = false

    @Option(help: "Public keys whose signatures count: a folder of .pub files, or one file.")
    var trust: String?

    @OptionGroup(title: "Watermark") var watermarkKey: WatermarkKeyOption

    @Flag(help: "No progress line on the terminal.")
    var quiet = false

    func run() throws {
        var walker = FileWalker(paths)
        var reports: [FileReportJSON] = []
        var ioErrors = 0
        var allCompliant = true
        var counts: [Verdict: Int] = [:]
        let verifier = Verifier(trustedKeys: try TrustedKeys.load(trust), watermarkKey: try watermarkKey.load())
        let explicitFiles = Set(paths)
        let progress = ProgressLine("verified", quiet: quiet || json)
        let paths = paths
        progress.countInBackground({ FileWalker(paths) }, admits: { _ in true })
        Interruption.progress = progress
        BatchRunner(progress: progress).run(&walker) { entry in
            (entry, Result { () throws(SynthLabelError) in try verifier.verify(fileAt: entry.path) })
        } deliver: { (entry: FileWalker.Entry, result: Result<FileReport, SynthLabelError>) in
            switch result {
            case .success(let report):
                if report.verdict != .compliant { allCompliant = false }
                counts[report.verdict, default: 0] += 1
                if json { reports.append(FileReportJSON(report)) } else { Output.lines(report.humanLines(allChecks: allChecks)) }
            case .failure(let error):
                if error.isUnsupportedFile, !explicitFiles.contains(entry.path) { return }
                ioErrors += 1
                Output.diagnostic("error: \(error.message)")
                if json { reports.append(FileReportJSON(path: entry.path, error: error)) }
            }
        }
        var skipped = 0
        for notice in walker.notices {
            if notice.isError { ioErrors += 1 } else { skipped += 1 }
            Output.diagnostic("\(notice.isError ? "error" : "skipped"): \(notice.message)")
        }
        if json { Output.json(["files": reports]) }
        let verified = counts.values.reduce(0, +)
        let tally = Verdict.allCases.compactMap { verdict in counts[verdict].map { "\($0) \(verdict.rawValue)" } }
        let passedOver = skipped > 0 ? "; skipped \(skipped)" : ""
        Output.diagnostic("verified \(verified) file(s)\(tally.isEmpty ? "" : ": " + tally.joined(separator: ", "))\(passedOver)")
        try Interruption.finish(done: progress.done.load(ordering: .relaxed), total: progress.total)
        if ioErrors > 0 { throw ExitCode(2) }
        if verified == 0 {
            Output.diagnostic("error: no file of a format SynthLabel reads under \(self.paths.joined(separator: ", "))")
            throw ExitCode(2)
        }
        if !allCompliant { throw ExitCode(1) }
    }
}

/// `--trust PATH`: one public key file, or every `.pub` file in a folder.
enum TrustedKeys {
    static func load(_ path: String?) throws -> [PublicKey] {
        guard let path else { return [] }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ValidationError("--trust: \(path): no such file or folder")
        }
        let files =
            isFolder.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".pub") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) } : [path]
        do {
            let keys = try files.map { (file: String) throws(SynthLabelError) in try PublicKey(contentsOf: file) }
            guard !keys.isEmpty else { throw ValidationError("--trust: no .pub files in \(path)") }
            return keys
        } catch let error as SynthLabelError {
            throw ValidationError("--trust: \(error)")
        }
    }
}
