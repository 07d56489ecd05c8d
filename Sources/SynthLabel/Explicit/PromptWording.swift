/// The words of an explicit label, checked against GB 45438 §5: an AI element (`人工智能` or
/// `AI`) and a generation element (`生成` or `合成`). `AI` alone does not qualify.
public struct PromptWording: Sendable, Hashable, CustomStringConvertible {
    /// The words.
    public let text: String

    /// The wordings the standard lists.
    public static let standardChoices = ["AI生成", "人工智能生成", "AI合成", "人工智能合成", "人工智能生成合成"]
    /// The default image caption: short, so it stays small while its text is 5 % of the image.
    public static let caption = PromptWording(checked: "AI生成")
    /// The default notice in text files.
    public static let notice = PromptWording(checked: "本内容由人工智能生成")

    /// Checks `text`; throws with the missing element named when it would not qualify.
    public init(_ text: String) throws(SynthLabelError) {
        let trimmed = text.trimmingWhitespace
        if let problem = Self.problem(in: trimmed) { throw .invalidWording(problem) }
        self.text = trimmed
    }

    private init(checked text: String) { self.text = text }

    /// The words.
    public var description: String { text }

    static func problem(in text: String) -> String? {
        if text.isEmpty { return "the explicit label text is empty" }
        if text.count > 80 { return "the explicit label text \"\(text.prefix(20))…\" is longer than 80 characters" }
        if text.contains(where: { $0.isNewline }) { return "the explicit label text must be one line" }
        var missing: [String] = []
        if !hasAIElement(text) { missing.append("an AI element (人工智能 or AI)") }
        if !hasGenerationElement(text) { missing.append("a generation element (生成 or 合成)") }
        guard !missing.isEmpty else { return nil }
        return "the explicit label \"\(text)\" lacks \(missing.joined(separator: " and ")), which GB 45438 §5 requires"
    }

    /// Whether `text` holds a qualifying prompt: both elements within one line of a few dozen characters.
    static func qualifies(_ text: some StringProtocol) -> Bool {
        text.split(whereSeparator: \.isNewline).contains { line in
            hasAIElement(line) && hasGenerationElement(line)
        }
    }

    // Matched on UTF-8 bytes: character-by-character search costs more than the rest of a
    // scan of a text file.
    private static let aiElements = ["人工智能", "AI", "ＡＩ"].map { Array($0.utf8) }
    private static let generationElements = ["生成", "合成"].map { Array($0.utf8) }

    private static func hasAIElement(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        return aiElements.contains { bytes.firstIndex(of: $0) != nil }
    }

    private static func hasGenerationElement(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        return generationElements.contains { bytes.firstIndex(of: $0) != nil }
    }
}
