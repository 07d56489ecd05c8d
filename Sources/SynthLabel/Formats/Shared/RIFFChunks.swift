/// The chunks of a little-endian RIFF file (WAV, WebP, AVI), walked one way with one damage
/// rule: a RIFF size past the end of the file, a chunk whose data runs past it (the walk stops
/// there), or stray bytes after the last chunk make the file damaged; a missing pad byte after
/// the last chunk's data does not (many writers drop it), and is remembered so a rewrite adds it.
struct RIFFChunks {
    struct Chunk {
        var offset: Int
        var id: String
        var size: Int
        /// Data plus the pad byte, when the file has it.
        var end: Int
        var padMissing: Bool
        var dataRange: Range<Int> { offset + 8..<offset + 8 + size }
    }

    var chunks: [Chunk]
    /// Where the RIFF list ends: its size as stated, but within the file and past every chunk.
    var riffEnd: Int
    var damage: [FormatError]

    /// Walks `file`, which must be a `RIFF` file of `form` (`WAVE`, `WEBP`, `AVI `).
    init(_ file: FileSource, form: String) throws(FormatError) {
        let header = try file.bytes(upTo: 12, at: 0)
        guard header.count == 12, header.starts(with: "RIFF"), Array(header[8..<12]) == Array(form.utf8) else {
            throw FormatError(.corrupt, at: 0, "not a RIFF \(form.filter { $0 != " " }) file")
        }
        var damage: [FormatError] = []
        var riffEnd = 8 + Int(try header.uint32LE(at: 4))
        if riffEnd > file.size {
            damage.append(FormatError(.truncated, at: 4, "RIFF size says \(riffEnd) bytes, the file has \(file.size)"))
            riffEnd = file.size
        }
        var chunks: [Chunk] = []
        var offset = 12
        while offset + 8 <= riffEnd {
            let chunkHeader = try file.bytes(at: offset, count: 8)
            let id = try chunkHeader.fourCC(at: 0)
            let size = Int(try chunkHeader.uint32LE(at: 4))
            guard offset + 8 + size <= file.size else {
                damage.append(FormatError(.truncated, at: offset, "'\(id)' chunk of \(size) bytes runs past the end of the file"))
                break
            }
            let padded = offset + 8 + size + (size & 1)
            let end = min(padded, file.size)
            chunks.append(Chunk(offset: offset, id: id, size: size, end: end, padMissing: padded > file.size))
            offset = end
        }
        if offset < riffEnd && damage.isEmpty {
            damage.append(FormatError(.truncated, at: offset, "\(riffEnd - offset) stray bytes at the end of the RIFF list"))
        }
        self.chunks = chunks
        self.riffEnd = max(riffEnd, offset)
        self.damage = damage
    }
}
