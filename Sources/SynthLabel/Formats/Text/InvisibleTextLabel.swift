/// The label hidden in plain text as Unicode variation selectors, which display as nothing.
///
/// Layout: U+FEFF (a byte-order mark when it opens the file), then one variation selector per
/// byte of the label's JSON (`{"AIGC":{…}}` in UTF-8): bytes 0–15 as VS1–VS16 (U+FE00–U+FE0F),
/// bytes 16–255 as VS17–VS256 (U+E0100–U+E01EF). It survives copy and paste and NFC/NFKC
/// normalisation, but not a conversion to a legacy encoding or a tool that strips invisible or
/// unassigned-looking characters: fragile, a complement to the visible notice, never a substitute.
enum InvisibleTextLabel {
    static let marker: Unicode.Scalar = "\u{FEFF}"

    static func encode(_ json: String) -> [UInt8] {
        var text = String(marker)
        for byte in json.utf8 {
            let value = byte < 16 ? 0xFE00 + UInt32(byte) : 0xE0100 + UInt32(byte) - 16
            // Variation selectors: valid scalars.
            text.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return Array(text.utf8)
    }

    /// The hidden JSON and the byte range of the whole carrier (marker included), if present
    /// in `bytes` (UTF-8).
    static func find(in bytes: [UInt8]) -> (json: String, range: Range<Int>)? {
        let marker: [UInt8] = [0xEF, 0xBB, 0xBF]
        var start = 0
        while let found = bytes[start...].firstRange(of: marker) {
            var decoded: [UInt8] = []
            var cursor = found.upperBound
            while cursor < bytes.count, let (value, length) = selector(at: cursor, in: bytes) {
                decoded.append(value)
                cursor += length
            }
            if decoded.count >= 2 { return (String(decoding: decoded, as: UTF8.self), found.lowerBound..<cursor) }
            start = found.upperBound
        }
        return nil
    }

    /// The byte a variation selector at `offset` stands for, and its UTF-8 length.
    private static func selector(at offset: Int, in bytes: [UInt8]) -> (UInt8, Int)? {
        // U+FE00–U+FE0F: EF B8 80–8F. U+E0100–U+E01EF: F3 A0 84 80 – F3 A0 87 AF.
        if offset + 2 < bytes.count, bytes[offset] == 0xEF, bytes[offset + 1] == 0xB8, (0x80...0x8F).contains(bytes[offset + 2]) {
            return (bytes[offset + 2] - 0x80, 3)
        }
        if offset + 3 < bytes.count, bytes[offset] == 0xF3, bytes[offset + 1] == 0xA0, (0x84...0x87).contains(bytes[offset + 2]),
            (0x80...0xBF).contains(bytes[offset + 3])
        {
            let value = (Int(bytes[offset + 2]) - 0x84) << 6 | (Int(bytes[offset + 3]) - 0x80)
            return value < 240 ? (UInt8(value + 16), 4) : nil
        }
        return nil
    }
}
