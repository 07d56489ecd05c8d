/// Labelling an Office document: the archive is rebuilt with every entry's local header and
/// data copied byte for byte, in order, except the parts the label needs:
///
/// - `docProps/custom.xml` with the `AIGC` property (merged into the existing part, its other
///   properties kept; one new part otherwise, added last);
/// - for a new part only, `[Content_Types].xml` and `_rels/.rels` with the override and the
///   relationship that declare it, each changed by one inserted element.
///
/// Changed parts are written stored (uncompressed): valid in every ZIP reader, no encoder needed.
/// The central directory is rewritten for the new offsets; the archive comment is kept.
extension OfficeAdapter {
    static let contentTypesPart = "[Content_Types].xml"
    static let relationshipsPart = "_rels/.rels"
    static let customContentType = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    static let customRelationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let zip = try ZipDirectory(file: file)
        guard zip.entries.contains(where: { $0.name == Self.contentTypesPart }) else {
            throw FormatError(.corrupt, at: 0, "a ZIP archive without [Content_Types].xml is not an Office document")
        }
        func text(_ name: String) throws(FormatError) -> String? {
            guard let entry = zip.entries.first(where: { $0.name == name }) else { return nil }
            guard entry.flags & 1 == 0 else { throw FormatError(.unsupported, at: entry.localHeaderOffset, "\(name) is encrypted") }
            return String(decoding: try zip.contents(of: entry, limit: 16 << 20), as: UTF8.self)
        }

