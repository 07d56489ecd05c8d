/// A Vorbis comment list (vendor string, then `KEY=value` entries, little-endian lengths):
/// FLAC's VORBIS_COMMENT block and the comment headers of Ogg Vorbis and Opus.
struct VorbisComments {
    var vendor: [UInt8]
    var entries: [[UInt8]]
    /// Bytes the list took in the data it was parsed from (what follows is not ours).
    var length: Int = 0

    init(vendor: [UInt8], entries: [[UInt8]]) {
        self.vendor = vendor
        self.entries = entries
    }

    /// Parses a list at the start of `data`; `offset` is its file position, for errors.
    init(parsing data: ArraySlice<UInt8>, at offset: Int) throws(FormatError) {
        let data = Array(data)
        let vendorLength = Int(try data.uint32LE(at: 0))
        try data.requireBytes(4, vendorLength + 4)
        vendor = Array(data[4..<4 + vendorLength])
        var cursor = 4 + vendorLength
        let count = Int(try data.uint32LE(at: cursor))
        cursor += 4
        guard count <= (data.count - cursor) / 4 else {
            throw FormatError(.corrupt, at: offset, "comment count \(count) cannot fit in its block")
        }
        entries = []
        for _ in 0..<count {
            let length = Int(try data.uint32LE(at: cursor))
            guard length <= data.count - cursor - 4 else {
                throw FormatError(.corrupt, at: offset + cursor, "comment of \(length) bytes runs past its block")
            }
            entries.append(Array(data[(cursor + 4)..<(cursor + 4 + length)]))
            cursor += 4 + length
        }
        length = cursor
    }

    var bytes: [UInt8] {
        var data: [UInt8] = []
        data.appendUInt32LE(UInt32(vendor.count))
        data += vendor
        data.appendUInt32LE(UInt32(entries.count))
        for entry in entries {
            data.appendUInt32LE(UInt32(entry.count))
            data += entry
        }
        return data
    }

    /// Field names are case-insensitive ASCII.
    static func split(_ entry: [UInt8]) -> (key: String, value: String) {
        guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return (String(decoding: entry, as: UTF8.self), "") }
        return (String(decoding: entry[..<equals], as: UTF8.self), String(decoding: entry[(equals + 1)...], as: UTF8.self))
    }

    static func isLabelEntry(_ entry: [UInt8]) -> Bool { split(entry).key.uppercased().contains("AIGC") }

    /// The list with every label entry replaced by one `AIGC=` entry at the end.
    func labelled(with label: AIGCLabel) -> VorbisComments {
        var copy = self
        copy.entries.removeAll(where: Self.isLabelEntry)
        copy.entries.append(Array("AIGC=\(label.wrappedJSON)".utf8))
        return copy
    }

    /// Label sites, described as `place entry KEY`.
    func labelSites(place: String, offset: Int) -> [LabelSite] {
        entries.filter(Self.isLabelEntry).map { entry in
            let (key, value) = Self.split(entry)
            return LabelSite(
                location: "\(place) entry \(key)", offset: offset, isCanonical: key.uppercased() == "AIGC", text: value.trimmingWhitespace)
        }
    }
}
