import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelReports

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: CLILanguage.text(en: "Find files that lack a compliant label in directory trees.", zh: "在目录树中查找缺少合规标识的文件。"),
        discussion: CommandHelp.scan
    )

    @Argument(help: ArgumentHelp(en: "Directories (or files) to scan.", zh: "要扫描的目录（或文件）。"))
    var paths: [String] = []

    @OptionGroup(title: CLILanguage.text(en: "Signatures", zh: "签名")) var signatures: SignatureOptions

    @OptionGroup(title: CLILanguage.text(en: "Watermark", zh: "隐式水印")) var watermarkKey: WatermarkKeyOption

    @Flag(
        help:
            ArgumentHelp(
                en:
                    "Also look for explicit labels: decode pixels and audio for SynthLabel's captions and the rhythm prompt, read Markdown's first and last lines for a notice; slower. Plain text's notice is always looked for.",
                zh: "同时检查显式标识：解码像素和音频以查找 SynthLabel 的图像文字和节奏提示，读取 Markdown 的首尾行查找提示；较慢。纯文本的提示总会检查。")
    )
    var explicit = false

    @Flag(help: ArgumentHelp(en: "One JSON document: every file, plus the summary.", zh: "输出一个 JSON 文档：全部文件及汇总。"))
    var json = false

    @Flag(help: ArgumentHelp(en: "One JSON object per line, per file.", zh: "每个文件一行 JSON 对象。"))
    var ndjson = false

    @Flag(
        help:
            ArgumentHelp(
                en:
                    "One CSV row per file, with a header (a cell starting with = + - @ tab or CR gets a leading ' so a spreadsheet shows it as text).",
                zh: "每个文件一行 CSV，含表头（以 = + - @、制表符或回车开头的单元格前加 '，使电子表格将其显示为文本）。")
    )
    var csv = false

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp(
            en: "Exit 1 when any file has one of these verdicts (comma-separated: unlabelled, noncompliant, inconclusive).",
            zh: "任一文件的结论属于这些之一时以状态 1 退出（逗号分隔：unlabelled、noncompliant、inconclusive）。"))
    var failOn: [String] = []

    @Option(help: ArgumentHelp(en: "Only files matching this glob (repeatable).", zh: "只处理匹配该通配模式的文件（可重复）。"))
    var include: [String] = []

    @Option(help: ArgumentHelp(en: "Leave out files matching this glob (repeatable).", zh: "排除匹配该通配模式的文件（可重复）。"))
    var exclude: [String] = []

    @Option(
        name: .customLong("files-from"),
        help: ArgumentHelp(
            en: "Read the paths to scan from FILE, one per line ('-' for standard input).", zh: "从 FILE 读取要扫描的路径，每行一个（'-' 表示标准输入）。"))
    var filesFrom: String?

    @Option(
        help: ArgumentHelp(
            en: "Scan only part K of N of the files (a stable split by path), e.g. 2/8.", zh: "只扫描 N 份中的第 K 份（按路径稳定划分），例如 2/8。"))
    var shard: String?

    @Flag(
        name: .customLong("follow-symlinks"),
        help: ArgumentHelp(en: "Follow symbolic links (each directory is entered once).", zh: "跟随符号链接（每个目录只进入一次）。"))
    var followSymlinks = false

    @Flag(help: ProgressLine.quietHelp)
    var quiet = false

    @Option(
        help: ArgumentHelp(
            en: "Also write a report to look at: one self-contained HTML page (charts, a filterable table, each file's detail).",
            zh: "另写一份可直接查看的报告：一个自包含的 HTML 页面（图表、可筛选的表格、每个文件的详情）。",
            valueName: "file"))
    var html: String?

    @Flag(
        name: .customLong("html-all"),
        help: ArgumentHelp(
            en: "List compliant files in the --html report too (otherwise they are counted only).", zh: "在 --html 报告中也列出合规文件（否则只计数）。"))
    var htmlAll = false

    @Flag(
        help: ArgumentHelp(
            en:
                "Put a small picture of each listed PNG and JPEG in the --html report, its recorded caption outlined (on with --explicit).",
            zh: "在 --html 报告中为列出的每个 PNG 和 JPEG 放一张小图，并框出记录的图像文字（--explicit 时自动开启）。"))
    var thumbnails = false

    @OptionGroup var language: LanguageOption

    var failVerdicts: Set<Verdict> {
        Set(failOn.flatMap { $0.split(separator: ",") }.compactMap { Verdict(rawValue: String($0).trimmingCharacters(in: .whitespaces)) })
    }

    func validate() throws {
        if [json, ndjson, csv].filter({ $0 }).count > 1 {
            throw ValidationError(en: "choose one of --json, --ndjson and --csv", zh: "--json、--ndjson 和 --csv 只能选一个")
        }
        for name in failOn.flatMap({ $0.split(separator: ",") }) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let verdict = Verdict(rawValue: trimmed), verdict != .compliant else {
                throw ValidationError(
                    en: "--fail-on takes unlabelled, noncompliant or inconclusive, not '\(trimmed)'",
                    zh: "--fail-on 取 unlabelled、noncompliant 或 inconclusive，不能是 '\(trimmed)'")
            }
        }
        if let shard, ScanSelection.parseShard(shard) == nil {
            throw ValidationError(
                en: "--shard takes K/N with 1 <= K <= N, e.g. 2/8, not '\(shard)'", zh: "--shard 取 K/N 且 1 <= K <= N，例如 2/8，不能是 '\(shard)'")
        }
        if paths.isEmpty && filesFrom == nil {
            throw ValidationError(en: "give directories to scan, or --files-from", zh: "请给出要扫描的目录，或 --files-from")
        }
        if (htmlAll || thumbnails) && html == nil {
            throw ValidationError(
                en: "--html-all and --thumbnails shape the --html report; add --html FILE",
                zh: "--html-all 和 --thumbnails 用于设定 --html 报告；请加 --html FILE")
        }
    }

    /// The thumbnail of a PNG or JPEG the report lists (every file with `listingAll`, else those
    /// not compliant); nil for others, or when the image cannot be decoded.
    static func thumbnail(of report: FileReport, listingAll: Bool) -> Thumbnail? {
        guard [.png, .jpeg].contains(report.carrier), listingAll || report.verdict != .compliant else { return nil }
        return try? Thumbnail(ofImageAt: report.path, carrier: report.carrier)
    }

    struct Summary: Encodable {
        var files = 0
        var skipped = 0
        var byVerdict: [String: Int] = [:]
        var byFormat: [String: [String: Int]] = [:]
        var bytes = 0
        var seconds = 0.0
    }

    func run() throws {
        let selection = ScanSelection(include: include, exclude: exclude, shard: shard.flatMap(ScanSelection.parseShard))
        var walker = FileWalker(paths, followingSymlinks: followSymlinks)
        var list = filesFrom.map(PathListReader.init)
        if let failure = list?.failed {
            Output.error("--files-from \(failure)")
            throw ExitCode(2)
        }
        var inputs = AnyIterator<FileWalker.Entry> {
            while let entry = list != nil ? list?.next() : walker.next() {
                if selection.admits(entry) { return entry }
            }
            return nil
        }
        var summary = Summary()
        var documents: [FileReportJSON] = []
        var failed = false
        let failVerdicts = failVerdicts
        let started = Date()
        let verifier = Verifier(
            explicitChecks: explicit, trust: try signatures.trustStore(), requireSignature: signatures.requireSignature,
            watermarkKey: try watermarkKey.load())
        if csv { Output.data(CSVRow.header) }
        let language = CLILanguage.current
        let page = try html.map { path in
            do {
                return try HTMLReport(
                    path: path,
                    scan: .init(
                        paths: paths, options: Array(CommandLine.arguments.dropFirst(2)), started: started,
                        tool: "synthlabel \(SynthLabelCLI.version)",
                        host: HostName.current),
                    language: language, listsCompliant: htmlAll)
            } catch {
                Output.error(CLILanguage.describe(error))
                throw ExitCode(2)
            }
        }
        var pageError: (any Error)?
        let pictures = thumbnails || explicit
        let progress = ProgressLine(CLILanguage.text(en: "scanned", zh: "已扫描"), quiet: quiet || json)
        if filesFrom == nil {
            let paths = paths
            let followSymlinks = followSymlinks
            progress.countInBackground({ FileWalker(paths, followingSymlinks: followSymlinks) }, admits: selection.admits)
        }
        Interruption.progress = progress
        // With thumbnails, whether the page lists every file or only those needing attention.
        let thumbnailsListingAll: Bool? = page != nil && pictures ? htmlAll : nil
        BatchRunner(progress: progress).run(&inputs) { entry in
            let result = Result { () throws(SynthLabelError) in try verifier.verify(fileAt: entry.path) }
            // A listed image's thumbnail is made here, on the worker that checked it.
            let picture = thumbnailsListingAll.flatMap { all in (try? result.get()).flatMap { Self.thumbnail(of: $0, listingAll: all) } }
            return (entry, result, picture)
        } deliver: { (entry: FileWalker.Entry, result: Result<FileReport, SynthLabelError>, picture: Thumbnail?) in
            let document: FileReportJSON
            switch result {
            case .success(let report):
                document = FileReportJSON(report)
                if !json && !ndjson && !csv && report.verdict != .compliant {
                    Output.line(Self.line(for: report, language: language))
                }
            case .failure(let error) where error.isUnsupportedFile:
                summary.skipped += 1
                return
            case .failure(let error):
                document = FileReportJSON(path: entry.path, error: error.message)
                if !json && !ndjson && !csv {
                    Output.line(Phrases.padded(Phrases.text("cli.inconclusive", language), to: 14) + error.messageForPeople)
                }
            }
            summary.files += 1
            summary.bytes += document.size ?? 0
            summary.byVerdict[document.verdict, default: 0] += 1
            summary.byFormat[document.format ?? "unreadable", default: [:]][document.verdict, default: 0] += 1
            if let verdict = Verdict(rawValue: document.verdict), failVerdicts.contains(verdict) { failed = true }
            if let page, pageError == nil {
                do { try page.add(document, thumbnail: picture) } catch { pageError = error }
            }
            if ndjson {
                Output.json(document, pretty: false)
            } else if csv {
                Output.data(CSVRow(document).text)
            } else if json {
                documents.append(document)
            }
        }
        summary.seconds = Date().timeIntervalSince(started)
        var walkErrors = 0
        for notice in walker.notices {
            if notice.isError { walkErrors += 1 } else { summary.skipped += 1 }
            Output.diagnostic((notice.isError ? CLILanguage.errorPrefix : CLILanguage.skippedPrefix) + notice.messageForPeople)
        }
        if let page, let html {
            do {
                if let pageError { throw pageError }
                try page.finish(skipped: summary.skipped, seconds: summary.seconds)
                Output.diagnostic(Phrases.text("cli.report", language, ["p": html]))
            } catch {
                page.abandon()
                Output.error(CLILanguage.describe(error))
                throw ExitCode(2)
            }
        }
        if json {
            Output.json(ScanDocument(files: documents, summary: summary))
        } else if !ndjson && !csv {
            Output.lines(Self.table(summary, language: language).components(separatedBy: "\n"))
        }
        let seen = summary.files + summary.skipped
        let rate = summary.seconds > 0 ? Double(seen) / summary.seconds : 0
        Output.diagnostic(
            Phrases.text(
                "cli.scanned", language,
                [
                    "n": String(summary.files), "k": String(summary.skipped), "s": String(format: "%.2f", summary.seconds),
                    "r": String(format: "%.0f", rate),
                    "m": String(format: "%.1f", summary.seconds > 0 ? Double(summary.bytes) / 1e6 / summary.seconds : 0),
                ]))
        try Interruption.finish(done: progress.done.load(ordering: .relaxed), total: progress.total)
        if walkErrors > 0 { throw ExitCode(2) }
        if failed { throw ExitCode(1) }
    }

    static func line(for report: FileReport, language: Language) -> String {
        let reason = report.findings.first { $0.outcome == .error || $0.outcome == .fail }?.message ?? ""
        let verdict = Phrases.padded(Phrases.text("verdict." + report.verdict.rawValue, language), to: 13)
        return "\(verdict) \(report.path) (\(report.carrier.displayName))\(reason.isEmpty ? "" : ": \(reason)")"
    }

    struct ScanDocument: Encodable {
        var files: [FileReportJSON]
        var summary: Summary
    }

    /// The summary as a table: one row per format, one column per verdict.
    static func table(_ summary: Summary, language: Language) -> String {
        let verdicts = Verdict.allCases.map(\.rawValue)
        func cell(_ text: String) -> String { Phrases.padded(text, to: 13) }
        let say = { (key: String) in Phrases.text(key, language) }
        var lines = [cell(say("cli.format")) + verdicts.map { cell(say("verdict." + $0)) }.joined() + say("cli.total")]
        for format in summary.byFormat.keys.sorted() {
            let counts = summary.byFormat[format, default: [:]]
            lines.append(cell(format) + verdicts.map { cell(String(counts[$0, default: 0])) }.joined() + String(counts.values.reduce(0, +)))
        }
        lines.append(
            cell(say("cli.all")) + verdicts.map { cell(String(summary.byVerdict[$0, default: 0])) }.joined() + String(summary.files))
        return lines.joined(separator: "\n")
    }
}

/// One file as a CSV row: what a spreadsheet or a SQL import wants.
struct CSVRow {
    static let header = "path,format,verdict,Label,ContentProducer,ProduceID,ContentPropagator,PropagateID,sites,problem"
    let text: String

    init(_ document: FileReportJSON) {
        let label = document.label?.fields ?? [:]
        let problem =
            document.error ?? document.checks.first { $0.outcome == .error || $0.outcome == .fail }?.message ?? ""
        let cells =
            [document.path ?? "", document.format ?? "", document.verdict]
            + ["Label", "ContentProducer", "ProduceID", "ContentPropagator", "PropagateID"].map { label[$0] ?? "" }
            + [String(document.sites.count), problem]
        text = cells.map(Self.escape).joined(separator: ",")
    }

    /// RFC 4180: quote fields holding a comma, quote or line break; double inner quotes. A
    /// field that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR:
    /// `=HYPERLINK(…)` in a ProduceID or a file name) gets a leading ' so it stays text.
    static func escape(_ field: String) -> String {
        let field = field.first.map { "=+-@\t\r".contains($0) } == true ? "'" + field : field
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
