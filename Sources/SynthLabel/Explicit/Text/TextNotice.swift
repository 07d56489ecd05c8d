/// Where a prompt goes in text or audio: GB 45438 §5 allows the start, the end, or both.
public enum PromptPosition: String, Sendable, CaseIterable {
    case start, end, both

    var includesStart: Bool { self != .end }
    /// "at the start", for messages.
    var phrase: String { self == .both ? "at the start and the end" : "at the \(rawValue)" }
    var includesEnd: Bool { self != .start }
}

/// The explicit label of text: a notice line at the start and/or the end.
///
/// Written in the file's own encoding (UTF-8 or GB18030) with its own line endings; in
/// Markdown the start notice goes after the front matter, so the front matter stays first.
enum TextNotice {
    /// How much text at each end `verify` reads for a notice.
    static let window = 4096
    /// How many non-empty lines at each end count as "at the start" or "at the end".
    static let lines = 3

    static func insert(
        _ wording: PromptWording, at position: PromptPosition, into bytes: [UInt8], bodyStart: Int, path: String
    ) throws(SynthLabelError) -> [UInt8] {
        guard let encoding = TextEncoding.detect(bytes) else {
            throw .unknownTextEncoding(path: path)
        }
        guard let notice = encoding.encode(wording.text) else {
            throw .noticeNotEncodable(path: path, notice: wording.text, encoding: encoding.rawValue)
        }
        let newline: [UInt8] = bytes.firstIndex(of: 0x0A).map { $0 > 0 && bytes[$0 - 1] == 0x0D } == true ? [0x0D, 0x0A] : [0x0A]
        var output = Array(bytes[0..<bodyStart])
        if position.includesStart { output += notice + newline + newline }
        output += bytes[bodyStart...]
        if position.includesEnd {
            if !output.isEmpty && output.last != 0x0A { output += newline }
            output += newline + notice + newline
        }
        return output
    }

    /// A notice is one short line; longer lines are looked at only this far.
    static let lineLimit = 1024

    /// The notices found at the start and end: `head` is the first window of the file, `tail`
    /// the last (nil when the file fits in `head`, so no line counts as both start and end).
    ///
    /// Lines are split on bytes (LF never occurs inside a UTF-8 or GB18030 character) and only
    /// the few candidate lines are decoded: scan reads every Markdown file this way, and
    /// segmenting 8 KiB into characters would cost more than the rest of the check.
    static func find(head: [UInt8], tail: [UInt8]?) -> [(position: PromptPosition, line: String)] {
        let headLines = nonEmptyLines(head)
        let body = skippingFrontMatter(headLines)
        var found: [(PromptPosition, String)] = []
        let startIndex = body.prefix(lines).firstIndex { qualifyingText($0) != nil }
        if let startIndex, let text = qualifyingText(body[startIndex]) { found.append((.start, text)) }
        let endCandidates = tail.map { nonEmptyLines($0).suffix(lines) } ?? body.suffix(lines)
        if let endIndex = endCandidates.lastIndex(where: { qualifyingText($0) != nil }), tail != nil || endIndex != startIndex,
            let text = qualifyingText(endCandidates[endIndex])
        {
            found.append((.end, text))
        }
        return found
    }

    /// The line as text when it holds a qualifying prompt.
    private static func qualifyingText(_ line: ArraySlice<UInt8>) -> String? {
        let bytes = Array(line.prefix(lineLimit))
        guard let encoding = TextEncoding.detect(bytes) else { return nil }
        let text = visible(encoding.decode(bytes)).trimmingWhitespace
        return PromptWording.qualifies(text) ? text : nil
    }

    /// The line as a reader sees it: without the marker and variation selectors of a hidden
    /// label (`InvisibleTextLabel`), or zero-width characters, which would otherwise be quoted
    /// into the finding as hundreds of invisible characters.
    static func visible(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: isInvisible) else { return line }
        return String(String.UnicodeScalarView(line.unicodeScalars.filter { !isInvisible($0) }))
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xFEFF, 0xFE00...0xFE0F, 0xE0100...0xE01EF, 0x200B...0x200D, 0x2060: true
        default: false
        }
    }

    /// The non-blank lines of `bytes` (LF-separated, CR dropped).
    private static func nonEmptyLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A).map { $0.last == 0x0D ? $0.dropLast() : $0 }.filter { line in
            line.contains { ![0x20, 0x09, 0x0D, 0x0C, 0x0B].contains($0) }
        }
    }

    /// Lines after a leading `---` … `---` block, if there is one.
    private static func skippingFrontMatter(_ lines: [ArraySlice<UInt8>]) -> ArraySlice<ArraySlice<UInt8>> {
        let fence = Array("---".utf8)
        func trimmed(_ line: ArraySlice<UInt8>) -> [UInt8] { Array(line.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()) }
        guard let first = lines.first, trimmed(first).suffix(3).elementsEqual(fence),
            let close = lines.dropFirst().firstIndex(where: { trimmed($0) == fence || trimmed($0) == Array("...".utf8) })
        else { return lines[...] }
        return lines[(close + 1)...]
    }
}
