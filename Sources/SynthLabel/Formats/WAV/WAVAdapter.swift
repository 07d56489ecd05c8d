/// WAV: the label goes in a RIFF sub-chunk with id `AIGC` holding the JSON, word-aligned.
///
/// Our chunk is written after the last chunk, so the sample data is copied in one stream
/// and only the RIFF size changes. `LIST/INFO` entries holding the JSON are read too, and
/// are dropped from the list when labelling (one label per file).
struct WAVAdapter: CarrierAdapter {
    var carrier: Carrier { .wav }

    typealias Chunk = RIFFChunks.Chunk

    /// The file's chunks (`RIFFChunks`), and damage if it lacks its format or data chunk.
    static func layout(of file: FileSource) throws(FormatError) -> RIFFChunks {
        let header = try file.bytes(upTo: 12, at: 0)
        guard header.count == 12, Array(header[8..<12]) == Array("WAVE".utf8) else {
            throw FormatError(.corrupt, at: 0, "not a RIFF WAVE file")
        }
        if header.starts(with: "RF64") || header.starts(with: "BW64") {
            throw FormatError(.unsupported, at: 0, "RF64/BW64 (the 64-bit form of WAV) is not read or written yet; the file was left alone")
        }
        guard header.starts(with: "RIFF") else {
            throw FormatError(.unsupported, at: 0, "RIFX (the big-endian form of WAV) is not read or written yet; the file was left alone")
        }
        var layout = try RIFFChunks(file, form: "WAVE")
        if layout.damage.isEmpty, !layout.chunks.contains(where: { $0.id == "fmt " }) {
            layout.damage.append(FormatError(.corrupt, at: 12, "no 'fmt ' chunk"))
        }
        if layout.damage.isEmpty, !layout.chunks.contains(where: { $0.id == "data" }) {
            layout.damage.append(FormatError(.corrupt, at: 12, "no 'data' chunk"))
        }
        return layout
    }

    /// Entries of the `LIST/INFO` chunk at `offset` with `size` bytes of data: (offset, id, text).
    /// Shared with AVI, which keeps its INFO list the same way.
    static func infoEntries(ofListAt offset: Int, size: Int, in file: FileSource) throws(FormatError) -> [(
        offset: Int, id: String, size: Int, text: String
    )] {
        let data = try file.bytes(at: offset + 8, count: size)
        guard data.starts(with: "INFO") else { return [] }
        var entries: [(Int, String, Int, String)] = []
        var cursor = 4
        while cursor + 8 <= data.count {
            let id = try data.fourCC(at: cursor)
            let entrySize = Int(try data.uint32LE(at: cursor + 4))
            guard cursor + 8 + entrySize <= data.count else {
                throw FormatError(.corrupt, at: offset + 8 + cursor, "LIST/INFO entry '\(id)' runs past its list")
            }
            let value = data[(cursor + 8)..<(cursor + 8 + entrySize)].prefix { $0 != 0 }
            entries.append((offset + 8 + cursor, id, entrySize, String(decoding: value, as: UTF8.self)))
            cursor += 8 + entrySize + (entrySize & 1)
        }
        return entries
    }

