import Yams

/// Markdown: the label is an `AIGC` mapping of the seven fields in the front matter.
///
/// Front matter is YAML between `---` lines, and only when it parses as a YAML mapping (so a
/// thematic break followed by prose is body text, as pandoc and PyYAML read it), or TOML
/// between `+++` lines (Hugo). It is merged, not replaced: other keys keep their lines. In YAML
/// the label is a block mapping at the end of the front matter; in TOML an inline table on the
/// first line, where it belongs to no other table. A file without front matter gets a YAML
/// block. The file's line endings (LF or CRLF) and byte-order mark are kept. Reading also
/// accepts the label as one JSON string or a JSON object on the `AIGC:` line, and a TOML
/// `[AIGC]` table.
struct MarkdownAdapter: CarrierAdapter {
    var carrier: Carrier { .markdown }

    /// Front matter beyond this is not front matter but a runaway file.
    static let frontMatterLimit = 1 << 20

    struct FrontMatter {
        enum Syntax { case yaml, toml }
        var syntax: Syntax
        /// Byte range of the lines between the fences.
        var body: Range<Int>
        /// Byte offset just past the closing fence line.
        var end: Int
        var lines: [Line]
    }

    struct Line {
        var range: Range<Int>
        var text: String
    }

    struct Document {
        var bytes: [UInt8]
        var bomLength: Int
        var newline: String
        var frontMatter: FrontMatter?
    }

    static func document(of file: FileSource) throws(FormatError) -> Document {
        // Front matter is short: the first 64 KiB usually hold it all; read more only if it
        // is not closed within them.
        let head = try file.bytes(upTo: 64 << 10, at: 0)
        if let document = try document(parsing: head, isPartial: head.count < file.size) { return document }
        let longer = try file.bytes(upTo: frontMatterLimit + 8, at: 0)
        guard let document = try document(parsing: longer, isPartial: false) else {
            throw FormatError(.corrupt, at: 0, "front matter could not be read")
        }
        return document
    }

    /// The front matter's fences: YAML opens with `---` and closes with `---` or `...`; TOML
    /// opens and closes with `+++`.
    private static func syntax(opening line: String) -> (FrontMatter.Syntax, closing: Set<String>)? {
        switch line {
        case "---": (.yaml, ["---", "..."])
        case "+++": (.toml, ["+++"])
        default: nil
        }
    }

    /// Whether YAML text is a mapping (or empty), as a YAML front matter block must be.
    static func isYAMLMapping(_ text: String) -> Bool {
        do {
            guard let node = try Yams.compose(yaml: text) else { return true }
            if case .mapping = node { return true }
            return false
        } catch {
            return false
        }
    }

    /// Nil when `bytes` are only the start of the file and the front matter is not closed in them.
    private static func document(parsing bytes: [UInt8], isPartial: Bool) throws(FormatError) -> Document? {
        let bomLength = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let lines = splitLines(bytes, from: bomLength)
        let newline = lines.first.map { $0.fullEnd - $0.range.upperBound == 2 ? "\r\n" : "\n" } ?? "\n"
        // Only the front matter must be UTF-8; the body is copied untouched.
        let plain = Document(bytes: bytes, bomLength: bomLength, newline: newline, frontMatter: nil)
        guard let first = lines.first, let (syntax, closingFences) = Self.syntax(opening: first.text) else { return plain }
        // An opening fence never closed is a thematic break (or a line of text), not front matter.
        guard let closing = lines.dropFirst().firstIndex(where: { closingFences.contains($0.text) }) else {
            return isPartial ? nil : plain
        }
        let inner = Array(lines[1..<closing])
        if let bad = inner.first(where: { !validUTF8(bytes[$0.range]) }) {
            throw FormatError(.corrupt, at: bad.range.lowerBound, "front matter is not valid UTF-8")
        }
        if syntax == .yaml, !isYAMLMapping(inner.map(\.text).joined(separator: "\n")) { return plain }
        let end = lines[closing].fullEnd
        let bodyStart = lines[0].fullEnd
        return Document(
            bytes: bytes, bomLength: bomLength, newline: newline,
            frontMatter: FrontMatter(
                syntax: syntax, body: bodyStart..<lines[closing].range.lowerBound, end: end,
                lines: inner.map { Line(range: $0.range, text: $0.text) }))
    }

    private struct RawLine {
        var range: Range<Int>  // without the line break
        var fullEnd: Int  // after the line break
        var text: String
    }

