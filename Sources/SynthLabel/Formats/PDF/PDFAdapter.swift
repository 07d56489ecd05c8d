/// PDF: the label is the `/AIGC` entry of the document Info dictionary.
///
/// Only the cross-reference data at the end of the file and the Info object are read:
/// classic `xref` tables and (FlateDecode, PNG-predictor) cross-reference streams, following
/// `/Prev` to older sections, and object streams when the Info dictionary is kept in one.
/// Labelling appends an incremental update (PDF 32000-1 §7.5.6): a new revision of the Info
/// object and a cross-reference section of the same kind as the newest, so every byte of the
/// original stays where it was (`PDFAdapter+Writing.swift`).
struct PDFAdapter: CarrierAdapter {
    var carrier: Carrier { .pdf }

    /// Largest object or cross-reference section read.
    static let sectionLimit = 8 << 20

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        guard try file.bytes(upTo: 5, at: 0) == Array("%PDF-".utf8) else { throw FormatError(.corrupt, at: 0, "not a PDF header") }
        var reading = CarrierReading()
        do throws(FormatError) {
            let document = try revision(of: file)
            guard let info = document.info else { return reading }
            guard let dictionary = info.dictionary, let offset = info.offset else {
                reading.unread.append(
                    "the Info dictionary (object \(info.number)) is in an object stream which the cross-reference data does not locate")
                return reading
            }
            if let text = dictionary["AIGC"]?.text {
                reading.sites.append(
                    LabelSite(
                        location: "PDF Info dictionary /AIGC (object \(info.number))", offset: offset, isCanonical: true,
                        text: text.trimmingWhitespace))
                if let start = Self.labelUpdatesStart(document, infoNumber: info.number) { reading.ownedRanges = [start..<file.size] }
            }
        } catch {
            reading.damage.append(error)
        }
        return reading
    }

    /// Where the label's own revisions begin: the updates at the end of the file that hold
    /// nothing but the Info object (and a cross-reference stream's own entry), as labelling
    /// appends them. A signature binds everything before; nil when the newest update holds more.
    static func labelUpdatesStart(_ revision: Revision, infoNumber: Int) -> Int? {
        var start: Int?
        for section in revision.sections {
            var infoOffset: Int?
            for (number, entry) in section.entries {
                guard case .offset(let at) = entry else { return start }
                if number == infoNumber, at < section.offset {
                    infoOffset = at
                } else if at != section.offset {
                    return start  // another object changed in this update: not the label's alone
                }
            }
            guard let infoOffset, start.map({ section.offset < $0 }) ?? true else { return start }
            start = infoOffset
        }
        return start
    }

    /// The newest revision as far as the label goes: its cross-reference section and trailer,
    /// and the Info object.
    struct Revision {
        /// Where the newest cross-reference section starts (`startxref`).
        var start: Int
        /// The newest section: its trailer (the xref stream's dictionary) holds `/Root` and `/Size`.
        var newest: Section
        /// Every section read, newest first.
        var sections: [Section] = []
        var info: Info?

        struct Info {
            var number: Int
            var generation: Int
            /// Nil when it sits in an object stream the cross-reference data does not locate.
            var dictionary: PDFValue?
            /// The object's offset, or its object stream's.
            var offset: Int?
        }
    }

    func revision(of file: FileSource) throws(FormatError) -> Revision {
        let (start, number, generation, entry, sections) = try infoObject(in: file)
        guard let newest = sections.first else { throw FormatError(.corrupt, at: start, "no cross-reference section") }
        var revision = Revision(start: start, newest: newest, sections: sections)
        guard let number, let entry else { return revision }
        switch entry {
        case .offset(let position):
            revision.info = .init(number: number, generation: generation, dictionary: try object(at: position, in: file), offset: position)
        case .compressed(let stream, let index):
            let position = sections.lazy.compactMap { section -> Int? in
                if case .offset(let at)? = section.entries[stream] { return at }
                return nil
            }.first
            revision.info = .init(
                number: number, generation: generation,
                dictionary: try position.map { (at) throws(FormatError) in try compressedObject(index: index, inStreamAt: at, in: file) },
                offset: position)
        }
        return revision
    }

    /// Where the newest section starts, the Info object's number, generation and entry (nil
    /// when there is none), and the sections read, newest first.
    private func infoObject(in file: FileSource) throws(FormatError) -> (Int, Int?, Int, Entry?, [Section]) {
        let tailLength = min(file.size, 2048)
        let tail = try file.bytes(at: file.size - tailLength, count: tailLength)
        guard let mark = tail.lastIndex(of: Array("startxref".utf8)) else {
            throw FormatError(.truncated, at: file.size, "no startxref: the PDF is cut short")
        }
        var parser = PDFObjectParser(tail, base: file.size - tailLength, at: mark + 9)
        guard let start = try parser.value().integer else { throw parser.fail("startxref is not a number") }
        var sectionOffset: Int? = start
        var infoNumber: Int?
        var infoGeneration = 0
        var visited: Set<Int> = []
        var sections: [Section] = []
        // Newest section first; an object's newest entry wins.
        while let offset = sectionOffset, visited.insert(offset).inserted, visited.count <= 64 {
            let section = try crossReference(at: offset, in: file)
            sections.append(section)
            if infoNumber == nil, case .reference(let number, let generation)? = section.trailer["Info"] {
                infoNumber = number
                infoGeneration = generation
            }
            sectionOffset = section.trailer["Prev"]?.integer
        }
        if let number = infoNumber, let entry = sections.lazy.compactMap({ $0.entries[number] }).first {
            return (start, number, infoGeneration, entry, sections)
        }
        if let number = infoNumber {
            throw FormatError(.corrupt, at: start, "the Info object \(number) is missing from the cross-reference data")
        }
        return (start, nil, 0, nil, sections)
    }

    /// Where an object is: at a file offset, or the `index`-th object of an object stream.
    enum Entry {
        case offset(Int)
        case compressed(stream: Int, index: Int)
    }

    struct Section {
        /// Where the section starts in the file.
        var offset = 0
        var trailer: PDFValue
        var entries: [Int: Entry]
        /// A cross-reference stream (PDF 1.5) rather than a classic table.
        var isStream = false
    }

    private func crossReference(at offset: Int, in file: FileSource) throws(FormatError) -> Section {
        guard offset >= 0, offset < file.size else { throw FormatError(.corrupt, at: offset, "startxref points outside the file") }
        let bytes = try file.bytes(upTo: Self.sectionLimit, at: offset)
        var section = bytes.starts(with: "xref") ? try table(bytes, base: offset) : try stream(bytes, base: offset, in: file)
        section.offset = offset
        return section
    }

    /// A classic table: subsections of 20-byte entries, then `trailer << … >>`.
    private func table(_ bytes: [UInt8], base: Int) throws(FormatError) -> Section {
        var parser = PDFObjectParser(bytes, base: base, at: 4)
        var entries: [Int: Entry] = [:]
        while true {
            parser.skipWhitespace()
            let word = parser.word()
            if word == "trailer" { break }
            guard let first = Int(word) else { throw parser.fail("bad xref subsection header '\(word)'") }
            parser.skipWhitespace()
            guard let count = Int(parser.word()), count >= 0, count <= bytes.count / 18 else {
                throw parser.fail("bad xref subsection count")
            }
            for number in first..<first + count {
                parser.skipWhitespace()
                guard let position = Int(parser.word()) else { throw parser.fail("bad xref entry") }
                parser.skipWhitespace()
                _ = parser.word()
                parser.skipWhitespace()
                let kind = parser.word()
                if kind == "n" && entries[number] == nil { entries[number] = .offset(position) }
            }
        }
        return Section(trailer: try parser.value(), entries: entries)
    }

    /// A cross-reference stream object (PDF 1.5).
    private func stream(_ bytes: [UInt8], base: Int, in file: FileSource) throws(FormatError) -> Section {
        var parser = PDFObjectParser(bytes, base: base)
        _ = try parser.value()  // object number
        _ = try parser.value()  // generation
        guard case .keyword("obj") = try parser.value() else { throw parser.fail("startxref does not point at xref or an object") }
        let dictionary = try parser.value()
        guard case .name("XRef")? = dictionary["Type"] else { throw parser.fail("startxref object is not a cross-reference stream") }
        let data = try streamData(dictionary, parser: &parser)
        guard case .array(let widthValues)? = dictionary["W"], widthValues.count == 3 else { throw parser.fail("xref stream without /W") }
        let widths = widthValues.map { $0.integer ?? -1 }
        guard widths.allSatisfy({ (0...8).contains($0) }) else { throw parser.fail("bad /W in xref stream") }
        var ranges: [(Int, Int)] = []
        if case .array(let index)? = dictionary["Index"] {
            for pair in stride(from: 0, to: index.count - 1, by: 2) {
                if let first = index[pair].integer, let count = index[pair + 1].integer { ranges.append((first, count)) }
            }
        } else if let size = dictionary["Size"]?.integer {
            ranges = [(0, size)]
        }
        let rowLength = widths.reduce(0, +)
        guard rowLength > 0 else { throw parser.fail("empty xref rows") }
        var entries: [Int: Entry] = [:]
        var row = 0
        for (first, count) in ranges {
            for number in first..<first + max(0, count) {
                let start = row * rowLength
                guard start + rowLength <= data.count else { break }
                func field(_ which: Int) -> Int {
                    let offset = start + widths[0..<which].reduce(0, +)
                    return data[offset..<offset + widths[which]].reduce(0) { $0 << 8 | Int($1) }
                }
                let type = widths[0] == 0 ? 1 : field(0)
                if entries[number] == nil {
                    if type == 1 { entries[number] = .offset(field(1)) }
                    if type == 2 { entries[number] = .compressed(stream: field(1), index: field(2)) }
                }
                row += 1
            }
        }
        return Section(trailer: dictionary, entries: entries, isStream: true)
    }

    /// A stream's decoded bytes: FlateDecode with an optional PNG predictor, or none.
    private func streamData(_ dictionary: PDFValue, parser: inout PDFObjectParser) throws(FormatError) -> [UInt8] {
        parser.skipWhitespace()
        guard parser.word() == "stream" else { throw parser.fail("expected stream") }
        if parser.index < parser.bytes.count, parser.bytes[parser.index] == 0x0D { parser.index += 1 }
        if parser.index < parser.bytes.count, parser.bytes[parser.index] == 0x0A { parser.index += 1 }
        guard let length = dictionary["Length"]?.integer, length >= 0, parser.index + length <= parser.bytes.count else {
            throw parser.fail("stream /Length missing or past the data")
        }
        var data = Array(parser.bytes[parser.index..<parser.index + length])
        switch dictionary["Filter"] {
        case nil: break
        case .name("FlateDecode")?: data = try Inflate.decompress(data[...], limit: Self.sectionLimit, at: parser.base + parser.index)
        default: throw FormatError(.unsupported, at: parser.base + parser.index, "PDF xref stream filter is not FlateDecode")
        }
        if let parameters = dictionary["DecodeParms"], let predictor = parameters["Predictor"]?.integer, predictor >= 10 {
            let columns = parameters["Columns"]?.integer ?? 1
            data = try Self.unpredict(data, columns: columns, at: parser.base)
        }
        return data
    }

    /// Undoes PNG row prediction (each row: a filter byte, then `columns` bytes).
    static func unpredict(_ data: [UInt8], columns: Int, at offset: Int) throws(FormatError) -> [UInt8] {
        guard columns > 0, columns < 1 << 16 else { throw FormatError(.corrupt, at: offset, "bad predictor /Columns") }
        var out: [UInt8] = []
        var previous = [UInt8](repeating: 0, count: columns)
        var index = 0
        while index + columns + 1 <= data.count {
            let filter = data[index]
            var row = Array(data[(index + 1)...(index + columns)])
            for column in 0..<columns {
                let left = column > 0 ? row[column - 1] : 0
                let up = previous[column]
                let upLeft = column > 0 ? previous[column - 1] : 0
                switch filter {
                case 0: break
                case 1: row[column] &+= left
                case 2: row[column] &+= up
                case 3: row[column] &+= UInt8((Int(left) + Int(up)) / 2)
                case 4:
                    let estimate = Int(left) + Int(up) - Int(upLeft)
                    let (a, b, c) = (abs(estimate - Int(left)), abs(estimate - Int(up)), abs(estimate - Int(upLeft)))
                    row[column] &+= a <= b && a <= c ? left : b <= c ? up : upLeft
                default: throw FormatError(.corrupt, at: offset, "unknown PNG predictor \(filter)")
                }
            }
            out += row
            previous = row
            index += columns + 1
        }
        return out
    }

    /// The `index`-th object of the object stream at `offset` (`/Type /ObjStm`).
    private func compressedObject(index: Int, inStreamAt offset: Int, in file: FileSource) throws(FormatError) -> PDFValue {
        let bytes = try file.bytes(upTo: Self.sectionLimit, at: offset)
        var parser = PDFObjectParser(bytes, base: offset)
        _ = try parser.value()
        _ = try parser.value()
        guard case .keyword("obj") = try parser.value() else { throw parser.fail("object stream entry does not point at an object") }
        let dictionary = try parser.value()
        guard case .name("ObjStm")? = dictionary["Type"], let count = dictionary["N"]?.integer, let first = dictionary["First"]?.integer,
            index >= 0, index < count
        else { throw parser.fail("not a usable object stream") }
        let data = try streamData(dictionary, parser: &parser)
        var header = PDFObjectParser(data, base: offset)
        var objectOffset = 0
        for position in 0...index {
            _ = try header.value()  // object number
            guard let at = try header.value().integer else { throw header.fail("bad object stream header") }
            if position == index { objectOffset = at }
        }
        guard first + objectOffset < data.count else { throw header.fail("object stream offset past its data") }
        var objectParser = PDFObjectParser(data, base: offset, at: first + objectOffset)
        return try objectParser.value()
    }

    /// The dictionary of the object at `offset` (`N G obj << … >>`).
    private func object(at offset: Int, in file: FileSource) throws(FormatError) -> PDFValue {
        guard offset >= 0, offset < file.size else { throw FormatError(.corrupt, at: offset, "xref points outside the file") }
        let bytes = try file.bytes(upTo: 1 << 20, at: offset)
        var parser = PDFObjectParser(bytes, base: offset)
        _ = try parser.value()
        _ = try parser.value()
        guard case .keyword("obj") = try parser.value() else { throw parser.fail("xref entry does not point at an object") }
        return try parser.value()
    }

}

extension PDFAdapter {
    /// The `%PDF-` header.
    static func recognises(head: [UInt8], path: String) -> Bool { head.starts(with: "%PDF-") }
}