    static func isLabelEntry(id: String, text: String) -> Bool {
        id.uppercased().contains("AIGC") || text.contains("\"AIGC\"")
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let layout = try Self.layout(of: file)
        var reading = CarrierReading(damage: layout.damage)
        for chunk in layout.chunks {
            if chunk.id == "C2PA" || chunk.id == "c2pa" { reading.c2paManifest = "'\(chunk.id)' chunk at byte \(chunk.offset)" }
            if chunk.id.uppercased() == "AIGC" {
                guard chunk.size <= AIGCLabel.maximumTextLength else {
                    reading.damage.append(
                        FormatError(.tooLarge, at: chunk.offset, "AIGC chunk of \(chunk.size) bytes is far larger than any label"))
                    continue
                }
                let data = try file.bytes(at: chunk.offset + 8, count: chunk.size)
                // The chunk (with its pad byte) and the RIFF size, which counts it.
                reading.ownedRanges += [4..<8, chunk.offset..<min(file.size, chunk.offset + 8 + chunk.size + (chunk.size & 1))]
                reading.sites.append(
                    LabelSite(
                        location: "RIFF '\(chunk.id)' chunk",
                        offset: chunk.offset,
                        isCanonical: chunk.id == "AIGC",
                        text: String(decoding: data.prefix { $0 != 0 }, as: UTF8.self).trimmingWhitespace))
            } else if chunk.id == "LIST", chunk.size <= AIGCLabel.maximumTextLength * 4 {
                do {
                    for entry in try Self.infoEntries(ofListAt: chunk.offset, size: chunk.size, in: file)
                    where Self.isLabelEntry(id: entry.id, text: entry.text) {
                        reading.sites.append(
                            LabelSite(
                                location: "LIST/INFO '\(entry.id)' entry", offset: entry.offset, isCanonical: false,
                                text: entry.text.trimmingWhitespace))
                    }
                } catch {
                    reading.damage.append(error)
                }
            }
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let layout = try Self.layout(of: file)
        if let first = layout.damage.first { throw first }
        var labelChunk = Array("AIGC".utf8)
        let text = Array(request.label.wrappedJSON.utf8)
        labelChunk.appendUInt32LE(UInt32(text.count))
        labelChunk += text
        if text.count & 1 == 1 { labelChunk.append(0) }
        var body = EditPlan()
        var bodySize = 4  // "WAVE"
        var labelWritten = false
        for chunk in layout.chunks where chunk.id.uppercased() != "AIGC" {
            // FFmpeg and others read a data chunk of size 0 as "size unknown" (a stream still
            // being written) and take everything after it for samples, so the label goes before it.
            if chunk.id == "data", chunk.size == 0, !labelWritten {
                body.insert(labelChunk)
                bodySize += labelChunk.count
                labelWritten = true
            }
            if chunk.id == "LIST", let cleaned = try Self.infoListWithoutLabels(chunk, in: file) {
                body.insert(cleaned)
                bodySize += cleaned.count
                continue
            }
            body.copy(chunk.offset..<chunk.end)
            bodySize += chunk.end - chunk.offset
            if chunk.padMissing {
                body.insert([0])
                bodySize += 1
            }
        }
        if !labelWritten {
            body.insert(labelChunk)
            bodySize += labelChunk.count
        }
        guard bodySize <= Int(UInt32.max) else {
            throw FormatError(.tooLarge, "the labelled file would pass the 4 GiB RIFF limit")
        }
        var plan = EditPlan()
        var header = Array("RIFF".utf8)
        header.appendUInt32LE(UInt32(bodySize))
        header += Array("WAVE".utf8)
        plan.insert(header)
        for piece in body.pieces {
            switch piece {
            case .original(let range): plan.copy(range)
            case .bytes(let bytes): plan.insert(bytes)
            }
        }
        if layout.riffEnd < file.size { plan.copy(layout.riffEnd..<file.size) }  // bytes after RIFF are kept
        return plan
    }

    /// The LIST chunk rebuilt without label entries, or nil when it has none (copy as is); WAV
    /// and AVI fold such entries into their one label.
    static func infoListWithoutLabels(_ list: Chunk, in file: FileSource) throws(FormatError) -> [UInt8]? {
        let entries = try Self.infoEntries(ofListAt: list.offset, size: list.size, in: file)
        guard entries.contains(where: { Self.isLabelEntry(id: $0.id, text: $0.text) }) else { return nil }
        var data = Array("INFO".utf8)
        for entry in entries where !Self.isLabelEntry(id: entry.id, text: entry.text) {
            data += try file.bytes(at: entry.offset, count: 8 + entry.size)
            if entry.size & 1 == 1 { data.append(0) }
        }
        if data.count == 4 { return [] }  // nothing left: drop the list
        var chunk = Array("LIST".utf8)
        chunk.appendUInt32LE(UInt32(data.count))
        return chunk + data
    }
}

extension WAVAdapter {
    /// A RIFF (or RF64, BW64, RIFX) header of form `WAVE`.
    static func recognises(head: [UInt8], path: String) -> Bool { RIFFForm.of(head) == "WAVE" }
}
