import SynthLabel

/// Each command's long help, in English and Chinese side by side so that a change to one is seen
/// beside the other. The commands' files keep what they do; the words people read first are here.
enum CommandHelp {}

extension Carrier {
    /// The formats' names as the command line lists them: "A, B and C", or "A、B 和 C".
    static func listedForPeople(_ carriers: [Carrier]) -> String {
        guard CLILanguage.current == .zh else { return listed(carriers) }
        let names = carriers.map { $0 == .text ? "纯文本" : $0.displayName }
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: "、") + " 和 " + (names.last ?? "")
    }
}
