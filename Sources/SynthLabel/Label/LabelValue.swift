/// The generation attribute of Annex E: how sure the labeller is that content is AI-made.
public enum LabelValue: String, Sendable, CaseIterable, Codable {
    /// `"1"`: the content is AI-generated (what a generation service writes).
    case generated = "1"
    /// `"2"`: possibly AI-generated (an uploader declared it).
    case possiblyGenerated = "2"
    /// `"3"`: suspected AI-generated (a platform found traces).
    case suspectedGenerated = "3"

    /// What the value says, in words.
    public var meaning: String {
        switch self {
        case .generated: "AI-generated"
        case .possiblyGenerated: "possibly AI-generated"
        case .suspectedGenerated: "suspected AI-generated"
        }
    }
}
