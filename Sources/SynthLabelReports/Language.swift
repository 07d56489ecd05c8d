/// The language people read SynthLabel's pages and summaries in: Simplified Chinese or English.
/// Keys, check ids and the JSON, NDJSON and CSV outputs stay English whatever is chosen.
public enum Language: String, Sendable, CaseIterable {
    case en, zh

    /// `--lang` when given, else the locale (`LC_ALL`, `LC_MESSAGES`, then `LANG`, as the C
    /// library reads them): Chinese for `zh…`, English otherwise.
    public static func resolve(_ flag: String?, environment: [String: String]) -> Language {
        if let flag, let chosen = Language(rawValue: flag.lowercased()) { return chosen }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        return locale.lowercased().hasPrefix("zh") ? .zh : .en
    }

    /// The value of HTML's `lang` attribute.
    public var htmlTag: String { self == .zh ? "zh-Hans" : "en" }
}
