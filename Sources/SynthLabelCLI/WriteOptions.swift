import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelPostgres

/// Where labelled files go, shared by `label` and `propagate`.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(en: "Folder for the labelled copies (created if missing).", zh: "存放已标识副本的文件夹（不存在时自动创建）。"))
    var output: String?

    @Flag(
        name: .customLong("in-place"), help: ArgumentHelp(en: "Replace the originals (atomically).", zh: "替换原文件（原子操作）。"))
    var inPlace = false

    @Flag(
        name: .customLong("keep-paths"),
        help: ArgumentHelp(
            en: "With --output: keep each argument's own path under DIR (label a/x.png b/x.png --output o writes o/a/x.png and o/b/x.png).",
            zh: "与 --output 合用：在 DIR 下保留每个参数自身的路径（label a/x.png b/x.png --output o 写出 o/a/x.png 和 o/b/x.png）。",
            discussion: (
                en: "Without it, files that would land on the same output path are refused, and nothing is written over another.",
                zh: "不加此项时，会落到同一输出路径的文件都被拒绝，任何文件都不会覆盖另一个。"
            )))
    var keepPaths = false

    @Flag(help: ProgressLine.quietHelp)
    var quiet = false

    @Flag(
        name: .customLong("dry-run"),
        help: ArgumentHelp(en: "Check and plan every file, write nothing.", zh: "检查并规划每个文件，但不写入。"))
    var dryRun = false

    @Flag(
        name: .customLong("break-c2pa"),
        help: ArgumentHelp(
            en: "Edit files with a C2PA manifest even though that invalidates its signature.", zh: "即使会使 C2PA 清单的签名失效，也修改带有该清单的文件。"))
    var breakC2PA = false

    @Flag(help: ArgumentHelp(en: "Print one JSON document with a 'files' array.", zh: "输出一个含 'files' 数组的 JSON 文档。"))
    var json = false

    @Option(
        name: .customLong("sign"),
        help: ArgumentHelp(
            en:
                "Sign with this private key (from 'keys generate' or 'openssl genpkey -algorithm SM2'): label signs into ReservedCode1, propagate into ReservedCode2.",
            zh: "用此私钥签名（由 'keys generate' 或 'openssl genpkey -algorithm SM2' 生成）：label 签入 ReservedCode1，propagate 签入 ReservedCode2。",
            discussion: (
                en:
                    "The signature is the TC260 security guide's SecurityData object (SM3withSM2 over the label's fields, the public key, and a signed SM3 binding of every byte the label does not own); docs/signing.md shows how to check it with OpenSSL alone.",
                zh: "签名采用 TC260 安全指南的 SecurityData 对象（以 SM3withSM2 覆盖标识字段、公钥，以及对标识之外每个字节的 SM3 绑定）；"
                    + "docs/signing.md 说明如何只用 OpenSSL 核验。"
            )))
    var signingKeyPath: String?

    @Option(
        name: .customLong("signature-format"),
        help: ArgumentHelp(
            en: "securitydata (the TC260 guide's form, read by other tools: the default) or sl1 (SynthLabel's older compact record).",
            zh: "securitydata（TC260 指南的格式，其他工具可读；默认）或 sl1（SynthLabel 早期的紧凑记录）。"))
    var signatureFormat: SignatureFormat = .securityData

    @Option(
        help: ArgumentHelp(
            en: "The labelling record every act is written to: an SQLite file, or postgres://USER@HOST/DATABASE.",
            zh: "记录每次操作的标识日志：SQLite 文件，或 postgres://USER@HOST/DATABASE。",
            discussion: (
                en:
                    "Default: $SYNTHLABEL_LEDGER, else $XDG_DATA_HOME/synthlabel/ledger.sqlite, else ~/.local/share/synthlabel/ledger.sqlite. "
                    + "A PostgreSQL ledger is one record for many machines; its password comes from the URL or $PGPASSWORD.",
                zh: "默认：$SYNTHLABEL_LEDGER，否则 $XDG_DATA_HOME/synthlabel/ledger.sqlite，否则 ~/.local/share/synthlabel/ledger.sqlite。"
                    + "PostgreSQL 日志供多台机器共用；密码取自 URL 或 $PGPASSWORD。"
            ),
            valueName: "path-or-url"))
    var ledger: String?

    @Flag(
        name: .customLong("no-ledger"),
        help: ArgumentHelp(
            en: "Record nothing (for throwaway copies; the rules ask services to keep a record).", zh: "不做任何记录（用于临时副本；规定要求服务保留记录）。"))
    var noLedger = false

    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp(en: "Who is labelling, for the record. Default: the login name.", zh: "记录中的操作人。默认：登录名。"))
    var operatorName: String?

    /// The key --sign names, loaded once for the whole run.
    func signingKey() throws -> SigningKey? {
        guard let signingKeyPath else { return nil }
        do { return try SigningKey(contentsOf: signingKeyPath) } catch {
            throw ValidationError("--sign: " + CLILanguage.describe(error))
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
            throw ValidationError(
                en: "--signature-format chooses how --sign writes; add --sign KEY", zh: "--signature-format 决定 --sign 的写法；请加 --sign KEY")
        }
        guard (output != nil) != inPlace else {
            throw ValidationError(
                en: "give exactly one of --output DIR (write labelled copies) or --in-place (replace the originals)",
                zh: "--output DIR（写出已标识的副本）和 --in-place（替换原文件）须给出且只给出一个")
        }
        if noLedger && ledger != nil {
            throw ValidationError(en: "give at most one of --ledger and --no-ledger", zh: "--ledger 和 --no-ledger 至多给出一个")
        }
        if keepPaths && output == nil {
            throw ValidationError(
                en: "--keep-paths shapes where --output writes; add --output DIR", zh: "--keep-paths 用于设定 --output 的写入位置；请加 --output DIR")
        }
    }
}