    private static func validUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func splitLines(_ bytes: [UInt8], from start: Int) -> [RawLine] {
        var lines: [RawLine] = []
        var lineStart = start
        var index = start
        while index < bytes.count, lines.count < 100_000 {
            if bytes[index] == 0x0A {
                var end = index
                if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
                lines.append(
                    RawLine(range: lineStart..<end, fullEnd: index + 1, text: String(decoding: bytes[lineStart..<end], as: UTF8.self)))
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.count {
            lines.append(
                RawLine(
                    range: lineStart..<bytes.count, fullEnd: bytes.count,
                    text: String(decoding: bytes[lineStart..<bytes.count], as: UTF8.self)))
        }
        return lines
    }

    /// Lines of the label: YAML's `AIGC:` key line and the indented lines under it; TOML's
    /// `AIGC = {…}` line, or its `[AIGC]` table up to the next table.
    static func labelBlock(in frontMatter: FrontMatter) -> Range<Int>? {
        if frontMatter.syntax == .toml { return TOMLLabel.block(in: frontMatter.lines.map(\.text)) }
        guard let start = frontMatter.lines.firstIndex(where: { $0.text.hasPrefix("AIGC:") }) else { return nil }
        var end = start + 1
        while end < frontMatter.lines.count {
            let text = frontMatter.lines[end].text
            guard text.first == " " || text.first == "\t" || text.trimmingWhitespace.isEmpty else { break }
            end += 1
        }
        return start..<end
    }

    static func parseBlock(_ lines: ArraySlice<Line>) -> Result<ParsedLabel, LabelParseError> {
        guard let first = lines.first else { return .failure(LabelParseError(message: "empty AIGC entry")) }
        let inline = first.text.dropFirst("AIGC:".count).trimmingWhitespace
        if !inline.isEmpty {
            return AIGCLabel.parse(unquote(inline))
        }
        var values: [AIGCLabel.Field: String] = [:]
        var unknown: [String] = []
        for line in lines.dropFirst() {
            let text = line.text.trimmingWhitespace
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            guard let colon = text.firstIndex(of: ":") else {
                return .failure(LabelParseError(message: "line \"\(text)\" under AIGC: is not key: value"))
            }
            let key = unquote(String(text[..<colon]).trimmingWhitespace)
            let value = unquote(String(text[text.index(after: colon)...]).trimmingWhitespace)
            if let field = AIGCLabel.Field(rawValue: key) { values[field] = value } else { unknown.append(key) }
        }
        return .success(
            ParsedLabel(label: AIGCLabel(values: values), form: .inner, unknownFields: unknown, nonStringFields: [], repeatedFields: []))
    }

    /// YAML scalar without its quotes: "double" (with \" and \\ escapes) or 'single' ('' escape).
    static func unquote(_ text: String) -> String {
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            var out = ""
            var escaping = false
            for character in text.dropFirst().dropLast() {
                if escaping {
                    out.append(character)
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else {
                    out.append(character)
                }
            }
            return out
        }
        if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") {
            return String(text.dropFirst().dropLast()).replacingAll("''", with: "'")
        }
        return text
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        let document: Document
        do { document = try Self.document(of: file) } catch {
            reading.damage.append(error)
            return reading
        }
        guard let frontMatter = document.frontMatter, let block = Self.labelBlock(in: frontMatter) else { return reading }
        let lines = frontMatter.lines[block]
        guard let first = lines.first, let last = lines.last else { return reading }
        let text = lines.map(\.text).joined(separator: "\n")
        reading.ownedRanges.append(first.range.lowerBound..<last.range.upperBound)
        let isTOML = frontMatter.syntax == .toml
        reading.sites.append(
            LabelSite(
                location: "\(isTOML ? "TOML" : "YAML") front matter AIGC (line \(block.lowerBound + 2))",
                offset: first.range.lowerBound,
                isCanonical: true,
                text: text,
                parsed: isTOML ? TOMLLabel.parse(lines.map(\.text)) : Self.parseBlock(lines)))
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let document = try Self.document(of: file)
        let newline = document.newline
        var entry = "AIGC:" + newline
        for field in AIGCLabel.Field.allCases {
            let value = (request.label[field] ?? "").replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
            entry += "  \(field.rawValue): \"\(value)\"" + newline
        }
        var plan = EditPlan()
        plan.copy(0..<document.bomLength)
        guard let frontMatter = document.frontMatter else {
            plan.insert(Array(("---" + newline + entry + "---" + newline).utf8))
            plan.copy(document.bomLength..<file.size)
            return plan
        }
        plan.copy(document.bomLength..<frontMatter.body.lowerBound)
        if frontMatter.syntax == .toml {
            // First in the front matter, where the inline table belongs to no [table].
            plan.insert(Array((TOMLLabel.line(for: request.label) + newline).utf8))
            if let block = Self.labelBlock(in: frontMatter) {
                let blockStart = frontMatter.lines[block.lowerBound].range.lowerBound
                let blockEnd =
                    block.upperBound < frontMatter.lines.count
                    ? frontMatter.lines[block.upperBound].range.lowerBound : frontMatter.body.upperBound
                plan.copy(frontMatter.body.lowerBound..<blockStart)
                plan.copy(blockEnd..<file.size)
            } else {
                plan.copy(frontMatter.body.lowerBound..<file.size)
            }
            return plan
        }
        var kept = frontMatter.body.lowerBound
        if let block = Self.labelBlock(in: frontMatter) {
            let blockStart = frontMatter.lines[block.lowerBound].range.lowerBound
            let blockEnd =
                block.upperBound < frontMatter.lines.count
                ? frontMatter.lines[block.upperBound].range.lowerBound : frontMatter.body.upperBound
            plan.copy(kept..<blockStart)
            kept = blockEnd
        }
        plan.copy(kept..<frontMatter.body.upperBound)
        plan.insert(Array(entry.utf8))
        plan.copy(frontMatter.body.upperBound..<file.size)
        return plan
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return splitting(on: target).joined(separator: replacement)
    }

    /// Foundation-free split on a literal separator.
    func splitting(on separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

extension MarkdownAdapter {
    /// Markdown has no signature: its names decide.
    static func recognises(head: [UInt8], path: String) -> Bool { Carrier.markdown.profile.hasExtension(of: path) }
}
