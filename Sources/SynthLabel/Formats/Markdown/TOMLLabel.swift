/// The label in TOML front matter (Hugo's `+++` block): written as one inline table,
/// `AIGC = { Label = "1", ContentProducer = "…", … }`, read from that or from an `[AIGC]` table.
///
/// Only what a label needs of TOML is read: bare or quoted keys, and basic (`"…"`) or literal
/// (`'…'`) strings as values; anything else is reported as a value that is not a string.
enum TOMLLabel {
    /// The lines (indices into the front matter's lines) that hold the label.
    static func block(in lines: [String]) -> Range<Int>? {
        for (index, line) in lines.enumerated() {
            let text = line.trimmingWhitespace
            if text == "[AIGC]" {
                var end = index + 1
                while end < lines.count, !lines[end].trimmingWhitespace.hasPrefix("[") { end += 1 }
                // Blank lines before the next table stay with it.
                while end > index + 1, lines[end - 1].trimmingWhitespace.isEmpty { end -= 1 }
                return index..<end
            }
            if text.hasPrefix("AIGC"), text.dropFirst(4).trimmingWhitespace.hasPrefix("=") { return index..<index + 1 }
            if text.hasPrefix("[") { return nil }  // past the top-level keys
        }
        return nil
    }

    /// The one line written: an inline table of the seven fields, strings escaped as TOML asks.
    static func line(for label: AIGCLabel) -> String {
        let entries = AIGCLabel.Field.allCases.map { "\($0.rawValue) = \(quoted(label[$0] ?? ""))" }
        return "AIGC = { " + entries.joined(separator: ", ") + " }"
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func parse(_ lines: [String]) -> Result<ParsedLabel, LabelParseError> {
        guard let first = lines.first?.trimmingWhitespace else { return .failure(LabelParseError(message: "empty AIGC entry")) }
        var pairs: [(key: String, value: String?)] = []
        if first == "[AIGC]" {
            for line in lines.dropFirst() {
                let text = line.trimmingWhitespace
                guard !text.isEmpty, !text.hasPrefix("#") else { continue }
                var scanner = Scanner(text)
                guard let pair = scanner.pair() else {
                    return .failure(LabelParseError(message: "line \"\(text)\" under [AIGC] is not key = value"))
                }
                pairs.append(pair)
            }
        } else {
            var scanner = Scanner(first)
            guard scanner.key() == "AIGC", scanner.take("="), scanner.take("{") else {
                return .failure(LabelParseError(message: "AIGC is not an inline table { … }"))
            }
            while !scanner.take("}") {
                guard let pair = scanner.pair() else {
                    return .failure(LabelParseError(message: "the AIGC inline table is not key = value pairs"))
                }
                pairs.append(pair)
                _ = scanner.take(",")
            }
        }
        var values: [AIGCLabel.Field: String] = [:]
        var unknown: [String] = []
        var nonString: [AIGCLabel.Field] = []
        var repeated: [String] = []
        for (key, value) in pairs {
            guard let field = AIGCLabel.Field(rawValue: key) else {
                unknown.append(key)
                continue
            }
            if values[field] != nil { repeated.append(key) }
            if let value { values[field] = value } else { nonString.append(field) }
        }
        return .success(
            ParsedLabel(
                label: AIGCLabel(values: values), form: .inner, unknownFields: unknown, nonStringFields: nonString,
                repeatedFields: repeated))
    }

    /// Reads keys and string values off one line.
    private struct Scanner {
        var characters: [Character]
        var index = 0

        init(_ text: String) { characters = Array(text) }

        mutating func skipSpaces() {
            while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
        }

        mutating func take(_ character: Character) -> Bool {
            skipSpaces()
            guard index < characters.count, characters[index] == character else { return false }
            index += 1
            return true
        }

        mutating func key() -> String? {
            skipSpaces()
            guard index < characters.count else { return nil }
            if characters[index] == "\"" || characters[index] == "'" { return string() }
            let start = index
            while index < characters.count, characters[index].isLetter || characters[index].isNumber || "_-".contains(characters[index]) {
                index += 1
            }
            return index > start ? String(characters[start..<index]) : nil
        }

        /// `key = value`; the value is nil when it is not a string (a number, a boolean, …).
        mutating func pair() -> (key: String, value: String?)? {
            guard let key = key(), take("=") else { return nil }
            skipSpaces()
            guard index < characters.count else { return nil }
            if characters[index] == "\"" || characters[index] == "'" {
                guard let value = string() else { return nil }
                return (key, value)
            }
            while index < characters.count, characters[index] != ",", characters[index] != "}" { index += 1 }
            return (key, nil)
        }

        /// A basic string (escapes decoded) or a literal string (taken as is).
        mutating func string() -> String? {
            let quote = characters[index]
            index += 1
            var out = ""
            while index < characters.count {
                let character = characters[index]
                index += 1
                if character == quote { return out }
                guard quote == "\"", character == "\\", index < characters.count else {
                    out.append(character)
                    continue
                }
                let escaped = characters[index]
                index += 1
                switch escaped {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "u", "U":
                    let count = escaped == "u" ? 4 : 8
                    guard index + count <= characters.count, let value = UInt32(String(characters[index..<index + count]), radix: 16),
                        let scalar = Unicode.Scalar(value)
                    else { return nil }
                    out.unicodeScalars.append(scalar)
                    index += count
                default: out.append(escaped)
                }
            }
            return nil  // unterminated
        }
    }
}
