import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelPostgres

/// Where labelled files go, shared by `label` and `propagate`.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(CLILanguage.text(en: "Folder for the labelled copies (created if missing).", zh: "存放已标识副本的文件夹（不存在时自动创建）。")))
    var output: String?

    @Flag(
        name: .customLong("in-place"), help: ArgumentHelp(CLILanguage.text(en: "Replace the originals (atomically).", zh: "替换原文件（原子操作）。")))
    var inPlace = false

    @Flag(
        name: .customLong("keep-paths"),
        help: ArgumentHelp(
            "With --output: keep each argument's own path under DIR (label a/x.png b/x.png --output o writes o/a/x.png and o/b/x.png).",
            discussion: "Without it, files that would land on the same output path are refused, and nothing is written over another."))
    var keepPaths = false

    @Flag(help: ProgressLine.quietHelp)
    var quiet = false

    @Flag(
        name: .customLong("dry-run"),
        help: ArgumentHelp(CLILanguage.text(en: "Check and plan every file, write nothing.", zh: "检查并规划每个文件，但不写入。")))
    var dryRun = false

    @Flag(
        name: .customLong("break-c2pa"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Edit files with a C2PA manifest even though that invalidates its signature.", zh: "即使会使 C2PA 清单的签名失效，也修改带有该清单的文件。")))
    var breakC2PA = false

    @Flag(help: ArgumentHelp(CLILanguage.text(en: "Print one JSON document with a 'files' array.", zh: "输出一个含 'files' 数组的 JSON 文档。")))
    var json = false

    @Option(
        name: .customLong("sign"),
        help: ArgumentHelp(
            "Sign with this private key (from 'keys generate' or 'openssl genpkey -algorithm SM2'): label signs into ReservedCode1, propagate into ReservedCode2.",
            discussion:
                "The signature is the TC260 security guide's SecurityData object (SM3withSM2 over the label's fields, the public key, and a signed SM3 binding of every byte the label does not own); docs/signing.md shows how to check it with OpenSSL alone."
        )
    )
    var signingKeyPath: String?

    @Option(
        name: .customLong("signature-format"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "securitydata (the TC260 guide's form, read by other tools: the default) or sl1 (SynthLabel's older compact record).",
                zh: "securitydata（TC260 指南的格式，其他工具可读；默认）或 sl1（SynthLabel 早期的紧凑记录）。")))
    var signatureFormat: SignatureFormat = .securityData

    @Option(
        help: ArgumentHelp(
            "The labelling record every act is written to: an SQLite file, or postgres://USER@HOST/DATABASE.",
            discussion:
                "Default: $SYNTHLABEL_LEDGER, else $XDG_DATA_HOME/synthlabel/ledger.sqlite, else ~/.local/share/synthlabel/ledger.sqlite. "
                + "A PostgreSQL ledger is one record for many machines; its password comes from the URL or $PGPASSWORD.",
            valueName: "path-or-url"))
    var ledger: String?

    @Flag(
        name: .customLong("no-ledger"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Record nothing (for throwaway copies; the rules ask services to keep a record).", zh: "不做任何记录（用于临时副本；规定要求服务保留记录）。")))
    var noLedger = false

    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp(CLILanguage.text(en: "Who is labelling, for the record. Default: the login name.", zh: "记录中的操作人。默认：登录名。")))
    var operatorName: String?

    /// The key --sign names, loaded once for the whole run.
    func signingKey() throws -> SigningKey? {
        guard let signingKeyPath else { return nil }
        do { return try SigningKey(contentsOf: signingKeyPath) } catch {
            throw ValidationError("--sign: \(error)")
        }
    }

    /// The ledger this run records to; nil with --no-ledger or --dry-run (nothing is written).
    func openLedger() throws(LedgerError) -> Ledger? {
        guard !noLedger, !dryRun else { return nil }
        return try LedgerLocation.open(ledger ?? Ledger.defaultPath(environment: ProcessInfo.processInfo.environment))
    }

    /// Whether a recorded act was signed as this run signs (by the same key, or neither).
    func signsAlike(_ act: LedgerAct, key: SigningKey?) -> Bool { act.keyID == key?.keyID }

    func validate() throws {
        if signatureFormat != .securityData && signingKeyPath == nil {
            throw ValidationError("--signature-format chooses how --sign writes; add --sign KEY")
        }
        guard (output != nil) != inPlace else {
            throw ValidationError("give exactly one of --output DIR (write labelled copies) or --in-place (replace the originals)")
        }
        if noLedger && ledger != nil { throw ValidationError("give at most one of --ledger and --no-ledger") }
        if keepPaths && output == nil { throw ValidationError("--keep-paths shapes where --output writes; add --output DIR") }
    }
}
