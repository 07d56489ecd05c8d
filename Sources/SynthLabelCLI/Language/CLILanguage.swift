import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelReports

/// The language of the command line's words for people: `--lang zh|en` where given, else the
/// locale (`LC_ALL`, `LC_MESSAGES`, `LANG`). Read once from the raw arguments, because help
/// texts are built before ArgumentParser has parsed anything.
enum CLILanguage {
    static let current: Language = {
        let arguments = CommandLine.arguments
        var flag: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--lang", index + 1 < arguments.count { flag = arguments[index + 1] }
            if argument.hasPrefix("--lang=") { flag = String(argument.dropFirst("--lang=".count)) }
        }
        return Language.resolve(flag, environment: ProcessInfo.processInfo.environment)
    }()

    /// `en` or `zh`, whichever the command line speaks.
    static func text(en: String, zh: String) -> String { current == .zh ? zh : en }

    /// Lines printed before a message: `error: `, `warning: `, `skipped: `.
    static var errorPrefix: String { text(en: "error: ", zh: "错误：") }
    static var warningPrefix: String { text(en: "warning: ", zh: "警告：") }
    static var skippedPrefix: String { text(en: "skipped: ", zh: "已跳过：") }

    /// An error for people: the library's own in the command line's language, others as they describe themselves.
    static func describe(_ error: any Error) -> String {
        guard current == .zh else { return "\(error)" }
        if let error = error as? SynthLabelError { return error.messageForPeople }
        if let error = error as? LedgerError { return error.chinese }
        return "\(error)"
    }
}

extension ValidationError {
    /// A usage error in the command line's language.
    init(en: String, zh: String) { self.init(CLILanguage.text(en: en, zh: zh)) }
}

extension ArgumentHelp {
    /// Help in the command line's language, with an optional longer paragraph under it.
    init(en: String, zh: String, discussion: (en: String, zh: String)? = nil, valueName: String? = nil) {
        self.init(
            CLILanguage.text(en: en, zh: zh), discussion: discussion.map { CLILanguage.text(en: $0.en, zh: $0.zh) } ?? "",
            valueName: valueName)
    }
}

/// `--lang zh|en`, which every command takes. `CLILanguage.current` has already read it from the
/// raw arguments; declaring it here lets ArgumentParser accept, document and check it.
struct LanguageOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            en: "Language of help, messages, summaries and reports: zh or en. Default: the locale (LANG).",
            zh: "帮助、消息、汇总和报告的语言：zh 或 en。默认：取自区域设置（LANG）。", valueName: "zh|en"))
    var lang: String?

    func validate() throws {
        if let lang, Language(rawValue: lang.lowercased()) == nil {
            throw ValidationError(CLILanguage.text(en: "--lang takes zh or en, not '\(lang)'", zh: "--lang 只能是 zh 或 en，不能是 '\(lang)'"))
        }
    }
}