        var replacements: [String: [UInt8]] = [:]
        if let custom = try text(Self.customPart) {
            replacements[Self.customPart] = Array(try Self.merging(request.label.wrappedJSON, into: custom).utf8)
        } else {
            replacements[Self.customPart] = Array(Self.newCustomPart(Self.propertyElement(request.label.wrappedJSON, pid: 2)).utf8)
            let types = try text(Self.contentTypesPart) ?? ""
            if !types.contains("PartName=\"/\(Self.customPart)\"") {
                let override = "<Override PartName=\"/\(Self.customPart)\" ContentType=\"\(Self.customContentType)\"/>"
                replacements[Self.contentTypesPart] = Array(try Self.inserting(override, before: "</Types>", in: types).utf8)
            }
            let relationships = try text(Self.relationshipsPart)
            if relationships?.contains(Self.customRelationship) != true {
                let existing = relationships ?? ""
                var number = 1
                while existing.contains("Id=\"rId\(number)\"") { number += 1 }
                let relationship = "<Relationship Id=\"rId\(number)\" Type=\"\(Self.customRelationship)\" Target=\"docProps/custom.xml\"/>"
                replacements[Self.relationshipsPart] = Array(
                    try Self.inserting(
                        relationship, before: "</Relationships>",
                        in: relationships
                            ?? "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"></Relationships>"
                    ).utf8)
            }
        }
        return try Self.rebuild(zip, replacing: replacements)
    }

    /// The archive with `replacements` (name → new contents) in place of those entries, a name
    /// not there added at the end, every other entry copied as it was. The explicit notice of a
    /// Word document (`DocumentNotice`) rebuilds it the same way.
    static func rebuild(_ zip: ZipDirectory, replacing replacements: [String: [UInt8]]) throws(FormatError) -> EditPlan {
        let ordered = zip.entries.enumerated().sorted { $0.element.localHeaderOffset < $1.element.localHeaderOffset }
        var extents: [Int: Range<Int>] = [:]
        for (position, item) in ordered.enumerated() {
            let end = position + 1 < ordered.count ? ordered[position + 1].element.localHeaderOffset : zip.directoryOffset
            guard item.element.localHeaderOffset <= end else {
                throw FormatError(.corrupt, at: item.element.localHeaderOffset, "ZIP entries overlap")
            }
            extents[item.offset] = item.element.localHeaderOffset..<end
        }
        let stamp = zip.entries.first { $0.name == contentTypesPart }.map { ($0.time, $0.date) } ?? (0, 0x21)

        var plan = EditPlan()
        let firstLocal = ordered.first?.element.localHeaderOffset ?? zip.directoryOffset
        plan.copy(0..<firstLocal)  // whatever precedes the first entry (a self-extractor's stub)
        var position = firstLocal
        var directory: [UInt8] = []
        var count = 0
        var written: Set<String> = []
        // Local entries in their original order; the central directory follows the original's.
        var newOffsets: [Int: Int] = [:]
        for item in ordered {
            let entry = item.element
            guard let extent = extents[item.offset] else { continue }
            if let contents = replacements[entry.name] {
                // One copy of a replaced part: a second entry of the same name is dropped.
                guard written.insert(entry.name).inserted else { continue }
                newOffsets[item.offset] = position
                let local = localHeader(entry.name, contents, stamp: (entry.time, entry.date))
                plan.insert(local)
                position += local.count
            } else {
                newOffsets[item.offset] = position
                plan.copy(extent)
                position += extent.count
            }
        }
        for (index, entry) in zip.entries.enumerated() {
            guard let offset = newOffsets[index] else { continue }
            if let contents = replacements[entry.name] {
                directory += centralRecord(entry.name, contents, stamp: (entry.time, entry.date), offset: offset)
            } else {
                var record = entry.centralRecord
                record.setLE(UInt64(offset), width: 4, at: 42)
                directory += record
            }
            count += 1
        }
        for (name, contents) in replacements.sorted(by: { $0.key < $1.key }) where !zip.entries.contains(where: { $0.name == name }) {
            let local = localHeader(name, contents, stamp: stamp)
            directory += centralRecord(name, contents, stamp: stamp, offset: position)
            plan.insert(local)
            position += local.count
            count += 1
        }
        guard position + directory.count < Int(UInt32.max), count < 0xFFFF else {
            throw FormatError(.tooLarge, "the labelled archive would need ZIP64")
        }
        plan.insert(directory)
        plan.insert(
            littleEndian(
                (0x0605_4B50, 4), (0, 2), (0, 2), (count, 2), (count, 2), (directory.count, 4), (position, 4), (zip.comment.count, 2))
                + zip.comment)
        return plan
    }

    /// A stored entry's local header and data (UTF-8 name flag set).
    static func localHeader(_ name: String, _ contents: [UInt8], stamp: (UInt16, UInt16)) -> [UInt8] {
        let crc = CRC32.checksum(contents)
        return littleEndian(
            (0x0403_4B50, 4), (20, 2), (0x0800, 2), (0, 2), (Int(stamp.0), 2), (Int(stamp.1), 2), (Int(crc), 4), (contents.count, 4),
            (contents.count, 4), (name.utf8.count, 2), (0, 2)) + Array(name.utf8) + contents
    }

    static func centralRecord(_ name: String, _ contents: [UInt8], stamp: (UInt16, UInt16), offset: Int) -> [UInt8] {
        let crc = CRC32.checksum(contents)
        return littleEndian(
            (0x0201_4B50, 4), (20, 2), (20, 2), (0x0800, 2), (0, 2), (Int(stamp.0), 2), (Int(stamp.1), 2), (Int(crc), 4),
            (contents.count, 4), (contents.count, 4), (name.utf8.count, 2), (0, 2), (0, 2), (0, 2), (0, 2), (0, 4), (offset, 4))
            + Array(name.utf8)
    }

    // MARK: The custom properties part

    /// `<property>` for the label: the format ID every custom property uses, and `pid`.
    static func propertyElement(_ value: String, pid: Int) -> String {
        "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"\(pid)\" name=\"AIGC\"><vt:lpwstr>\(XMPPacket.escape(value))</vt:lpwstr></property>"
    }

    static func newCustomPart(_ property: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" "
            + "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\(property)</Properties>"
    }

    /// The part without its `AIGC` properties and with ours last, numbered after the highest pid.
    static func merging(_ value: String, into xml: String) throws(FormatError) -> String {
        var kept = ""
        var rest = Substring(xml)
        var highest = 1
        while let open = rest.firstRange(of: "<property") {
            guard let close = rest[open.upperBound...].firstRange(of: "</property>") else { break }
            let element = rest[open.lowerBound..<close.upperBound]
            let tag = element[..<(element.firstIndex(of: ">") ?? element.endIndex)]
            kept += rest[..<open.lowerBound]
            if tag.contains("name=\"AIGC\"") || tag.contains("name='AIGC'") {
                rest = rest[close.upperBound...]
                continue
            }
            if let pid = Self.attribute("pid", in: tag).flatMap(Int.init) { highest = max(highest, pid) }
            kept += element
            rest = rest[close.upperBound...]
        }
        kept += rest
        let namespace = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
        var property = propertyElement(value, pid: highest + 1)
        // The part's own prefix for the vt namespace, if it is not vt.
        if let prefix = Self.prefix(of: namespace, in: kept), prefix != "vt" {
            property = property.replacingOccurrences(of: "vt:", with: prefix + ":")
        } else if Self.prefix(of: namespace, in: kept) == nil {
            property = property.replacingOccurrences(of: "<vt:lpwstr>", with: "<vt:lpwstr xmlns:vt=\"\(namespace)\">")
        }
        if kept.contains("</Properties>") { return try inserting(property, before: "</Properties>", in: kept) }
        // An empty root written as `<Properties … />`.
        guard let selfClosing = kept.range(of: "<Properties"), let end = kept[selfClosing.upperBound...].range(of: "/>") else {
            throw FormatError(.unsupported, "docProps/custom.xml has no Properties element to add to")
        }
        return kept.replacingCharacters(in: end, with: ">" + property + "</Properties>")
    }

    static func inserting(_ element: String, before closing: String, in xml: String) throws(FormatError) -> String {
        guard let range = xml.range(of: closing, options: .backwards) else {
            throw FormatError(.unsupported, "no \(closing) to add the label's entry before")
        }
        return xml.replacingCharacters(in: range.lowerBound..<range.lowerBound, with: element)
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        for quote in ["\"", "'"] {
            if let start = tag.range(of: " \(name)=\(quote)"), let end = tag[start.upperBound...].firstIndex(of: Character(quote)) {
                return String(tag[start.upperBound..<end])
            }
        }
        return nil
    }

    /// The prefix bound to `namespace` by an `xmlns:prefix=` declaration.
    private static func prefix(of namespace: String, in xml: String) -> String? {
        guard let declaration = xml.range(of: "=\"\(namespace)\"") ?? xml.range(of: "='\(namespace)'") else { return nil }
        let before = xml[..<declaration.lowerBound]
        guard let colon = before.range(of: "xmlns:", options: .backwards) else { return nil }
        return String(before[colon.upperBound...])
    }

    /// Fields written little-endian, each in its width in bytes: the ZIP records' layout.
    private static func littleEndian(_ fields: (value: Int, width: Int)...) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in fields { bytes.append(field.value, width: field.width, bigEndian: false) }
        return bytes
    }
}
