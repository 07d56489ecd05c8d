/// Writing the label into AVI, as the TC260 video guide places it: an `AIGC` entry of the
/// `LIST/INFO` chunk before the `movi` list (other INFO entries kept, old label entries folded
/// into it). The `movi` list and the `idx1` index are copied untouched. A `JUNK` chunk just
/// before `movi` (FFmpeg leaves one) absorbs a change of size when it can; otherwise `movi`
/// moves, which `idx1` follows when its offsets are relative to `movi` (as writers make them)
/// and is corrected when they are absolute. OpenDML files (several RIFF lists, `indx` super
/// indexes with absolute offsets) are refused rather than risked.
extension AVIAdapter {
    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let walk = try RIFFChunks(file, form: "AVI ")
        if let first = walk.damage.first { throw first }
        guard walk.riffEnd == file.size else {
            throw FormatError(.unsupported, at: walk.riffEnd, "an OpenDML AVI (more than one RIFF list) is not written yet")
        }
        // Each chunk's list type (`hdrl`, `INFO`, `movi` …), nil for a plain chunk.
        var listTypes: [String?] = []
        for chunk in walk.chunks {
            listTypes.append(chunk.id == "LIST" && chunk.size >= 4 ? try file.bytes(at: chunk.offset + 8, count: 4).fourCC(at: 0) : nil)
        }
        guard let moviIndex = listTypes.firstIndex(of: "movi") else { throw FormatError(.corrupt, at: 12, "no movi list") }
        let movi = walk.chunks[moviIndex]
        let header = walk.chunks[..<moviIndex]
        if let hdrl = listTypes[..<moviIndex].firstIndex(of: "hdrl").map({ walk.chunks[$0] }),
            try file.bytes(at: hdrl.offset, count: hdrl.end - hdrl.offset).firstRange(of: Array("indx".utf8)) != nil
        {
            throw FormatError(.unsupported, at: hdrl.offset, "an OpenDML index (indx) is not written yet")
        }

        // The new INFO list: the old one's other entries and the label.
        let infoIndex = listTypes[..<moviIndex].firstIndex(of: "INFO")
        var info = Array("INFO".utf8)
        if let infoIndex {
            let list = walk.chunks[infoIndex]
            for entry in try WAVAdapter.infoEntries(ofListAt: list.offset, size: list.size, in: file)
            where !WAVAdapter.isLabelEntry(id: entry.id, text: entry.text) {
                info += try file.bytes(at: entry.offset, count: 8 + entry.size + (entry.size & 1))
            }
        }
        let text = Array(request.label.wrappedJSON.utf8) + [0]
        info += Array("AIGC".utf8)
        info.appendUInt32LE(UInt32(text.count))
        info += text + (text.count & 1 == 1 ? [0] : [])
        var newList = Array("LIST".utf8)
        newList.appendUInt32LE(UInt32(info.count))
        newList += info

        // Where it goes (in place of the old list, else before movi, ahead of any JUNK), and what
        // the JUNK just before movi must become for movi to stay put.
        let insertAt = infoIndex ?? (header.last?.id == "JUNK" ? moviIndex - 1 : moviIndex)
        var delta = newList.count - (infoIndex.map { walk.chunks[$0].end - walk.chunks[$0].offset } ?? 0)
        var junk: (index: Int, bytes: [UInt8])?
        if let last = header.last, last.id == "JUNK", insertAt < moviIndex, delta != 0 {
            let room = last.end - last.offset
            if room - delta >= 8 {
                var bytes = Array("JUNK".utf8)
                bytes.appendUInt32LE(UInt32(room - delta - 8))
                junk = (moviIndex - 1, bytes + [UInt8](repeating: 0, count: room - delta - 8))
                delta = 0
            }
        }

        var plan = EditPlan()
        var riff = Array("RIFF".utf8)
        riff.appendUInt32LE(UInt32(walk.riffEnd - 8 + delta))
        plan.insert(riff + Array("AVI ".utf8))
        for (index, chunk) in walk.chunks.enumerated() {
            if index == insertAt { plan.insert(newList) }
            if index == infoIndex { continue }
            if let junk, index == junk.index {
                plan.insert(junk.bytes)
            } else if chunk.id == "idx1", delta != 0 {
                plan.insert(try Self.shiftedIndex(chunk, in: file, moviAt: movi.offset + 8, by: delta))
            } else if listTypes[index] == "INFO" {
                // A second INFO list elsewhere loses its label entries: a file keeps one label.
                if let cleaned = try WAVAdapter.infoListWithoutLabels(chunk, in: file) {
                    plan.insert(cleaned)
                } else {
                    plan.copy(chunk.offset..<chunk.end)
                }
            } else {
                plan.copy(chunk.offset..<chunk.end)
            }
        }
        return plan
    }

    /// `idx1` with its offsets moved by `delta` when they are absolute (the first one at or past
    /// `moviAt`, the `movi` list's type); relative ones move with `movi` by themselves.
    static func shiftedIndex(_ index: RIFFChunks.Chunk, in file: FileSource, moviAt: Int, by delta: Int) throws(FormatError) -> [UInt8] {
        var bytes = try file.bytes(at: index.offset, count: index.end - index.offset)
        let count = index.size / 16
        guard count > 0, Int(try bytes.uint32LE(at: 8 + 8)) >= moviAt else { return bytes }
        for entry in 0..<count {
            let position = 8 + entry * 16 + 8
            let moved = Int(try bytes.uint32LE(at: position)) + delta
            guard moved >= 0, moved <= Int(UInt32.max) else {
                throw FormatError(.unsupported, at: index.offset, "an idx1 offset would overflow")
            }
            bytes.setLE(UInt64(moved), width: 4, at: position)
        }
        return bytes
    }
}
