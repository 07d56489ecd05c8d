import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelPostgres
import SynthLabelReports

/// `synthlabel ledger`: look up, export and prune the record of labelling acts.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: CLILanguage.text(en: "Look up, export and prune the labelling record.", zh: "查询、导出和清理标识日志。"),
        discussion: CommandHelp.ledger,
        subcommands: [Find.self, Export.self, Prune.self]
    )

    /// Which ledger a subcommand reads.
    struct Location: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                en: "The ledger to read: an SQLite file or postgres://USER@HOST/DATABASE. "
                    + "Default: as for 'label' ($SYNTHLABEL_LEDGER, else the user's data folder).",
                zh: "要读取的日志：SQLite 文件或 postgres://USER@HOST/DATABASE。默认：与 'label' 相同（$SYNTHLABEL_LEDGER，否则为用户数据目录）。",
                valueName: "path-or-url"))
        var ledger: String?

        /// Opens an existing ledger; a missing SQLite file is an error, not an empty new database.
        func open() throws -> Ledger {
            let location = ledger ?? Ledger.defaultPath(environment: ProcessInfo.processInfo.environment)
            let path = LedgerLocation.sqlitePath(location)
            guard LedgerLocation.isPostgres(location) || FileManager.default.fileExists(atPath: path) else {
                Output.error(
                    CLILanguage.text(
                        en: "no ledger at \(path); 'label' and 'propagate' create it (or give --ledger PATH)",
                        zh: "\(path) 处没有日志；'label' 和 'propagate' 会创建它（或用 --ledger PATH 指定）"))
                throw ExitCode(2)
            }
            do { return try LedgerLocation.open(location) } catch {
                Output.error(CLILanguage.describe(error))
                throw ExitCode(2)
            }
        }
    }

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLILanguage.text(en: "Find the acts that made or touched a piece of content.", zh: "查找生成或处理过某项内容的操作记录。"),
            discussion: CommandHelp.ledgerFind
        )

        @Option(
            name: .customLong("produce-id"),
            help: ArgumentHelp(en: "A ProduceID or PropagateID.", zh: "一个 ProduceID 或 PropagateID。"))
        var produceID: String?

        @Option(
            help: ArgumentHelp(
                en: "A SHA-256 of the file before or after labelling, or its first 8 or more hex digits.",
                zh: "文件标识前或标识后的 SHA-256，或其前 8 位以上的十六进制数字。"))
        var digest: String?

        @Option(help: ArgumentHelp(en: "A file read or written, by path.", zh: "按路径指定读过或写过的文件。"))
        var file: String?

        @Option(
            help: ArgumentHelp(en: "A watermark payload (hex) recovered by 'verify'.", zh: "由 'verify' 读出的水印载荷（十六进制）。"))
        var watermark: String?

        @Flag(help: ArgumentHelp(en: "Print {\"acts\":[…]} with every column.", zh: "输出含全部列的 {\"acts\":[…]}。"))
        var json = false

        @OptionGroup var location: Location

        @OptionGroup var language: LanguageOption

        func validate() throws {
            guard [produceID, digest, file, watermark].compactMap({ $0 }).count == 1 else {
                throw ValidationError(
                    en: "give exactly one of --produce-id, --digest, --file and --watermark",
                    zh: "--produce-id、--digest、--file 和 --watermark 须给出且只给出一个")
            }
            if let digest {
                let hex = digest.lowercased()
                guard (8...64).contains(hex.count), hex.allSatisfy(\.isHexDigit) else {
                    throw ValidationError(
                        en: "--digest takes 8 to 64 hex digits of a SHA-256, not '\(digest)'",
                        zh: "--digest 取 SHA-256 的 8 到 64 位十六进制数字，不能是 '\(digest)'")
                }
            }
        }

        func run() throws {
            let ledger = try location.open()
            let acts: [LedgerAct]
            do {
                if let produceID {
                    acts = try ledger.acts(produceID: produceID)
                } else if let digest {
                    acts = try ledger.acts(sha256Prefix: digest.lowercased())
                } else if let file {
                    acts = try ledger.acts(file: LabellingRun.absolute(file))
                } else {
                    acts = try ledger.acts(watermark: watermark ?? "")
                }
            } catch {
                Output.error(CLILanguage.describe(error))
                throw ExitCode(2)
            }
            if json {
                Output.data("{\"acts\":[" + acts.map(LedgerFormat.json).joined(separator: ",") + "]}")
            } else {
                for act in acts { Output.lines(LedgerFormat.summary(act)) }
                if acts.isEmpty { Output.diagnostic(CLILanguage.text(en: "no act matches", zh: "没有匹配的记录")) }
            }
            if acts.isEmpty { throw ExitCode(1) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLILanguage.text(
                en: "Print every act (oldest first) as CSV or JSON, streamed.", zh: "以 CSV 或 JSON 流式输出全部操作记录（从旧到新）。"),
            discussion: CommandHelp.ledgerExport)

        @Option(
            help: ArgumentHelp(
                en: "Only acts recorded on or after this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).",
                zh: "只输出该日期及之后记录的操作（YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SSZ，UTC）。"))
        var since: String?

        @Option(
            help: ArgumentHelp(
                en: "csv (with a header line; a cell starting with = + - @ tab or CR gets a leading ') or json (an array of objects).",
                zh: "csv（含表头；以 = + - @、制表符或回车开头的单元格前加 '）或 json（对象数组）。"))
        var format: String = "csv"

        @OptionGroup var location: Location

        @OptionGroup var language: LanguageOption

        func validate() throws {
            guard format == "csv" || format == "json" else {
                throw ValidationError(en: "--format must be csv or json, not '\(format)'", zh: "--format 须为 csv 或 json，不能是 '\(format)'")
            }
            if let since, LedgerClock.parse(since) == nil {
                throw ValidationError(
                    en: "--since takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '\(since)'",
                    zh: "--since 取 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SSZ，不能是 '\(since)'")
            }
        }

        func run() throws {
            let ledger = try location.open()
            let since = since.flatMap(LedgerClock.parse).map(LedgerClock.format(secondsSinceEpoch:))
            var first = true
            if format == "csv" { print(LedgerAct.columns.joined(separator: ",")) } else { print("[") }
            do {
                try ledger.forEachAct(since: since) { act in
                    if format == "csv" {
                        print(act.values.map(LedgerFormat.csvField).joined(separator: ","))
                    } else {
                        print((first ? "" : ",\n") + LedgerFormat.json(act), terminator: "")
                        first = false
                    }
                }
            } catch {
                Output.error(CLILanguage.describe(error))
                throw ExitCode(2)
            }
            if format == "json" { print(first ? "]" : "\n]") }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLILanguage.text(
                en: "Delete acts recorded before a date, never any younger than six months.", zh: "删除某日期之前的记录，不会删除不满六个月的记录。"),
            discussion: CommandHelp.ledgerPrune)

        @Option(
            help: ArgumentHelp(
                en: "Delete acts recorded before this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).",
                zh: "删除该日期之前记录的操作（YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SSZ，UTC）。"))
        var before: String

        @OptionGroup var location: Location

        @OptionGroup var language: LanguageOption

        func validate() throws {
            guard LedgerClock.parse(before) != nil else {
                throw ValidationError(
                    en: "--before takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '\(before)'",
                    zh: "--before 取 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SSZ，不能是 '\(before)'")
            }
        }

        func run() throws {
            let ledger = try location.open()
            do {
                let deleted = try ledger.prune(before: before)
                Output.line(
                    CLILanguage.text(en: "deleted \(deleted) act(s) recorded before \(before)", zh: "已删除 \(before) 之前记录的 \(deleted) 条操作"))
            } catch {
                Output.error(CLILanguage.describe(error))
                throw ExitCode(2)
            }
        }
    }
}

