/// The 27-character provider code of the TC260 coding rules, checked field by field.
///
/// Layout: `00` (version), subject type, binding, an 18-character unified social credit
/// code (USCC, GB 32100-2015, with its own check character), and a 5-character service
/// extension. The standard also allows a provider *name*, so a bad code is a warning.
public struct ProviderCode: Sendable, Hashable {
    /// The code as given.
    public let text: String

    /// The code to check (`problems` says what is wrong with it).
    public init(_ text: String) { self.text = text }

    /// The USCC alphabet: digits and upper-case letters without I, O, S, V, Z.
    static let usccAlphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The embedded USCC, when the code has the right length.
    public var uscc: String? {
        guard text.count == 27 else { return nil }
        return String(Array(text)[4..<22])
    }

    /// What is wrong with the code; empty for a well-formed one.
    public func problems() -> [String] {
        let characters = Array(text)
        guard characters.count == 27 else {
            return [
                "\"\(text)\" is not a 27-character provider code (\(characters.count) characters); allowed as a name, but codes are expected"
            ]
        }
        var problems: [String] = []
        if let bad = characters.first(where: { !($0.isASCII && ($0.isNumber || $0.isUppercase)) }) {
            problems.append("provider code contains '\(bad)'; only digits and upper-case letters are allowed")
        }
        if String(characters[0..<2]) != "00" {
            problems.append("provider code should start with version \"00\", not \"\(String(characters[0..<2]))\"")
        }
        if characters[2] != "1" {
            problems.append("subject type (position 3) is '\(characters[2])'; \"1\" (organisation) is the defined value")
        }
        if characters[3] != "1" {
            problems.append("binding (position 4) is '\(characters[3])'; \"1\" (bound to the USCC) is the defined value")
        }
        if let usccProblem = Self.usccProblem(String(characters[4..<22])) {
            problems.append(usccProblem)
        }
        let extensionPart = String(characters[22..<27])
        if extensionPart != "00000", !["1", "2"].contains(characters[22]) {
            problems.append("service extension \"\(extensionPart)\" should be \"00000\" or start with 1 (generation) or 2 (propagation)")
        }
        return problems
    }

    /// Why an 18-character USCC is malformed, or nil when its check character is right.
    static func usccProblem(_ uscc: String) -> String? {
        let characters = Array(uscc)
        guard characters.count == 18 else { return "USCC \"\(uscc)\" is not 18 characters" }
        var sum = 0
        for (position, character) in characters.prefix(17).enumerated() {
            guard let value = usccAlphabet.firstIndex(of: character) else {
                return "USCC \"\(uscc)\" contains '\(character)', which is not in the USCC alphabet"
            }
            sum += value * usccWeights[position]
        }
        let expected = usccAlphabet[(31 - sum % 31) % 31]
        guard characters[17] == expected else {
            return "USCC \"\(uscc)\" has check character '\(characters[17])'; '\(expected)' expected"
        }
        return nil
    }
}
