import Foundation
import SynthLabelReports

/// The language of the command line's words for people: `--lang zh|en` where a command takes
/// it, else the locale. Read once, before the commands' help is built.
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
}
