/// MP4 and MOV: the label is the `mdta` key `AIGC` of a `meta` box (keys + ilst), under
/// `moov` or `moov/udta`. Also read: an iTunes-style `----` item named AIGC and an XMP
/// `uuid` box. Written by MP4Writer. Boxes are skipped by their lengths; `mdat` is never read.
struct MP4Adapter: CarrierAdapter {
    var carrier: Carrier { .mp4 }

    static let xmpUUID: [UInt8] = [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC]
    /// Metadata boxes larger than this are not read (real ones are a few KiB).
    static let metadataLimit = 16 << 20

    struct Box {
        var offset: Int
        var type: String
        var headerSize: Int
        var end: Int
        var payload: Range<Int> { offset + headerSize..<end }
    }

    /// The boxes laid end to end in `range`.
    static func boxes(in range: Range<Int>, of file: FileSource) throws(FormatError) -> [Box] {
        var boxes: [Box] = []
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            let header = try file.bytes(at: offset, count: min(16, range.upperBound - offset))
            var size = Int(try header.uint32BE(at: 0))
            let type = try header.fourCC(at: 4)
            var headerSize = 8
            if size == 1 {
                guard header.count == 16 else { throw FormatError(.truncated, at: offset, "'\(type)' box header cut off") }
                let large = UInt64(try header.uint32BE(at: 8)) << 32 | UInt64(try header.uint32BE(at: 12))
                guard large <= UInt64(Int.max) else { throw FormatError(.corrupt, at: offset, "'\(type)' box size is absurd") }
                size = Int(large)
                headerSize = 16
            } else if size == 0 {
                size = range.upperBound - offset
            }
            guard size >= headerSize, size <= range.upperBound - offset else {
                throw FormatError(.truncated, at: offset, "'\(type)' box of \(size) bytes runs past its container")
            }
            boxes.append(Box(offset: offset, type: type, headerSize: headerSize, end: offset + size))
            offset += size
        }
        return boxes
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let head = try file.bytes(upTo: 12, at: 0)
        guard head.count >= 8, ["ftyp", "moov", "wide", "free", "mdat", "skip"].contains(try head.fourCC(at: 4)) else {
            throw FormatError(.corrupt, at: 0, "not an MP4/MOV box structure")
        }
        var reading = CarrierReading()
        do throws(FormatError) {
            let top = try Self.boxes(in: 0..<file.size, of: file)
            for box in top {
                if box.type == "uuid", box.end - box.offset <= Self.metadataLimit {
                    let payload = try file.bytes(at: box.payload.lowerBound, count: box.payload.count)
                    if payload.starts(with: Self.xmpUUID) {
                        reading.sites += XMPPacket.labelSites(in: Array(payload.dropFirst(16)), offset: box.offset, canonicalPlace: false) {
                            "MP4 uuid XMP box, \($0.rawValue) TC260:AIGC"
                        }
                    }
                } else if box.type == "moov" {
                    try readMoov(box, followedBy: top.first { $0.offset == box.end }, in: file, into: &reading)
                }
            }
            if !top.contains(where: { $0.type == "moov" }) {
                reading.damage.append(FormatError(.truncated, at: file.size, "no moov box: the file is incomplete"))
            }
        } catch {
            reading.damage.append(error)
        }
        return reading
    }

    /// The label sites of `moov` (its `meta` and its `udta/meta`), and what the canonical one
    /// owns, for signatures: its item and the sizes that count it (ilst, meta, udta, moov), and
    /// a free box after moov, which takes its changes of length.
    private func readMoov(_ moov: Box, followedBy next: Box?, in file: FileSource, into reading: inout CarrierReading) throws(FormatError) {
        for child in try Self.boxes(in: moov.payload, of: file) {
            if child.type == "meta" {
                reading.sites += try metaSites(child, in: file, place: "moov/meta").sites
            }
            guard child.type == "udta" else { continue }
            for box in try Self.boxes(in: child.payload, of: file) where box.type == "AIGC" && box.end - box.offset <= Self.metadataLimit {
                let payload = try file.bytes(at: box.payload.lowerBound, count: box.payload.count)
                reading.sites.append(
                    LabelSite(
                        location: "MP4 moov/udta/AIGC box (non-standard; folded into the mdta item when labelling)",
                        offset: box.offset, isCanonical: false, text: Self.udtaText(payload).trimmingWhitespace))
            }
            for meta in try Self.boxes(in: child.payload, of: file) where meta.type == "meta" {
                let (sites, owned, caption) = try metaSites(meta, in: file, place: "moov/udta/meta")
                reading.sites += sites
                reading.caption = reading.caption ?? caption
                guard !owned.isEmpty, reading.ownedRanges.isEmpty else { continue }
                let free = next.flatMap { ["free", "skip"].contains($0.type) ? [$0.offset..<$0.end] : nil } ?? []
                reading.ownedRanges =
                    [moov.offset..<(moov.offset + 4), child.offset..<(child.offset + 4), meta.offset..<(meta.offset + 4)] + owned + free
            }
        }
    }

    /// A `udta` text box's text: bare, or QuickTime's international form (a 16-bit length and a
    /// 16-bit language code before the text).
    static func udtaText(_ payload: [UInt8]) -> String {
        if payload.count >= 4, payload.first != UInt8(ascii: "{"), Int(payload[0]) << 8 | Int(payload[1]) <= payload.count - 4 {
            let length = Int(payload[0]) << 8 | Int(payload[1])
            return String(decoding: payload[4..<(4 + length)], as: UTF8.self)
        }
        return String(decoding: payload, as: UTF8.self)
    }

    /// Label items of a `meta` box: `mdta` keys named AIGC and `----` items named AIGC; for the
    /// canonical one, the bytes it owns (its item and the ilst size); and a caption's record.
    private func metaSites(_ meta: Box, in file: FileSource, place: String) throws(FormatError) -> (
        sites: [LabelSite], owned: [Range<Int>], caption: CaptionRecord?
    ) {
        guard meta.end - meta.offset <= Self.metadataLimit else { return ([], [], nil) }
        // ISO `meta` is a full box (4 bytes of version and flags); QuickTime's is not.
        let probe = try file.bytes(at: meta.payload.lowerBound, count: min(8, meta.payload.count))
        let skipsVersion = probe.count == 8 && (try? probe.fourCC(at: 4)) == "hdlr" ? false : true
        let children = try Self.boxes(in: (meta.payload.lowerBound + (skipsVersion ? 4 : 0))..<meta.end, of: file)
        var keys: [String] = []
        if let keysBox = children.first(where: { $0.type == "keys" }) {
            let data = try file.bytes(at: keysBox.payload.lowerBound, count: keysBox.payload.count)
            let count = Int(try data.uint32BE(at: 4))
            var cursor = 8
            for _ in 0..<min(count, data.count / 8) {
                let size = Int(try data.uint32BE(at: cursor))
                guard size >= 8, cursor + size <= data.count else { throw FormatError(.corrupt, at: keysBox.offset, "bad keys entry") }
                keys.append(String(decoding: data[(cursor + 8)..<(cursor + size)], as: UTF8.self))
                cursor += size
            }
        }
        var sites: [LabelSite] = []
        var owned: [Range<Int>] = []
        var caption: CaptionRecord?
        guard let list = children.first(where: { $0.type == "ilst" }) else { return (sites, owned, caption) }
        for item in try Self.boxes(in: list.payload, of: file) {
            let parts = try Self.boxes(in: item.payload, of: file)
            var name: String?
            var canonical = false
            let header = try file.bytes(at: item.offset + 4, count: 4)
            let index = Int(try header.uint32BE(at: 0))
            if item.type == "----" {
                if let nameBox = parts.first(where: { $0.type == "name" }) {
                    name = String(
                        decoding: try file.bytes(at: nameBox.payload.lowerBound + 4, count: max(0, nameBox.payload.count - 4)),
                        as: UTF8.self)
                }
            } else if index >= 1, index <= keys.count {
                name = keys[index - 1]
                canonical = true
            }
            guard let name, name.contains("AIGC") || name == CaptionRecord.videoKey, let data = parts.first(where: { $0.type == "data" }),
                data.payload.count >= 8
            else { continue }
            let value = try file.bytes(at: data.payload.lowerBound + 8, count: data.payload.count - 8)
            if name == CaptionRecord.videoKey {
                caption = CaptionRecord(serialized: String(decoding: value, as: UTF8.self))
                continue
            }
            if canonical && name == "AIGC" && owned.isEmpty { owned = [list.offset..<(list.offset + 4), item.offset..<item.end] }
            sites.append(
                LabelSite(
                    location: "MP4 \(place) item \(name)"
                        + (item.type == "----" && place == "moov/udta/meta" ? " (folded into the mdta item when labelling)" : ""),
                    offset: item.offset, isCanonical: canonical && name == "AIGC",
                    text: String(decoding: value, as: UTF8.self).trimmingWhitespace))
        }
        return (sites, owned, caption)
    }

}

extension MP4Adapter {
    /// An `ftyp` box first, or, under an MP4 family name, one of the boxes old files start with.
    static func recognises(head: [UInt8], path: String) -> Bool {
        guard head.count >= 8 else { return false }
        let first = String(decoding: head[4..<8], as: UTF8.self)
        if first == "ftyp" { return true }
        return ["moov", "wide", "free", "mdat", "skip"].contains(first) && Carrier.mp4.profile.hasExtension(of: path)
    }
}
