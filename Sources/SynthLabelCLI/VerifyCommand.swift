import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelReports

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: CLILanguage.text(en: "Check the labels in files and give each a verdict.", zh: "检查文件中的标识，并给出每个文件的结论。"),
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
            notice) get a line of their own; a missing one is a warning. Signatures (the TC260 \
            SecurityData object, or SynthLabel's SL1 record) are checked: valid by a trusted or \
            pinned key (--trust), valid with the file's own embedded key only (integrity, not \
            identity), invalid, content changed, or an unknown algorithm or shape. With \
            --require-signature, anything short of a valid signature by a trusted key is \
            noncompliant. With --watermark-key, PNG and \
            JPEG pixels and WAV, FLAC, Ogg and MP3 samples are searched for the invisible \
            watermark (--json: "watermark": {present, confidence, payload}); a mark found in a \
            file whose metadata label is gone still shows it is AI-generated, and its payload \
            names the record ('synthlabel ledger find --watermark HEX').

            Examples:
              synthlabel verify labelled/ --trust keys/
              synthlabel verify uploads/ --trust keys/producers.txt --require-signature
              synthlabel verify upload.jpg --watermark-key keys/mark.key --json

            Directories are walked (symbolic links are not followed, and are reported). Exit \
            status: 0 when every file is compliant, 1 when any is not, 2 on usage or I/O errors \
            or when no file of a supported format was found.
            """
    )

    @Argument(help: ArgumentHelp(CLILanguage.text(en: "Files or directories to verify.", zh: "要验证的文件或目录。")))
    var paths: [String]

    @Flag(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Print one JSON document with a 'files' array (every check of every file).", zh: "输出一个含 'files' 数组的 JSON 文档（每个文件的每项检查）。"
            )))
    var json = false

    @Flag(
        name: .customLong("all-checks"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Show every check, passes and skips included (docs/checks.md explains each).",
                zh: "显示全部检查，包括通过和跳过的（docs/checks.md 逐项说明）。")))
    var allChecks = false

    @OptionGroup(title: "Signatures") var signatures: SignatureOptions

    @OptionGroup(title: "Watermark") var watermarkKey: WatermarkKeyOption

    @Flag(help: ProgressLine.quietHelp)
    var quiet = false

    func run() throws {
        var walker = FileWalker(paths)
        var reports: [FileReportJSON] = []
        var ioErrors = 0
        var allCompliant = true
        var counts: [Verdict: Int] = [:]
        let verifier = Verifier(
            trust: try signatures.trustStore(), requireSignature: signatures.requireSignature, watermarkKey: try watermarkKey.load())
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
                if json { reports.append(FileReportJSON(path: entry.path, error: error.message)) }
            }
        }
        var skipped = 0
        for notice in walker.notices {
            if notice.isError { ioErrors += 1 } else { skipped += 1 }
            Output.diagnostic("\(notice.isError ? "error" : "skipped"): \(notice.message)")
        }
        if json { Output.json(["files": reports]) }
        let verified = counts.values.reduce(0, +)
        let language = CLILanguage.current
        let tally = Verdict.allCases.compactMap { verdict in
            counts[verdict].map { "\($0) \(Phrases.text("verdict." + verdict.rawValue, language))" }
        }
        let passedOver = skipped > 0 ? CLILanguage.text(en: "; skipped \(skipped)", zh: "；跳过 \(skipped) 个") : ""
        Output.diagnostic(
            CLILanguage.text(en: "verified \(verified) file(s)", zh: "已验证 \(verified) 个文件")
                + (tally.isEmpty ? "" : CLILanguage.text(en: ": ", zh: "：") + tally.joined(separator: CLILanguage.text(en: ", ", zh: "，")))
                + passedOver)
        try Interruption.finish(done: progress.done.load(ordering: .relaxed), total: progress.total)
        if ioErrors > 0 { throw ExitCode(2) }
        if verified == 0 {
            Output.diagnostic("error: no file of a format SynthLabel reads under \(self.paths.joined(separator: ", "))")
            throw ExitCode(2)
        }
        if !allCompliant { throw ExitCode(1) }
    }
}

/// `--trust` and `--require-signature`, shared by `verify` and `scan`.
struct SignatureOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Public keys whose signatures count: a key file (PEM, DER or hex), a folder of them, or a producers.txt registry.",
            discussion:
                "A registry pins keys to provider codes, one line each: the code, then its key files or hex (docs/signing.md); a folder's producers.txt is read too. A valid signature by a key not pinned to the label's ContentProducer (a platform's: its ContentPropagator) is a warning.",
            valueName: "path"))
    var trust: String?

    @Flag(
        name: .customLong("require-signature"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Make an unsigned label, or one without a valid signature by a trusted key, noncompliant (a warning otherwise).",
                zh: "将未签名、或没有受信任密钥有效签名的标识判为不合规（否则仅警告）。")))
    var requireSignature = false

    /// The keys --trust names, loaded once.
    func trustStore() throws -> TrustStore {
        guard let trust else { return TrustStore() }
        do { return try TrustStore.load(trust) } catch { throw ValidationError("--trust: \(error.message)") }
    }
}

extension SignatureFormat: ExpressibleByArgument {}
