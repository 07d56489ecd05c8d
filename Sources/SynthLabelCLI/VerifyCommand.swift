import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelReports

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: CLILanguage.text(en: "Check the labels in files and give each a verdict.", zh: "检查文件中的标识，并给出每个文件的结论。"),
        discussion: CommandHelp.verify
    )

    @Argument(help: ArgumentHelp(en: "Files or directories to verify.", zh: "要验证的文件或目录。"))
    var paths: [String]

    @Flag(
        help: ArgumentHelp(
            en: "Print one JSON document with a 'files' array (every check of every file).", zh: "输出一个含 'files' 数组的 JSON 文档（每个文件的每项检查）。"))
    var json = false

    @Flag(
        name: .customLong("all-checks"),
        help: ArgumentHelp(
            en: "Show every check, passes and skips included (docs/checks.md explains each).",
            zh: "显示全部检查，包括通过和跳过的（docs/checks.md 逐项说明）。"))
    var allChecks = false

    @OptionGroup(title: CLILanguage.text(en: "Signatures", zh: "签名")) var signatures: SignatureOptions

    @OptionGroup(title: CLILanguage.text(en: "Watermark", zh: "隐式水印")) var watermarkKey: WatermarkKeyOption

    @Flag(help: ProgressLine.quietHelp)
    var quiet = false

    @OptionGroup var language: LanguageOption

    func run() throws {
        var walker = FileWalker(paths)
        var reports: [FileReportJSON] = []
        var ioErrors = 0
        var allCompliant = true
        var counts: [Verdict: Int] = [:]
        let verifier = Verifier(
            trust: try signatures.trustStore(), requireSignature: signatures.requireSignature, watermarkKey: try watermarkKey.load())
        let explicitFiles = Set(paths)
        let progress = ProgressLine(CLILanguage.text(en: "verified", zh: "已验证"), quiet: quiet || json)
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
                Output.error(error.messageForPeople)
                if json { reports.append(FileReportJSON(path: entry.path, error: error.message)) }
            }
        }
        var skipped = 0
        for notice in walker.notices {
            if notice.isError { ioErrors += 1 } else { skipped += 1 }
            Output.diagnostic((notice.isError ? CLILanguage.errorPrefix : CLILanguage.skippedPrefix) + notice.messageForPeople)
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
            let paths = self.paths.joined(separator: ", ")
            Output.error(
                CLILanguage.text(
                    en: "no file of a format SynthLabel reads under \(paths)", zh: "\(paths) 下没有 SynthLabel 能读取的格式的文件"))
            throw ExitCode(2)
        }
        if !allCompliant { throw ExitCode(1) }
    }
}

/// `--trust` and `--require-signature`, shared by `verify` and `scan`.
struct SignatureOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            en: "Public keys whose signatures count: a key file (PEM, DER or hex), a folder of them, or a producers.txt registry.",
            zh: "认可其签名的公钥：一个密钥文件（PEM、DER 或十六进制）、存放密钥的文件夹，或 producers.txt 登记表。",
            discussion: (
                en:
                    "A registry pins keys to provider codes, one line each: the code, then its key files or hex (docs/signing.md); a folder's producers.txt is read too. A valid signature by a key not pinned to the label's ContentProducer (a platform's: its ContentPropagator) is a warning.",
                zh: "登记表把密钥绑定到服务提供者编码，每行一条：先写编码，再写其密钥文件或十六进制（见 docs/signing.md）；文件夹中的 producers.txt 也会读取。"
                    + "有效签名的密钥若未绑定到标识的 ContentProducer（平台签名则为 ContentPropagator），给出警告。"
            ),
            valueName: "path"))
    var trust: String?

    @Flag(
        name: .customLong("require-signature"),
        help: ArgumentHelp(
            en: "Make an unsigned label, or one without a valid signature by a trusted key, noncompliant (a warning otherwise).",
            zh: "将未签名、或没有受信任密钥有效签名的标识判为不合规（否则仅警告）。"))
    var requireSignature = false

    /// The keys --trust names, loaded once.
    func trustStore() throws -> TrustStore {
        guard let trust else { return TrustStore() }
        do { return try TrustStore.load(trust) } catch { throw ValidationError("--trust: " + error.messageForPeople) }
    }
}

extension SignatureFormat: ExpressibleByArgument {}
