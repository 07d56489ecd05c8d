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
