/// AVI: the label is a `LIST/INFO` entry with id `AIGC` (or any INFO entry holding the JSON).
/// Written by AVIWriter. The `movi` list is skipped by its length, never read.
struct AVIAdapter: CarrierAdapter {
    var carrier: Carrier { .avi }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let walk = try RIFFChunks(file, form: "AVI ")
        var reading = CarrierReading(damage: walk.damage)
        for chunk in walk.chunks where chunk.id == "LIST" && chunk.size <= AIGCLabel.maximumTextLength * 4 {
            do {
                for entry in try WAVAdapter.infoEntries(ofListAt: chunk.offset, size: chunk.size, in: file)
                where WAVAdapter.isLabelEntry(id: entry.id, text: entry.text) {
                    reading.sites.append(
                        LabelSite(
                            location: "AVI LIST/INFO '\(entry.id)' entry", offset: entry.offset, isCanonical: entry.id == "AIGC",
                            text: entry.text.trimmingWhitespace))
                    if entry.id == "AIGC" && reading.ownedRanges.isEmpty {
                        reading.ownedRanges = try Self.owned(entry: entry, list: chunk, walk: walk, in: file)
                    }
                }
            } catch {
                reading.damage.append(error)
            }
        }
        return reading
    }

    /// What the label owns, for signatures: the RIFF size, its INFO list's size, its entry, and
    /// the JUNK before `movi` that takes its changes of length.
    static func owned(
        entry: (offset: Int, id: String, size: Int, text: String), list: RIFFChunks.Chunk, walk: RIFFChunks, in file: FileSource
    )
        throws(FormatError) -> [Range<Int>]
    {
        let end = entry.offset + 8 + entry.size + (entry.size & 1)
        var owned = [4..<8, list.offset..<(list.offset + 8), entry.offset..<min(list.end, end)]
        var previous: RIFFChunks.Chunk?
        for chunk in walk.chunks {
            if chunk.id == "LIST", chunk.size >= 4, try file.bytes(at: chunk.offset + 8, count: 4) == Array("movi".utf8) {
                if let previous, previous.id == "JUNK", previous.offset >= list.end { owned.append(previous.offset..<previous.end) }
                break
            }
            previous = chunk
        }
        return owned
    }

}

extension AVIAdapter {
    /// A RIFF header of form `AVI `.
    static func recognises(head: [UInt8], path: String) -> Bool { RIFFForm.of(head) == "AVI " }
}
