import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelPostgres

/// `synthlabel ledger`: look up, export and prune the record of labelling acts.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: CLILanguage.text(en: "Look up, export and prune the labelling record.", zh: "查询、导出和清理标识日志。"),
        discussion: """
            Every 'label' and 'propagate' run records each act in the ledger (an SQLite file, or \
            a PostgreSQL database a fleet shares, given as postgres://USER@HOST/DATABASE): when, \
            which tool and version, who (--operator, else the login name), on which host, the \
            absolute path read and written, the format, the SHA-256 of the whole file before and \
            after (as sha256sum prints it), the seven Annex E fields, the signing key and what \
            the explicit step did. The rules ask for these logs to be kept at least six months \
            (2023 Provisions Art. 16, 2025 Measures Art. 9), so 'prune' never deletes younger ones.

            An act is 'pending' while its file is being renamed into place, 'completed' after; \
            a pending act whose file was labelled again later is 'abandoned'.

            Examples:
              synthlabel ledger find --produce-id SL20261201T053159Z3F9A0C1B2D4E5F60
              sha256sum photo.png | synthlabel ledger find --digest "$(cut -c1-16)"
              synthlabel ledger export --since 2026-06-01 --format csv > acts.csv
              synthlabel ledger prune --before 2026-01-01
            """,
        subcommands: [Find.self, Export.self, Prune.self]
    )

    /// Which ledger a subcommand reads.
    struct Location: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The ledger to read: an SQLite file or postgres://USER@HOST/DATABASE. "
                    + "Default: as for 'label' ($SYNTHLABEL_LEDGER, else the user's data folder).",
                valueName: "path-or-url"))
        var ledger: String?

        /// Opens an existing ledger; a missing SQLite file is an error, not an empty new database.
        func open() throws -> Ledger {
            let location = ledger ?? Ledger.defaultPath(environment: ProcessInfo.processInfo.environment)
            let path = LedgerLocation.sqlitePath(location)
            guard LedgerLocation.isPostgres(location) || FileManager.default.fileExists(atPath: path) else {
                Output.diagnostic("error: no ledger at \(path); 'label' and 'propagate' create it (or give --ledger PATH)")
                throw ExitCode(2)
            }
            do { return try LedgerLocation.open(location) } catch {
                Output.diagnostic("error: \(error)")
                throw ExitCode(2)
            }
        }
    }

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLILanguage.text(en: "Find the acts that made or touched a piece of content.", zh: "查找生成或处理过某项内容的操作记录。"),
            discussion: "Give exactly one of the options. Exit status 0 when something matched, 1 when nothing did."
        )

        @Option(
            name: .customLong("produce-id"),
            help: ArgumentHelp(CLILanguage.text(en: "A ProduceID or PropagateID.", zh: "一个 ProduceID 或 PropagateID。")))
        var produceID: String?

        @Option(
            help: ArgumentHelp(
                CLILanguage.text(
                    en: "A SHA-256 of the file before or after labelling, or its first 8 or more hex digits.",
                    zh: "文件标识前或标识后的 SHA-256，或其前 8 位以上的十六进制数字。")))
        var digest: String?

        @Option(help: ArgumentHelp(CLILanguage.text(en: "A file read or written, by path.", zh: "按路径指定读过或写过的文件。")))
        var file: String?

        @Option(
            help: ArgumentHelp(CLILanguage.text(en: "A watermark payload (hex) recovered by 'verify'.", zh: "由 'verify' 读出的水印载荷（十六进制）。")))
        var watermark: String?

        @Flag(help: ArgumentHelp(CLILanguage.text(en: "Print {\"acts\":[…]} with every column.", zh: "输出含全部列的 {\"acts\":[…]}。")))
        var json = false

        @OptionGroup var location: Location

        func validate() throws {
            guard [produceID, digest, file, watermark].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --produce-id, --digest, --file and --watermark")
            }
            if let digest {
                let hex = digest.lowercased()
                guard (8...64).contains(hex.count), hex.allSatisfy(\.isHexDigit) else {
                    throw ValidationError("--digest takes 8 to 64 hex digits of a SHA-256, not '\(digest)'")
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
                Output.diagnostic("error: \(error)")
                throw ExitCode(2)
            }
            if json {
                Output.data("{\"acts\":[" + acts.map(LedgerFormat.json).joined(separator: ",") + "]}")
            } else {
                for act in acts { Output.lines(LedgerFormat.summary(act)) }
                if acts.isEmpty { Output.diagnostic("no act matches") }
            }
            if acts.isEmpty { throw ExitCode(1) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLILanguage.text(
                en: "Print every act (oldest first) as CSV or JSON, streamed.", zh: "以 CSV 或 JSON 流式输出全部操作记录（从旧到新）。"),
            discussion: "Columns, in this order: \(LedgerAct.columns.joined(separator: ", ")).")

        @Option(
            help: ArgumentHelp(
                CLILanguage.text(
                    en: "Only acts recorded on or after this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).",
                    zh: "只输出该日期及之后记录的操作（YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SSZ，UTC）。")))
        var since: String?

        @Option(
            help: ArgumentHelp(
                CLILanguage.text(
                    en: "csv (with a header line; a cell starting with = + - @ tab or CR gets a leading ') or json (an array of objects).",
                    zh: "csv（含表头；以 = + - @、制表符或回车开头的单元格前加 '）或 json（对象数组）。")))
        var format: String = "csv"

        @OptionGroup var location: Location

        func validate() throws {
            guard format == "csv" || format == "json" else { throw ValidationError("--format must be csv or json, not '\(format)'") }
            if let since, LedgerClock.parse(since) == nil {
                throw ValidationError("--since takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '\(since)'")
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
                Output.diagnostic("error: \(error)")
                throw ExitCode(2)
            }
            if format == "json" { print(first ? "]" : "\n]") }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLILanguage.text(
                en: "Delete acts recorded before a date, never any younger than six months.", zh: "删除某日期之前的记录，不会删除不满六个月的记录。"),
            discussion: """
                The date must be at least 180 days and six calendar months in the past; a later \
                one is refused and nothing is deleted (exit status 2).
                """)

        @Option(
            help: ArgumentHelp(
                CLILanguage.text(
                    en: "Delete acts recorded before this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).",
                    zh: "删除该日期之前记录的操作（YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SSZ，UTC）。")))
        var before: String

        @OptionGroup var location: Location

        func validate() throws {
            guard LedgerClock.parse(before) != nil else {
                throw ValidationError("--before takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '\(before)'")
            }
        }

        func run() throws {
            let ledger = try location.open()
            do {
                let deleted = try ledger.prune(before: before)
                Output.line("deleted \(deleted) act(s) recorded before \(before)")
            } catch {
                Output.diagnostic("error: \(error)")
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
        var lines = [
            "act \(act.id ?? 0): \(act.state.rawValue) \(act.action.rawValue) at \(act.time) by \(act.operatorName)@\(act.host) "
                + "(\(act.tool) \(act.toolVersion))",
            "  file     \(act.path)" + (act.output == act.path ? "" : " -> \(act.output)") + " (\(act.format))",
            "  sha256   before \(act.sha256Before)",
            "           after  \(act.sha256After)",
            "  label    " + label.joined(separator: " "),
        ]
        if let key = act.keyID { lines.append("  signed   key \(key)") }
        if let watermark = act.watermark { lines.append("  mark     \(watermark)") }
        if let note = act.watermarkNote { lines.append("  no mark  \(note)") }
        if let explicit = act.explicit { lines.append("  explicit \(explicit)") }
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
