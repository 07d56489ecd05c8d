import CZlib

/// The central directory of a ZIP archive, read from the end of the file, and single
/// entries extracted on demand (stored or deflated), bounded in size.
struct ZipDirectory {
    struct Entry {
        var name: String
        var method: UInt16
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
        /// General-purpose flags (bit 0: encrypted).
        var flags: UInt16 = 0
        /// The MS-DOS modification time and date, as stored.
        var time: UInt16 = 0
        var date: UInt16 = 0
        /// The entry's central directory record, byte for byte.
        var centralRecord: [UInt8] = []
    }

    let file: FileSource
    let entries: [Entry]
    /// Where the central directory starts: the local entries end there.
    let directoryOffset: Int
    /// The archive comment at the end of the end-of-central-directory record.
    let comment: [UInt8]

    init(file: FileSource) throws(FormatError) {
        self.file = file
        // The end-of-central-directory record sits in the last 22 + 65,535 bytes.
        let tailLength = min(file.size, 22 + 65_535)
        let tail = try file.bytes(at: file.size - tailLength, count: tailLength)
        var index = tail.count - 22
        var found: Int?
        while index >= 0 {
            if tail[index] == 0x50, tail[index + 1] == 0x4B, tail[index + 2] == 0x05, tail[index + 3] == 0x06 {
                found = index
                break
            }
            index -= 1
        }
        guard let eocd = found else { throw FormatError(.truncated, at: file.size, "no ZIP end-of-central-directory record") }
        let count = Int(try tail.uint16LE(at: eocd + 10))
        let size = Int(try tail.uint32LE(at: eocd + 12))
        let offset = Int(try tail.uint32LE(at: eocd + 16))
        if offset == 0xFFFF_FFFF || count == 0xFFFF {
            throw FormatError(.unsupported, at: file.size - tailLength + eocd, "ZIP64 archives are not read yet")
        }
        guard offset + size <= file.size else {
            throw FormatError(.corrupt, at: file.size - tailLength + eocd, "ZIP central directory lies past the end")
        }
        let commentLength = Int(try tail.uint16LE(at: eocd + 20))
        comment = Array(tail[(eocd + 22)..<min(tail.count, eocd + 22 + commentLength)])
        directoryOffset = offset
        let directory = try file.bytes(at: offset, count: size)
        var entries: [Entry] = []
        var cursor = 0
        for _ in 0..<count {
            guard try directory.uint32LE(at: cursor) == 0x0201_4B50 else {
                throw FormatError(.corrupt, at: offset + cursor, "bad ZIP central directory entry")
            }
            let nameLength = Int(try directory.uint16LE(at: cursor + 28))
            let extraLength = Int(try directory.uint16LE(at: cursor + 30))
            let commentLength = Int(try directory.uint16LE(at: cursor + 32))
            let recordLength = 46 + nameLength + extraLength + commentLength
            try directory.requireBytes(cursor, recordLength)
            entries.append(
                Entry(
                    name: String(decoding: directory[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self),
                    method: try directory.uint16LE(at: cursor + 10),
                    compressedSize: Int(try directory.uint32LE(at: cursor + 20)),
                    uncompressedSize: Int(try directory.uint32LE(at: cursor + 24)),
                    localHeaderOffset: Int(try directory.uint32LE(at: cursor + 42)),
                    flags: try directory.uint16LE(at: cursor + 8), time: try directory.uint16LE(at: cursor + 12),
                    date: try directory.uint16LE(at: cursor + 14), centralRecord: Array(directory[cursor..<(cursor + recordLength)])))
            cursor += recordLength
        }
        self.entries = entries
    }

    /// The bytes of an entry's local header, data and data descriptor: up to the next entry's
    /// local header in file order, or the central directory.
    func extent(of entry: Entry) -> Range<Int> {
        let next = entries.lazy.map(\.localHeaderOffset).filter { $0 > entry.localHeaderOffset }.min() ?? directoryOffset
        return entry.localHeaderOffset..<max(entry.localHeaderOffset, min(next, directoryOffset))
    }

    /// An entry's contents, refused above `limit` bytes.
    func contents(of entry: Entry, limit: Int) throws(FormatError) -> [UInt8] {
        let local = try file.bytes(at: entry.localHeaderOffset, count: 30)
        guard try local.uint32LE(at: 0) == 0x0403_4B50 else {
            throw FormatError(.corrupt, at: entry.localHeaderOffset, "bad ZIP local header for \(entry.name)")
        }
        let dataStart = entry.localHeaderOffset + 30 + Int(try local.uint16LE(at: 26)) + Int(try local.uint16LE(at: 28))
        let data = try file.bytes(at: dataStart, count: entry.compressedSize)
        switch entry.method {
        case 0:
            return data
        case 8:
            guard entry.uncompressedSize <= limit else { throw FormatError(.tooLarge, at: dataStart, "\(entry.name) is too large") }
            return try Inflate.decompress(data[...], limit: limit, at: dataStart, raw: true)
        default:
            throw FormatError(.unsupported, at: entry.localHeaderOffset, "\(entry.name) uses ZIP compression method \(entry.method)")
        }
    }
}
