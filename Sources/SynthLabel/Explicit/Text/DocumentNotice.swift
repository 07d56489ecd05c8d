/// The explicit label of a Word document: a paragraph holding the notice at the start and/or the
/// end of the body, as GB 45438 §5 asks of text. Only `word/document.xml` changes; the archive is
/// rebuilt as for the metadata label (`OfficeAdapter.rebuild`), every other part copied as it was.
/// Presentations and workbooks have no body text to put it in, so they get none.
enum DocumentNotice {
    static let documentPart = "word/document.xml"
    /// How many non-empty paragraphs at each end count as "at the start" or "at the end".
    static let paragraphs = 3

    /// The notices found among the first and last non-empty paragraphs; nil when the file is not a
    /// Word document (no `word/document.xml`).
    static func find(in file: FileSource) throws(FormatError) -> [(position: PromptPosition, line: String)]? {
        guard let xml = try documentXML(of: ZipDirectory(file: file)) else { return nil }
        let texts = paragraphTexts(in: xml).filter { !$0.isEmpty }
        var found: [(PromptPosition, String)] = []
        let start = texts.prefix(paragraphs).firstIndex(where: PromptWording.qualifies)
        if let start { found.append((.start, texts[start])) }
        // One paragraph in a short document is at the start, not at both ends.
        if let end = texts.suffix(paragraphs).lastIndex(where: PromptWording.qualifies), end != start {
            found.append((.end, texts[end]))
        }
        return found
    }

    /// The document with the notice paragraph added; nil when it is not a Word document.
    static func insert(_ wording: PromptWording, at position: PromptPosition, into file: FileSource, path: String) throws(SynthLabelError)
        -> FileSource?
    {
        do throws(FormatError) {
            let zip = try ZipDirectory(file: file)
            guard var xml = try documentXML(of: zip) else { return nil }
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
            let plan = try OfficeAdapter.rebuild(zip, replacing: [documentPart: Array(xml.utf8)])
            return FileSource(plan: plan, over: file)
        } catch {
            throw SynthLabelError(error, path: path)
        }
    }

    private static func documentXML(of zip: ZipDirectory) throws(FormatError) -> String? {
        guard let entry = zip.entries.first(where: { $0.name == documentPart }) else { return nil }
        return String(decoding: try zip.contents(of: entry, limit: 64 << 20), as: UTF8.self)
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
