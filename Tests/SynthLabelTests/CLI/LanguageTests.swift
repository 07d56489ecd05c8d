import Foundation
import Testing

/// The command line in Chinese: by the locale or by `--lang`; JSON stays English.
@Suite("command line language")
struct LanguageTests {
    @Test func theLocaleOrLangChoosesChineseForPeopleAndNeverForJSON() throws {
        let help = try Fixtures.run(Fixtures.binary, ["--help"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(help.stdout.contains("按 GB 45438-2025 的要求为人工智能生成文件添加标识"))
        let english = try Fixtures.run(Fixtures.binary, ["--help"], environment: ["LANG": "en_US.UTF-8"])
        #expect(english.stdout.contains("Label AI-generated files the way GB 45438-2025 requires"))

        let scan = try Fixtures.run(
            Fixtures.binary, ["scan", Fixtures.sample("gradient.png"), "--lang", "zh"], environment: ["LANG": "en_US.UTF-8"])
        #expect(scan.stdout.contains("未标识") && scan.stdout.contains("格式") && scan.stdout.contains("合计"), "\(scan.stdout)")
        #expect(scan.stderr.contains("已扫描 1 个文件"), "\(scan.stderr)")
        let json = try Fixtures.run(
            Fixtures.binary, ["scan", Fixtures.sample("gradient.png"), "--json"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(
            json.stdout.contains("\"verdict\" : \"unlabelled\"") || json.stdout.contains("\"verdict\":\"unlabelled\""),
            "\(json.stdout.prefix(400))")
        #expect(!json.stdout.contains("未标识"))

        let verified = try Fixtures.run(Fixtures.binary, ["verify", Fixtures.sample("gradient.png")], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(verified.stdout.contains(": 未标识 (PNG)") && verified.stderr.contains("已验证 1 个文件：1 未标识"), "\(verified.stderr)")
    }
}

/// Everything the command line says to people, in Chinese: help, usage errors, each file's line,
/// the library's errors, and the other commands' output.
@Suite("command line in Chinese")
struct ChineseCommandLineTests {
    static let chinese = ["LANG": "zh_CN.UTF-8"]
    static let commands = [
        [], ["label"], ["propagate"], ["verify"], ["scan"], ["keys"], ["keys", "generate"], ["ledger"], ["ledger", "find"],
        ["ledger", "export"], ["ledger", "prune"], ["formats"], ["serve"],
    ]

    /// Runs of four or more English words: a sentence left untranslated. Example command lines,
    /// which are the same in both languages, are left out.
    static func englishSentences(_ text: String) -> [String] {
        let prose = text.split(separator: "\n").filter { line in
            let trimmed = line.drop { $0 == " " }
            return !["synthlabel ", "find ", "sha256sum ", "curl ", "'http"].contains { trimmed.hasPrefix($0) }
                && !line.hasPrefix("用法：")
        }
        return prose.flatMap { line in
            String(line).matches(of: /[A-Za-z']+(?: [a-z']+){3,}/).map { String($0.output) }
        }
    }

    @Test(arguments: commands)
    func everyCommandsHelpIsChineseAndEnglishOnRequest(_ command: [String]) throws {
        let help = try Fixtures.run(Fixtures.binary, command + ["--help"], environment: Self.chinese)
        #expect(help.status == 0)
        #expect(Self.englishSentences(help.stdout).isEmpty, "\(Self.englishSentences(help.stdout))")
        for heading in ["OVERVIEW:", "USAGE:", "OPTIONS:", "Show help information."] { #expect(!help.stdout.contains(heading)) }
        #expect(help.stdout.contains("概述：") && help.stdout.contains("显示帮助信息。"))

        let english = try Fixtures.run(Fixtures.binary, command + ["--help", "--lang", "en"], environment: Self.chinese)
        #expect(english.stdout.contains("OVERVIEW:") && !english.stdout.contains("概述："), "\(english.stdout.prefix(300))")
        #expect(!Self.englishSentences(english.stdout).isEmpty)
    }

    @Test func usageErrorsAreChinese() throws {
        let missing = try Fixtures.run(Fixtures.binary, ["label"], environment: Self.chinese)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("错误：缺少必需的参数 '<paths> ...'") && missing.stderr.contains("用法：synthlabel label"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("Error:") && !missing.stderr.contains("Usage:"))

        let both = try Fixtures.run(
            Fixtures.binary, ["label", "a.png", "--producer", Fixtures.producer, "--in-place", "--output", "o"], environment: Self.chinese)
        #expect(both.stderr.contains("错误：--output DIR（写出已标识的副本）和 --in-place（替换原文件）须给出且只给出一个"), "\(both.stderr)")

        let unknown = try Fixtures.run(Fixtures.binary, ["formats", "--bogus"], environment: Self.chinese)
        #expect(unknown.stderr.contains("未知选项 '--bogus'"), "\(unknown.stderr)")

        let before = try Fixtures.run(Fixtures.binary, ["--lang", "zh", "formats"], environment: ["LANG": "en_US.UTF-8"])
        #expect(before.status == 0 && before.stdout.contains("  标识写入："), "\(before.stderr)")

        let badLanguage = try Fixtures.run(Fixtures.binary, ["formats", "--lang", "fr"], environment: Self.chinese)
        #expect(badLanguage.status == 2 && badLanguage.stderr.contains("--lang 只能是 zh 或 en，不能是 'fr'"), "\(badLanguage.stderr)")

        let badValue = try Fixtures.run(
            Fixtures.binary, ["label", "a.png", "--producer", Fixtures.producer, "--in-place", "--label", "7"], environment: Self.chinese)
        #expect(badValue.stderr.contains("--label 须为 1（人工智能生成）、2（可能）或 3（疑似），不能是 '7'"), "\(badValue.stderr)")
    }

    @Test func labelAndPropagateSpeakChinesePerFileAndJSONStaysEnglish() throws {
        let folder = TemporaryDirectory()
        let ledger = folder.path + "/ledger.sqlite"
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: folder.path + "/in.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("readme.txt"), toPath: folder.path + "/notes.txt")
        let arguments = [folder.path + "/in.png", folder.path + "/notes.txt", "--producer", Fixtures.producer, "--ledger", ledger]

        let labelled = try Fixtures.run(
            Fixtures.binary, ["label"] + arguments + ["--output", folder.path + "/out"], environment: Self.chinese)
        #expect(labelled.status == 0, "\(labelled.stderr)")
        #expect(labelled.stdout.contains("已标识：\(folder.path)/in.png -> \(folder.path)/out/in.png（PNG，ProduceID SL"), "\(labelled.stdout)")
        // The library's reason and the command line's hint, both in Chinese.
        #expect(
            labelled.stdout.contains("已跳过：\(folder.path)/notes.txt：纯文本没有可容纳标识的元数据；--explicit 写入提示语，--invisible-text 写入隐藏的标识"),
            "\(labelled.stdout)")
        #expect(labelled.stderr.contains("已标识 1 个文件，跳过 1 个，失败 0 个"), "\(labelled.stderr)")

        let again = try Fixtures.run(
            Fixtures.binary, ["label"] + arguments + ["--output", folder.path + "/out"], environment: Self.chinese)
        #expect(again.stdout.contains("此前已标识：\(folder.path)/in.png -> \(folder.path)/out/in.png（ProduceID SL"), "\(again.stdout)")
        #expect(again.stdout.contains("日志记录 1）"), "\(again.stdout)")

        let clash = try Fixtures.run(
            Fixtures.binary,
            ["label", folder.path + "/out/in.png", "--producer", Fixtures.producer, "--no-ledger", "--output", folder.path + "/out"],
            environment: Self.chinese)
        #expect(clash.status == 1 && clash.stderr.contains("错误：\(folder.path)/out/in.png：目标就是原文件"), "\(clash.stderr)")

        let propagated = try Fixtures.run(
            Fixtures.binary,
            ["propagate", folder.path + "/out/in.png", "--propagator", "001191110105MA01ABCD2620001", "--in-place", "--ledger", ledger],
            environment: Self.chinese)
        #expect(propagated.stdout.contains("已添加传播信息：\(folder.path)/out/in.png（PNG，Label 1"), "\(propagated.stdout)")

        let json = try Fixtures.run(
            Fixtures.binary, ["label"] + arguments.dropLast(2) + ["--output", folder.path + "/json", "--json", "--no-ledger"],
            environment: Self.chinese)
        #expect(json.stdout.contains("\"status\" : \"labelled\"") && json.stdout.contains("plain text has no metadata"), "\(json.stdout)")
        #expect(!json.stdout.contains("已标识") && !json.stdout.contains("纯文本"))
    }

    @Test func ledgerKeysFormatsAndVerifySpeakChinese() throws {
        let folder = TemporaryDirectory()
        let keys = try Fixtures.run(Fixtures.binary, ["keys", "generate", "--out", folder.path + "/k"], environment: Self.chinese)
        #expect(keys.stdout.contains("已写入 \(folder.path)/k.key（私钥，权限 0600）和 \(folder.path)/k.pub：sm2 密钥"), "\(keys.stdout)")

        let ledger = folder.path + "/ledger.sqlite"
        try Fixtures.run(
            Fixtures.binary,
            [
                "label", Fixtures.sample("gradient.png"), "--producer", Fixtures.producer, "--produce-id", "job-zh", "--output",
                folder.path + "/out", "--ledger", ledger, "--sign", folder.path + "/k.key",
            ])
        let found = try Fixtures.run(
            Fixtures.binary, ["ledger", "find", "--produce-id", "job-zh", "--ledger", ledger], environment: Self.chinese)
        #expect(found.stdout.contains("记录 1：completed label，时间 "), "\(found.stdout)")
        #expect(found.stdout.contains("  标识前 ") && found.stdout.contains("  签名     密钥 "), "\(found.stdout)")
        let none = try Fixtures.run(
            Fixtures.binary, ["ledger", "find", "--produce-id", "nothing", "--ledger", ledger], environment: Self.chinese)
        #expect(none.status == 1 && none.stderr.contains("没有匹配的记录"))
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let refused = try Fixtures.run(
            Fixtures.binary, ["ledger", "prune", "--before", today, "--ledger", ledger], environment: Self.chinese)
        #expect(refused.status == 2 && refused.stderr.contains("错误：拒绝清理 \(today) 之前的记录：记录须至少保存六个月"), "\(refused.stderr)")

        let formats = try Fixtures.run(Fixtures.binary, ["formats"], environment: Self.chinese)
        #expect(formats.stdout.contains("PNG (.png) — 签名，显式标识：caption，水印") && formats.stdout.contains("  标识写入："), "\(formats.stdout)")

        // Signed by a key nobody trusts: the check's Chinese title, then the library's detail.
        let untrusted = try Fixtures.run(
            Fixtures.binary, ["verify", folder.path + "/out/gradient.png", "--require-signature"], environment: Self.chinese)
        #expect(untrusted.stdout.contains(": 不合规 (PNG)"), "\(untrusted.stdout)")
        #expect(untrusted.stdout.contains("  未通过   signature.producer（生成方签名）：SecurityData: "), "\(untrusted.stdout)")
        let trusted = try Fixtures.run(
            Fixtures.binary, ["verify", folder.path + "/out/gradient.png", "--trust", folder.path + "/k.pub"], environment: Self.chinese)
        #expect(trusted.stdout.contains("  签名       生成方：SecurityData: "), "\(trusted.stdout)")
    }
}
