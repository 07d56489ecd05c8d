/// Reads TIFF image file directories: the structure of TIFF files and of the EXIF block in
/// JPEG APP1 segments. Every offset and count is checked against the window it lives in.
struct TIFFReader {
    struct Entry {
        var tag: UInt16
        var type: UInt16
        var count: Int
        /// Where the value lives, relative to the TIFF header.
        var valueOffset: Int
        /// The entry's own position, relative to the TIFF header.
        var entryOffset: Int

        var byteCount: Int? {
            let sizes: [UInt16: Int] = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4]
            guard let size = sizes[type], count <= Int(Int32.max) / size else { return nil }
            return size * count
        }
    }

    static let xmpTag: UInt16 = 700
    static let imageDescriptionTag: UInt16 = 270
    static let exifIFDTag: UInt16 = 0x8769
    static let userCommentTag: UInt16 = 0x9286

    let file: FileSource
    /// File offset of the TIFF header.
    let base: Int
    /// Bytes available after `base` (the segment length for EXIF, the file for TIFF).
    let length: Int
    let bigEndian: Bool

    init(file: FileSource, base: Int, length: Int) throws(FormatError) {
        self.file = file
        self.base = base
        self.length = length
        let header = try file.bytes(at: base, count: min(8, length))
        guard header.count == 8 else { throw FormatError(.truncated, at: base, "TIFF header cut off") }
        if header.starts(with: [0x49, 0x49]) {
            bigEndian = false
        } else if header.starts(with: [0x4D, 0x4D]) {
            bigEndian = true
        } else {
            throw FormatError(.corrupt, at: base, "not a TIFF byte-order mark")
        }
        let magic = bigEndian ? try header.uint16BE(at: 2) : try header.uint16LE(at: 2)
        if magic == 43 { throw FormatError(.unsupported, at: base, "BigTIFF is not read yet") }
        guard magic == 42 else { throw FormatError(.corrupt, at: base + 2, "TIFF magic is \(magic), not 42") }
    }

    private func uint16(_ bytes: [UInt8], _ index: Int) throws(FormatError) -> UInt16 {
        bigEndian ? try bytes.uint16BE(at: index) : try bytes.uint16LE(at: index)
    }

    private func uint32(_ bytes: [UInt8], _ index: Int) throws(FormatError) -> UInt32 {
        bigEndian ? try bytes.uint32BE(at: index) : try bytes.uint32LE(at: index)
    }

    /// Bytes at `offset` (relative to the header), refused when past the window.
    func read(_ offset: Int, _ count: Int) throws(FormatError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= length, count <= length - offset else {
            throw FormatError(.corrupt, at: base + max(0, offset), "TIFF offset \(offset) + \(count) bytes is outside its \(length) bytes")
        }
        return try file.bytes(at: base + offset, count: count)
    }

    func firstIFDOffset() throws(FormatError) -> Int {
        Int(try uint32(try read(4, 4), 0))
    }

    /// The entries of the directory at `offset`.
    func entries(at offset: Int) throws(FormatError) -> [Entry] {
        let count = Int(try uint16(try read(offset, 2), 0))
        let table = try read(offset + 2, count * 12)
        var entries: [Entry] = []
        for index in 0..<count {
            let at = index * 12
            var entry = Entry(
                tag: try uint16(table, at), type: try uint16(table, at + 2), count: Int(try uint32(table, at + 4)),
                valueOffset: offset + 2 + at + 8, entryOffset: offset + 2 + at)
            if let size = entry.byteCount, size > 4 { entry.valueOffset = Int(try uint32(table, at + 8)) }
            entries.append(entry)
        }
        return entries
    }

    /// An entry's value bytes.
    func value(of entry: Entry) throws(FormatError) -> [UInt8] {
        guard let size = entry.byteCount else {
            throw FormatError(.corrupt, at: base + entry.entryOffset, "TIFF tag \(entry.tag) has an unknown type or absurd count")
        }
        return try read(entry.valueOffset, size)
    }

    /// The offset stored in a pointer entry (such as the EXIF sub-directory).
    func pointer(of entry: Entry) throws(FormatError) -> Int {
        Int(try uint32(try read(entry.entryOffset + 8, 4), 0))
    }

    /// A UserComment value: an 8-byte character-code prefix, then the text.
    func userCommentText(_ value: [UInt8]) -> String {
        let code = value.prefix(8)
        let text = Array(value.dropFirst(8))
        if code.starts(with: Array("UNICODE".utf8)) {
            var units: [UInt16] = []
            var index = 0
            while index + 1 < text.count {
                units.append(
                    bigEndian ? UInt16(text[index]) << 8 | UInt16(text[index + 1]) : UInt16(text[index + 1]) << 8 | UInt16(text[index]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Label sites in IFD0 (XMP tag 700, ImageDescription) and the EXIF IFD (UserComment).
    /// `place` prefixes each location ("TIFF", "JPEG EXIF"); `xmpIsCanonical` says whether
    /// tag 700 is where the guide puts the label for this carrier.
    func labelSites(place: String, xmpIsCanonical: Bool) throws(FormatError) -> (sites: [LabelSite], xmp: [UInt8]?, blanks: [Range<Int>]) {
        var sites: [LabelSite] = []
        var xmp: [UInt8]?
        var blanks: [Range<Int>] = []
        let ifd0 = try entries(at: try firstIFDOffset())
        for entry in ifd0 {
            switch entry.tag {
            case Self.xmpTag:
                let packet = try value(of: entry)
                xmp = packet
                sites += XMPPacket.labelSites(in: packet, offset: base + entry.entryOffset, canonicalPlace: xmpIsCanonical) {
                    "\(place) IFD0 XMP (tag 700), \($0.rawValue) TC260:AIGC"
                }
            case Self.imageDescriptionTag:
                let text = String(decoding: try value(of: entry).prefix { $0 != 0 }, as: UTF8.self)
                if text.contains("AIGC") {
                    sites.append(
                        LabelSite(
                            location: "\(place) ImageDescription", offset: base + entry.entryOffset, isCanonical: false,
                            text: text.trimmingWhitespace))
                    blanks.append(base + entry.valueOffset..<base + entry.valueOffset + (entry.byteCount ?? 0))
                }
            case Self.exifIFDTag:
                for sub in try entries(at: try pointer(of: entry)) where sub.tag == Self.userCommentTag {
                    let text = userCommentText(try value(of: sub))
                    if text.contains("AIGC") {
                        sites.append(
                            LabelSite(
                                location: "\(place) UserComment", offset: base + sub.entryOffset, isCanonical: false,
                                text: text.trimmingWhitespace))
                        // The 8-byte character code stays; the text is blanked.
                        let start = base + sub.valueOffset + 8
                        blanks.append(start..<max(start, base + sub.valueOffset + (sub.byteCount ?? 8)))
                    }
                }
            default:
                continue
            }
        }
        return (sites, xmp, blanks)
    }
}
