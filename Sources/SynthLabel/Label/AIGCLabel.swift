/// The implicit metadata label of GB 45438-2025 Annex E: seven fields under the key `AIGC`.
///
/// Values are kept as the strings found in the file, so a reader can report a bad
/// value instead of losing it; `validationProblems()` says what breaks the rules.
public struct AIGCLabel: Sendable, Hashable {
    /// The Annex E fields, in the order the standard lists them (and the canonical JSON uses).
    public enum Field: String, Sendable, CaseIterable, Codable {
        case label = "Label"
        case contentProducer = "ContentProducer"
        case produceID = "ProduceID"
        case reservedCode1 = "ReservedCode1"
        case contentPropagator = "ContentPropagator"
        case propagateID = "PropagateID"
        case reservedCode2 = "ReservedCode2"

        /// Whether GB 45438 Annex E requires the field (`Label`, `ContentProducer`, `ProduceID`).
        public var isRequired: Bool { self == .label || self == .contentProducer || self == .produceID }
    }

    /// A field's value as found; absent fields and empty strings both read as `nil`.
    public private(set) var values: [Field: String] = [:]

    /// A label with the producer's three fields, and the others when given.
    public init(
        label: LabelValue = .generated,
        contentProducer: String,
        produceID: String,
        reservedCode1: String? = nil,
        contentPropagator: String? = nil,
        propagateID: String? = nil,
        reservedCode2: String? = nil
    ) {
        self[.label] = label.rawValue
        self[.contentProducer] = contentProducer
        self[.produceID] = produceID
        self[.reservedCode1] = reservedCode1
        self[.contentPropagator] = contentPropagator
        self[.propagateID] = propagateID
        self[.reservedCode2] = reservedCode2
    }

    init(values: [Field: String]) {
        for (field, value) in values { self[field] = value }
    }

    /// A field's value; nil when it is absent or empty.
    public subscript(field: Field) -> String? {
        get { values[field] }
        set { values[field] = newValue.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// The `Label` field as one of the three values Annex E defines; nil when it holds another.
    public var label: LabelValue? { values[.label].flatMap(LabelValue.init(rawValue:)) }
    /// The `ContentProducer` field.
    public var contentProducer: String? { values[.contentProducer] }
    /// The `ProduceID` field.
    public var produceID: String? { values[.produceID] }

    /// Longest value accepted, following the strictest vendor API seen (2048 characters).
    public static let maximumFieldLength = 2048

    /// The inner object, all seven fields in standard order, unset ones as `""`.
    public var innerJSON: String {
        let members = Field.allCases.map { field in
            "\"\(field.rawValue)\":\"\(Self.escape(values[field] ?? ""))\""
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The canonical carrier string `{"AIGC":{…}}` written everywhere except XMP.
    public var wrappedJSON: String { "{\"AIGC\":\(innerJSON)}" }

    /// Rules of Annex E the values break, one sentence each; empty when the label is valid.
    public func validationProblems() -> [LabelProblem] {
        var problems: [LabelProblem] = []
        for field in Field.allCases where field.isRequired && values[field] == nil {
            problems.append(.missingField(field))
        }
        if let raw = values[.label], LabelValue(rawValue: raw) == nil {
            problems.append(.badLabelValue(raw))
        }
        for field in Field.allCases {
            guard let value = values[field] else { continue }
            if let bad = value.unicodeScalars.first(where: { !Self.isAllowed($0) }) {
                problems.append(.badCharacter(field, bad))
            }
            if value.count > Self.maximumFieldLength {
                problems.append(.tooLong(field, value.count))
            }
        }
        return problems
    }

    /// Annex E's character set: printable ASCII without space or backslash
    /// (a double quote is allowed, written escaped as `\"`).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        (0x21...0x7E).contains(scalar.value) && scalar != "\\"
    }

    /// `value` as the inside of a JSON string literal.
    package static func escape(_ value: String) -> String {
        // Byte by byte, as every character escaped is ASCII (a UTF-8 sequence never holds one).
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count + value.utf8.count / 4)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// One way a label breaks Annex E.
public enum LabelProblem: Sendable, Hashable, CustomStringConvertible {
    case missingField(AIGCLabel.Field)
    case badLabelValue(String)
    case badCharacter(AIGCLabel.Field, Unicode.Scalar)
    case tooLong(AIGCLabel.Field, Int)

    /// The label as the JSON object Annex E writes.
    public var description: String {
        switch self {
        case .missingField(let field):
            "required field \(field.rawValue) is missing or empty"
        case .badLabelValue(let value):
            "Label is \"\(value)\"; it must be \"1\" (AI-generated), \"2\" (possibly) or \"3\" (suspected)"
        case .badCharacter(let field, let scalar):
            "\(field.rawValue) contains \(scalar == " " ? "a space" : "U+\(String(scalar.value, radix: 16, uppercase: true))"); values may use printable ASCII without space or backslash"
        case .tooLong(let field, let length):
            "\(field.rawValue) is \(length) characters long; at most \(AIGCLabel.maximumFieldLength) are accepted"
        }
    }
}
