/// DOCX, XLSX and PPTX: the label is the custom document property `AIGC` (`vt:lpwstr`) in
/// `docProps/custom.xml`. Only the ZIP directory and that one part are read; writing is in
/// `OfficeAdapter+Writing.swift`.
struct OfficeAdapter: CarrierAdapter {
    var carrier: Carrier { .office }

    static let customPart = "docProps/custom.xml"

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        do throws(FormatError) {
            let zip = try ZipDirectory(file: file)
            guard zip.entries.contains(where: { $0.name == "[Content_Types].xml" }) else {
                throw FormatError(.corrupt, at: 0, "a ZIP archive without [Content_Types].xml is not an Office document")
            }
            // Every entry of that name: a ZIP may hold two, and readers differ on which they take
            // (Python's zipfile the last), so each copy's label counts for the duplicate checks.
            let parts = zip.entries.filter { $0.name == Self.customPart }
            for (index, part) in parts.enumerated() {
                let xml = try zip.contents(of: part, limit: 16 << 20)
                let copy = parts.count > 1 ? " (entry \(index + 1) of \(parts.count))" : ""
                for value in Self.propertyValues(named: "AIGC", in: String(decoding: xml, as: UTF8.self)) {
                    reading.sites.append(
                        LabelSite(
                            location: "\(Self.customPart) property AIGC\(copy)", offset: part.localHeaderOffset, isCanonical: true,
                            text: value))
                }
            }
            // A signature binds every other part: the label owns its part's entry, and the
            // central directory and end record, which list where the entries lie.
            if !reading.sites.isEmpty {
                reading.ownedRanges = parts.map(zip.extent(of:)) + [zip.directoryOffset..<file.size]
            }
        } catch {
            if error.kind == .corrupt && error.offset == 0 { throw error }
            reading.damage.append(error)
        }
        return reading
    }

    /// Values of `<property name="NAME">` elements: the text of their single `vt:*` child.
    static func propertyValues(named name: String, in xml: String) -> [String] {
        var values: [String] = []
        var rest = Substring(xml)
        while let open = rest.firstRange(of: "<property") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = rest[open.upperBound..<tagEnd]
            rest = rest[rest.index(after: tagEnd)...]
            guard tag.contains("name=\"\(name)\"") || tag.contains("name='\(name)'"),
                let close = rest.firstRange(of: "</property>")
            else { continue }
            let body = rest[..<close.lowerBound]
            if let child = body.firstRange(of: "<vt:"), let valueStart = body[child.upperBound...].firstIndex(of: ">"),
                let valueEnd = body[valueStart...].firstRange(of: "</vt:")
            {
                values.append(XMPPacket.unescape(String(body[body.index(after: valueStart)..<valueEnd.lowerBound])).trimmingWhitespace)
            }
            rest = rest[close.upperBound...]
        }
        return values
    }
}

extension OfficeAdapter {
    /// A ZIP local header under an Office Open XML name.
    static func recognises(head: [UInt8], path: String) -> Bool {
        head.starts(with: [0x50, 0x4B, 0x03, 0x04]) && Carrier.office.profile.hasExtension(of: path)
    }
}
