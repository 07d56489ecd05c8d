/// The explicit label of a Word document: a paragraph holding the notice at the start and/or the
/// end of the body, as GB 45438 §5 asks of text. Only `word/document.xml` changes; the archive is
/// rebuilt as for the metadata label (`OfficeAdapter.rebuild`), every other part copied as it was.
/// Presentations and workbooks have no body text to put it in, so they get none.
struct DocumentNotice {
    static let documentPart = "word/document.xml"
    /// How many non-empty paragraphs at each end count as "at the start" or "at the end".
    static let paragraphs = 3

    /// The archive and its document part, read once for both finding and inserting.
    private let zip: ZipDirectory
    private let xml: String

    /// The Word document in `file`; nil when it has no `word/document.xml` (a presentation or a
    /// workbook).
    init?(_ file: FileSource) throws(FormatError) {
        zip = try ZipDirectory(file: file)
        guard let entry = zip.entries.first(where: { $0.name == Self.documentPart }) else { return nil }
        xml = String(decoding: try zip.contents(of: entry, limit: 64 << 20), as: UTF8.self)
    }

    /// The notices among the first and last non-empty paragraphs.
    var notices: [(position: PromptPosition, line: String)] {
        let texts = Self.paragraphTexts(in: xml).filter { !$0.isEmpty }
        var found: [(PromptPosition, String)] = []
        let start = texts.prefix(Self.paragraphs).firstIndex(where: PromptWording.qualifies)
        if let start { found.append((.start, texts[start])) }
        // One paragraph in a short document is at the start, not at both ends.
        if let end = texts.suffix(Self.paragraphs).lastIndex(where: PromptWording.qualifies), end != start {
            found.append((.end, texts[end]))
        }
        return found
    }

    /// The document with the notice paragraph added, as a plan over the original file.
    func inserting(_ wording: PromptWording, at position: PromptPosition) throws(FormatError) -> EditPlan {
        var xml = xml
        guard xml.contains("xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"") else {
            throw FormatError(.unsupported, "word/document.xml does not bind the prefix w to WordprocessingML")
        }
        let paragraph = "<w:p><w:r><w:t>\(XMPPacket.escape(wording.text))</w:t></w:r></w:p>"
        guard let bodyOpen = xml.range(of: "<w:body>"), let bodyClose = xml.range(of: "</w:body>", options: .backwards) else {
            throw FormatError(.unsupported, "word/document.xml has no <w:body> to put the notice in")
        }
        if position.includesEnd {
            // Before the body's closing section properties, which must stay last.
            let body = xml[bodyOpen.upperBound..<bodyClose.lowerBound]
            let end = body.range(of: "<w:sectPr", options: .backwards).map(\.lowerBound) ?? bodyClose.lowerBound
            xml.insert(contentsOf: paragraph, at: end)
        }
        if position.includesStart, let open = xml.range(of: "<w:body>") { xml.insert(contentsOf: paragraph, at: open.upperBound) }
        return try OfficeAdapter.rebuild(zip, replacing: [Self.documentPart: Array(xml.utf8)])
    }

    /// Each `<w:p>`'s text: its `<w:t>` runs joined, entities decoded.
    static func paragraphTexts(in xml: String) -> [String] {
        var texts: [String] = []
        var rest = Substring(xml)
        while let open = rest.firstRange(of: "<w:p"), rest.index(open.upperBound, offsetBy: 1, limitedBy: rest.endIndex) != nil {
            let next = rest[open.upperBound]
            guard next == ">" || next == " " else {
                rest = rest[open.upperBound...]
                continue
            }
            guard let close = rest[open.upperBound...].firstRange(of: "</w:p>") else { break }
            var text = ""
            var inner = rest[open.upperBound..<close.lowerBound]
            while let run = inner.firstRange(of: "<w:t") {
                guard let tagEnd = inner[run.upperBound...].firstIndex(of: ">") else { break }
                let isText = inner[run.upperBound] == ">" || inner[run.upperBound] == " "
                let valueStart = inner.index(after: tagEnd)
                guard isText, inner[inner.index(before: tagEnd)] != "/", let end = inner[valueStart...].firstRange(of: "</w:t>") else {
                    inner = inner[valueStart...]
                    continue
                }
                text += XMPPacket.unescape(String(inner[valueStart..<end.lowerBound]))
                inner = inner[end.upperBound...]
            }
            texts.append(text.trimmingWhitespace)
            rest = rest[close.upperBound...]
        }
        return texts
    }
}
