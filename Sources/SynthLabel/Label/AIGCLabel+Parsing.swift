/// A label read from a file, with what the reader noticed about its form.
public struct ParsedLabel: Sendable, Hashable {
    /// How the label object was written: wrapped in `{"AIGC":…}`, or the bare inner object.
    public enum Form: String, Sendable { case wrapped, inner }

    /// The fields as read.
    public var label: AIGCLabel
    /// `{"AIGC":{…}}` or the bare inner object.
    public var form: Form
    /// Keys that are not Annex E fields (misspellings such as `ReserveCode1` land here).
    public var unknownFields: [String]
    /// Fields given as JSON numbers or booleans instead of strings (tolerated, with a warning).
    public var nonStringFields: [AIGCLabel.Field]
    /// Fields that appear more than once in the object.
    public var repeatedFields: [String]
}

/// Why a label site's text is not a label.
public struct LabelParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words for a person.
    public var message: String
    /// The message.
    public var description: String { message }
}

extension AIGCLabel {
    /// Largest label text parsed; a label is a few hundred bytes, anything past this is hostile.
    static let maximumTextLength = 64 * 1024

    /// Reads either form of the label JSON.
    public static func parse(_ text: String) -> Result<ParsedLabel, LabelParseError> {
        guard text.utf8.count <= maximumTextLength else {
            return .failure(LabelParseError(message: "label text is \(text.utf8.count) bytes, over the \(maximumTextLength)-byte limit"))
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            return .failure(LabelParseError(message: "not valid JSON: \(error)"))
        }
        guard case .object(let members) = root else {
            return .failure(LabelParseError(message: "label is not a JSON object"))
        }
        var form = ParsedLabel.Form.inner
        var fields = members
        if let wrapper = members.first(where: { $0.key == "AIGC" }) {
            guard case .object(let inner) = wrapper.value else {
                return .failure(LabelParseError(message: "\"AIGC\" does not hold an object"))
            }
            form = .wrapped
            fields = inner
        }
        var values: [Field: String] = [:]
        var unknown: [String] = []
        var nonString: [Field] = []
        var seen: Set<String> = []
        var repeated: [String] = []
        for (key, value) in fields {
            if !seen.insert(key).inserted { repeated.append(key) }
            guard let field = Field(rawValue: key) else {
                unknown.append(key)
                continue
            }
            switch value {
            case .string(let string): values[field] = string
            case .number(let number):
                values[field] = number
                nonString.append(field)
            case .bool(let flag):
                values[field] = flag ? "true" : "false"
                nonString.append(field)
            case .null: break
            case .object, .array:
                return .failure(LabelParseError(message: "\(key) holds a JSON \(value.kindName), not a string"))
            }
        }
        if form == .wrapped {
            unknown += members.map(\.key).filter { $0 != "AIGC" }.map { "\($0) (outside AIGC)" }
        }
        return .success(
            ParsedLabel(
                label: AIGCLabel(values: values), form: form,
                unknownFields: unknown, nonStringFields: nonString, repeatedFields: repeated))
    }
}

extension JSONValue {
    var kindName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}
