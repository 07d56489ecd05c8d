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
            throw .refused(path: path, reason: "it is neither UTF-8 nor GB18030 text, so a notice cannot be written in its encoding")
        }
        guard let notice = encoding.encode(wording.text) else {
            throw .refused(path: path, reason: "the notice \"\(wording)\" cannot be written in \(encoding.rawValue)")
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

    /// The notices found at the start and end: `head` is the first window of the file, `tail`
    /// the last (nil when the file fits in `head`, so no line counts as both start and end).
    static func find(head: [UInt8], tail: [UInt8]?) -> [(position: PromptPosition, line: String)] {
        guard let encoding = TextEncoding.detect(head + (tail ?? [])) ?? TextEncoding.detect(head) else { return [] }
        func nonEmptyLines(_ bytes: [UInt8]) -> [Substring] {
            encoding.decode(bytes).split(whereSeparator: \.isNewline).filter { !$0.trimmingWhitespace.isEmpty }
        }
        let headLines = nonEmptyLines(head)
        let body = skippingFrontMatter(headLines)
        var found: [(PromptPosition, String)] = []
        let startIndex = body.prefix(lines).firstIndex { PromptWording.qualifies($0) }
        if let startIndex { found.append((.start, String(body[startIndex]).trimmingWhitespace)) }
        if let tail {
            if let line = nonEmptyLines(tail).suffix(lines).last(where: { PromptWording.qualifies($0) }) {
                found.append((.end, String(line).trimmingWhitespace))
            }
        } else if let endIndex = body.suffix(lines).lastIndex(where: { PromptWording.qualifies($0) }), endIndex != startIndex {
            found.append((.end, String(body[endIndex]).trimmingWhitespace))
        }
        return found
    }

    /// Lines after a leading `---` … `---` block, if there is one.
    private static func skippingFrontMatter(_ lines: [Substring]) -> ArraySlice<Substring> {
        guard lines.first?.trimmingWhitespace.hasSuffix("---") == true,
            let close = lines.dropFirst().firstIndex(where: { $0.trimmingWhitespace == "---" || $0.trimmingWhitespace == "..." })
        else { return lines[...] }
        return lines[(close + 1)...]
    }
}
