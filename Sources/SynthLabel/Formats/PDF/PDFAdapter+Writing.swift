/// Labelling a PDF: an incremental update appended to the file. The original bytes are copied
/// whole; after them come a new revision of the Info dictionary (its other entries kept, `/AIGC`
/// set) and a cross-reference section of the newest section's kind, whose trailer points back
/// to it with `/Prev`. Readers take the newest revision, so the label is the document's, and the
/// earlier revisions stay readable as they were.
extension PDFAdapter {
    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        guard try file.bytes(upTo: 5, at: 0) == Array("%PDF-".utf8) else { throw FormatError(.corrupt, at: 0, "not a PDF header") }
        let revision = try revision(of: file)
        let trailer = revision.newest.trailer
        if trailer["Encrypt"] != nil {
            throw FormatError(
                .unsupported, at: revision.start, "an encrypted PDF: its Info strings are encrypted, and SynthLabel does not encrypt")
        }
        guard let root = trailer["Root"] else { throw FormatError(.corrupt, at: revision.start, "the trailer has no /Root") }
        guard let size = trailer["Size"]?.integer, size > 0, size < 1 << 23 else {
            throw FormatError(.corrupt, at: revision.start, "the trailer's /Size is missing or implausible")
        }

        var entries: [String: PDFValue] = [:]
        if let info = revision.info {
            guard case .dictionary(let existing)? = info.dictionary else {
                throw FormatError(
                    .unsupported, at: info.offset ?? revision.start, "the Info object \(info.number) is not a dictionary that can be read")
            }
            entries = existing
        }
        entries["AIGC"] = .string(Self.textString(request.label.wrappedJSON))
        let infoNumber = revision.info?.number ?? size
        let infoGeneration = revision.info?.generation ?? 0
        var newSize = max(size, infoNumber + 1)

        var update: [UInt8] = []
        if let last = try file.bytes(upTo: 1, at: file.size - 1).first, last != 0x0A, last != 0x0D { update.append(0x0A) }
        let infoOffset = file.size + update.count
        update += Array("\(infoNumber) \(infoGeneration) obj\n".utf8)
        update += try PDFValue.dictionary(entries).serialized()
        update += Array("\nendobj\n".utf8)
        let sectionOffset = file.size + update.count

        var carried: [String: PDFValue] = [
            "Root": root, "Info": .reference(infoNumber, infoGeneration), "Prev": .number(Double(revision.start)),
        ]
        if let identifier = trailer["ID"] { carried["ID"] = identifier }
        if revision.newest.isStream {
            // A file whose newest section is a stream is read by stream-aware readers: answer in kind.
            let streamNumber = newSize
            newSize += 1
            let offsetWidth = Self.byteWidth(of: sectionOffset)
            var rows: [(number: Int, offset: Int, generation: Int)] = [
                (infoNumber, infoOffset, infoGeneration), (streamNumber, sectionOffset, 0),
            ]
            rows.sort { $0.number < $1.number }
            var data: [UInt8] = []
            for row in rows {
                data.append(1)
                data.append(row.offset, width: offsetWidth, bigEndian: true)
                data.append(row.generation, width: 2, bigEndian: true)
            }
            var dictionary = carried
            dictionary["Type"] = .name("XRef")
            dictionary["Size"] = .number(Double(newSize))
            dictionary["W"] = .array([1, offsetWidth, 2].map { .number(Double($0)) })
            dictionary["Index"] = .array(rows.flatMap { [PDFValue.number(Double($0.number)), .number(1)] })
            dictionary["Length"] = .number(Double(data.count))
            update += Array("\(streamNumber) 0 obj\n".utf8)
            update += try PDFValue.dictionary(dictionary).serialized()
            update += Array("\nstream\n".utf8) + data + Array("\nendstream\nendobj\n".utf8)
        } else {
            var dictionary = carried
            dictionary["Size"] = .number(Double(newSize))
            // Each entry is exactly 20 bytes: ten-digit offset, five-digit generation, `n`, space, LF.
            update += Array("xref\n\(infoNumber) 1\n".utf8)
            update += Array(String(format: "%010d %05d n \n", infoOffset, infoGeneration).utf8)
            update += Array("trailer\n".utf8) + (try PDFValue.dictionary(dictionary).serialized()) + [0x0A]
        }
        update += Array("startxref\n\(sectionOffset)\n%%EOF\n".utf8)

        var plan = EditPlan()
        plan.copy(0..<file.size)
        plan.insert(update)
        return plan
    }

    /// The label as a PDF text string: its own bytes when ASCII (a label's values always are),
    /// else UTF-16BE after a byte-order mark.
    static func textString(_ text: String) -> [UInt8] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return Array(text.utf8) }
        return [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func byteWidth(of value: Int) -> Int {
        var width = 1
        while width < 8, value >> (8 * width) != 0 { width += 1 }
        return max(width, 4)
    }

}

extension PDFValue {
    /// The value as PDF syntax: dictionary keys sorted (so the same label gives the same bytes),
    /// strings as hex (no escaping to get wrong), names as they were read.
    func serialized() throws(FormatError) -> [UInt8] {
        switch self {
        case .dictionary(let entries):
            var out = Array("<<".utf8)
            for key in entries.keys.sorted() {
                out += try PDFValue.name(key).serialized() + [0x20]
                // Sorted keys, one value each: `entries[key]` is there.
                out += try (entries[key] ?? .keyword("null")).serialized() + [0x20]
            }
            return out + Array(">>".utf8)
        case .array(let items):
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x20) }
                out += try item.serialized()
            }
            return out + [UInt8(ascii: "]")]
        case .name(let name):
            // Names are kept as read (their #xx escapes included); one that was not UTF-8 was
            // changed by reading it and cannot be written back.
            guard !name.unicodeScalars.contains("\u{FFFD}") else {
                throw FormatError(.unsupported, "the Info dictionary holds a name that is not UTF-8")
            }
            return [UInt8(ascii: "/")] + Array(name.utf8)
        case .number(let value):
            if let integer = integer { return Array(String(integer).utf8) }
            guard value.isFinite else { throw FormatError(.corrupt, "a number in the Info dictionary is not finite") }
            var text = String(format: "%.10f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return Array(text.utf8)
        case .string(let bytes):
            let hex = Array("0123456789ABCDEF".utf8)
            return [UInt8(ascii: "<")] + bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] } + [UInt8(ascii: ">")]
        case .reference(let number, let generation):
            return Array("\(number) \(generation) R".utf8)
        case .keyword(let word):
            return Array(word.utf8)
        }
    }
}
