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
                }
            } catch {
                reading.damage.append(error)
            }
        }
        return reading
    }

}

extension AVIAdapter {
    /// A RIFF header of form `AVI `.
    static func recognises(head: [UInt8], path: String) -> Bool { RIFFForm.of(head) == "AVI " }
}