/// How acts are printed.
enum LedgerFormat {
    /// One act for people, a line each (print with `Output.lines`, which makes each safe).
    static func summary(_ act: LedgerAct) -> [String] {
        let label = AIGCLabel.Field.allCases.compactMap { field in act.label[field].map { "\(field.rawValue)=\($0)" } }
        // Row titles in the command line's language; the act's values are data and stay as recorded.
        let row = { (en: String, zh: String) in "  " + Phrases.padded(CLILanguage.text(en: en, zh: zh), to: 9) }
        let who = "\(act.operatorName)@\(act.host) (\(act.tool) \(act.toolVersion))"
        var lines = [
            CLILanguage.text(
                en: "act \(act.id ?? 0): \(act.state.rawValue) \(act.action.rawValue) at \(act.time) by \(who)",
                zh: "记录 \(act.id ?? 0)：\(act.state.rawValue) \(act.action.rawValue)，时间 \(act.time)，操作人 \(who)"),
            row("file", "文件") + act.path + (act.output == act.path ? "" : " -> \(act.output)") + " (\(act.format))",
            row("sha256", "sha256") + CLILanguage.text(en: "before ", zh: "标识前 ") + act.sha256Before,
            row("", "") + CLILanguage.text(en: "after  ", zh: "标识后 ") + act.sha256After,
            row("label", "标识") + label.joined(separator: " "),
        ]
        if let key = act.keyID { lines.append(row("signed", "签名") + CLILanguage.text(en: "key ", zh: "密钥 ") + key) }
        if let watermark = act.watermark { lines.append(row("mark", "水印") + watermark) }
        if let note = act.watermarkNote { lines.append(row("no mark", "无水印") + note) }
        if let explicit = act.explicit { lines.append(row("explicit", "显式标识") + explicit) }
        return lines
    }

    /// One act as a JSON object: column names as keys, null for empty fields.
    static func json(_ act: LedgerAct) -> String {
        let pairs = zip(LedgerAct.columns, act.values).map { column, value in
            let rendered: String
            if let value {
                rendered = column == "id" ? value : "\"" + AIGCLabel.escape(value) + "\""
            } else {
                rendered = "null"
            }
            return "\"\(column)\":\(rendered)"
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// A CSV field, quoted as `scan --csv` quotes (RFC 4180); empty for an empty column.
    static func csvField(_ value: String?) -> String { CSVRow.escape(value ?? "") }
}
