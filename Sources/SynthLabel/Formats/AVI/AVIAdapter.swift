/// AVI: the label is a `LIST/INFO` entry with id `AIGC` (or any INFO entry holding the JSON).
/// Read only for now. The `movi` list is skipped by its length, never read.
struct AVIAdapter: CarrierAdapter {
    var carrier: Carrier { .avi }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let header = try file.bytes(upTo: 12, at: 0)
        guard header.count == 12, header.starts(with: "RIFF"), Array(header[8..<12]) == Array("AVI ".utf8) else {
            throw FormatError(.corrupt, at: 0, "not a RIFF AVI file")
        }
        var reading = CarrierReading()
        let riffEnd = 8 + Int(try header.uint32LE(at: 4))
        if riffEnd > file.size {
            reading.damage.append(FormatError(.truncated, at: 4, "RIFF size says \(riffEnd) bytes, the file has \(file.size)"))
        }
        var offset = 12
        while offset + 8 <= min(riffEnd, file.size) {
            let chunkHeader = try file.bytes(at: offset, count: 8)
            let id = try chunkHeader.fourCC(at: 0)
            let size = Int(try chunkHeader.uint32LE(at: 4))
            guard offset + 8 + size <= file.size else {
                reading.damage.append(FormatError(.truncated, at: offset, "'\(id)' chunk of \(size) bytes runs past the end of the file"))
                break
            }
            if id == "LIST", size <= AIGCLabel.maximumTextLength * 4 {
                do {
                    for entry in try WAVAdapter.infoEntries(ofListAt: offset, size: size, in: file)
                    where WAVAdapter.isLabelEntry(id: entry.id, text: entry.text) {
                        reading.sites.append(
                            LabelSite(
                                location: "AVI LIST/INFO '\(entry.id)' entry", offset: entry.offset, isCanonical: entry.id == "AIGC",
                                text: entry.text.trimmingWhitespace))
                    }
                } catch {
                    reading.damage.append(error)
                }
            }
            offset += 8 + size + (size & 1)
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        throw FormatError(.unsupported, "SynthLabel reads labels in AVI files but does not write them yet")
    }
}

extension AVIAdapter {
    /// A RIFF header of form `AVI `.
    static func recognises(head: [UInt8], path: String) -> Bool { RIFFForm.of(head) == "AVI " }
}
