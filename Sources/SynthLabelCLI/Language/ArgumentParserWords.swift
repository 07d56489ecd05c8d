import Foundation

/// The words ArgumentParser itself prints (section headings, its own flags' help, its usage
/// errors), in Chinese when the command line speaks it. ArgumentParser has no hook for them, so
/// its finished text is rewritten; values it quotes (option names, the arguments given) are kept.
enum ArgumentParserWords {
    /// ArgumentParser's text in the command line's language.
    static func translated(_ text: String) -> String {
        guard CLILanguage.current == .zh else { return text }
        var text = text
        for (pattern, template) in rewrites {
            text = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text
    }

    /// Each pattern with its Chinese; `$1`… keep what the pattern captured.
    private static let rewrites: [(NSRegularExpression, String)] = [
        (#"^OVERVIEW: "#, "概述："),
        (#"^USAGE: "#, "用法："),
        (#"^Usage: "#, "用法："),
        (#"^ARGUMENTS:$"#, "参数："),
        (#"^OPTIONS:$"#, "选项："),
        (#"^SUBCOMMANDS:$"#, "子命令："),
        (#"\(default: ([^)]*)\)"#, "（默认：$1）"),
        (#"Show help information\."#, "显示帮助信息。"),
        (#"Show the version\."#, "显示版本号。"),
        (#"See '([^']*) <subcommand>' for detailed help\."#, "子命令的详细帮助见 '$1 <子命令>'。"),
        (#"See '([^']*)' for more information\."#, "更多信息见 '$1'。"),
        (#"^Error: "#, "错误："),
        (#"^Help: "#, "帮助："),
        (#"Missing expected argument '([^']*)'"#, "缺少必需的参数 '$1'"),
        (#"Missing value for '([^']*)'"#, "'$1' 缺少取值"),
        (#"Unknown option '([^']*)'\. Did you mean '([^']*)'\?"#, "未知选项 '$1'。是否想用 '$2'？"),
        (#"Unknown option '([^']*)'"#, "未知选项 '$1'"),
        (#"Unexpected argument '([^']*)'"#, "多余的参数 '$1'"),
        (#"Unexpected arguments? (.*)$"#, "多余的参数 $1"),
        (#"The value '([^']*)' is invalid for '([^']*)'"#, "取值 '$1' 不适用于 '$2'"),
        (#"Please provide one of '([^']*)'"#, "请给出 '$1' 之一"),
    ].compactMap { pattern, template in
        // Fixed patterns; LanguageTests reads Chinese help and errors for any English left.
        (try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])).map { ($0, template) }
    }
}
