/// Writing the label into MP4 and MOV, as the TC260 video guide places it: `moov/udta/meta`
/// (handler `mdta`) with the key `mdtaAIGC` in `keys` and its item in `ilst`, merged into what
/// is there (other keys and items kept byte for byte, the AIGC item found by name).
///
/// Only `moov` is rebuilt; the media data is copied untouched. When `moov` precedes media
/// data and changes size, a `free`/`skip` box right after it absorbs the change if it can;
/// otherwise every absolute offset into the media is moved by the change: the chunk offsets
/// (`stco`, `co64`), explicit fragment base offsets (`tfhd`), and the fragment index
/// (`mfra/tfra`).
extension MP4Adapter {
    /// The most `moov` SynthLabel rebuilds in memory (a long film's sample tables run to tens of MB).
    static let moovLimit = 256 << 20

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let top = try Self.boxes(in: 0..<file.size, of: file)
        let moovs = top.filter { $0.type == "moov" }
        guard let moov = moovs.first else { throw FormatError(.truncated, at: file.size, "no moov box: the file is incomplete") }
        guard moovs.count == 1 else { throw FormatError(.corrupt, at: moovs[1].offset, "a second moov box") }
        guard moov.end - moov.offset <= Self.moovLimit else {
            throw FormatError(.tooLarge, at: moov.offset, "the moov box is larger than \(Self.moovLimit >> 20) MiB")
        }
        let original = try file.bytes(at: moov.offset, count: moov.end - moov.offset)
        let children = try Self.boxes(in: moov.headerSize..<original.count, of: FileSource(bytes: original))
        let value = Array(request.label.wrappedJSON.utf8)

        // The new udta: the old one with its mdta meta merged, or a new one.
        let udtaIndex = children.firstIndex { $0.type == "udta" }
        let udta: [UInt8]
        if let udtaIndex {
            let old = children[udtaIndex]
            udta = try Self.merged(udta: Array(original[old.offset..<old.end]), value: value, at: moov.offset + old.offset)
        } else {
            udta = Self.box("udta", Self.metaBox(value: value))
        }

        // Offsets into the media move by what moov grows, unless a free box after it takes it.
        let oldSize = moov.end - moov.offset
        let kept = children.indices.filter { $0 != udtaIndex }.reduce(0) { $0 + children[$1].end - children[$1].offset }
        let newSize = 8 + kept + udta.count
        var delta = newSize - oldSize
        var skipAfter: MP4Adapter.Box?
        var freeReplacement: [UInt8] = []
        if let next = top.first(where: { $0.offset == moov.end }), ["free", "skip"].contains(next.type), next.headerSize == 8, delta != 0 {
            let room = next.end - next.offset
            if room - delta >= 8 || room - delta == 0 {
                skipAfter = next
                freeReplacement = room - delta == 0 ? [] : Self.box(next.type, [UInt8](repeating: 0, count: room - delta - 8))
                delta = 0
            }
        }
        let mediaAfter = top.contains { $0.offset >= moov.end && ["mdat", "moof"].contains($0.type) }
        let shift = mediaAfter ? delta : 0

        var body: [UInt8] = []
        for (index, child) in children.enumerated() {
            if index == udtaIndex {
                body += udta
                continue
            }
            var bytes = Array(original[child.offset..<child.end])
            if shift != 0 && child.type == "trak" {
                try Self.shiftChunkOffsets(in: &bytes, by: shift, after: moov.end, at: moov.offset + child.offset)
            }
            body += bytes
        }
        if udtaIndex == nil { body += udta }
        let newMoov = Self.box("moov", body)

        var plan = EditPlan()
        plan.copy(0..<moov.offset)
        plan.insert(newMoov)
        var cursor = moov.end
        if let skipAfter {
            plan.insert(freeReplacement)
            cursor = skipAfter.end
        }
        for box in top where box.offset >= cursor {
            if shift != 0, box.type == "moof" || box.type == "mfra" {
                var bytes = try file.bytes(at: box.offset, count: box.end - box.offset)
                try Self.shiftFragmentOffsets(in: &bytes, by: shift, after: moov.end, at: box.offset)
                plan.insert(bytes)
            } else {
                plan.copy(box.offset..<box.end)
            }
        }
        // Bytes after the last whole box (fewer than a box header) are kept too.
        plan.copy(max(cursor, top.last?.end ?? cursor)..<file.size)
        return plan
    }

    // MARK: Building boxes

    /// A box with a 32-bit size.
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.appendUInt32BE(UInt32(8 + payload.count))
        return out + Array(type.utf8) + payload
    }

    /// A full box: version and flags (zero), then the payload.
    static func fullBox(_ type: String, _ payload: [UInt8]) -> [UInt8] { box(type, [0, 0, 0, 0] + payload) }

    /// An ISO `meta` box with handler `mdta` holding only the AIGC key and its item.
    static func metaBox(value: [UInt8]) -> [UInt8] {
        let handler = fullBox("hdlr", [0, 0, 0, 0] + Array("mdta".utf8) + [UInt8](repeating: 0, count: 12) + [0])
        let key = Array("mdtaAIGC".utf8)
        var keyList = [UInt8]()
        keyList.appendUInt32BE(1)
        keyList.appendUInt32BE(UInt32(4 + key.count))
        keyList += key
        return fullBox("meta", handler + fullBox("keys", keyList) + box("ilst", item(index: 1, value: value)))
    }

    /// An `ilst` item: the 1-based key index as its type, holding a UTF-8 `data` box.
    static func item(index: Int, value: [UInt8]) -> [UInt8] {
        var type = [UInt8]()
        type.appendUInt32BE(UInt32(index))
        var data = [UInt8]()
        data.appendUInt32BE(UInt32(16 + value.count))
        data += Array("data".utf8) + [0, 0, 0, 1, 0, 0, 0, 0] + value
        var out = [UInt8]()
        out.appendUInt32BE(UInt32(8 + data.count))
        return out + type + data
    }

    // MARK: Merging

    /// `udta` with the AIGC item written into its `mdta` meta: the key kept or added, the item
    /// replaced or added, every other key and item kept; a new meta when udta has none. The
    /// label's non-standard copies in udta (an `AIGC` box, iTunes `----` items named AIGC) are
    /// folded into it: the labeller has already checked they hold the same producer's label.
    static func merged(udta: [UInt8], value: [UInt8], at offset: Int) throws(FormatError) -> [UInt8] {
        let source = FileSource(bytes: udta)
        let header = try boxes(in: 0..<udta.count, of: source)[0].headerSize
        let children = try boxes(in: header..<udta.count, of: source)
        var payload = [UInt8]()
        var written = false
        for child in children where child.type != "AIGC" {
            let bytes = Array(udta[child.offset..<child.end])
            if child.type == "meta", !written, isMdtaMeta(bytes) {
                payload += try mergedMeta(bytes, value: value, at: offset + child.offset)
                written = true
            } else if child.type == "meta" {
                payload += try withoutFreeformLabels(bytes)
            } else {
                payload += bytes
            }
        }
        // Beside an iTunes (`mdir`) meta, which cannot hold keys, the mdta meta is a second one.
        if !written { payload += metaBox(value: value) }
        return box("udta", payload)
    }

    /// The children of a `meta` box: after its version and flags when it is a full box (ISO),
    /// straight after the header when not (QuickTime).
    static func metaChildren(_ meta: [UInt8]) throws(FormatError) -> (isFull: Bool, children: [Box]) {
        let isFull = meta.count >= 16 && Array(meta[12..<16]) != Array("hdlr".utf8)
        return (isFull, try boxes(in: (8 + (isFull ? 4 : 0))..<meta.count, of: FileSource(bytes: meta)))
    }

    /// A `meta` box without its iTunes `----` items named AIGC (the same bytes when it has none).
    static func withoutFreeformLabels(_ meta: [UInt8]) throws(FormatError) -> [UInt8] {
        let source = FileSource(bytes: meta)
        let (isFull, children) = try metaChildren(meta)
        guard let list = children.first(where: { $0.type == "ilst" }) else { return meta }
        var kept = [UInt8]()
        var dropped = false
        for item in try boxes(in: list.payload, of: source) {
            let name = try boxes(in: item.payload, of: source).first { $0.type == "name" }.map {
                String(decoding: meta[min($0.payload.lowerBound + 4, $0.end)..<$0.end], as: UTF8.self)
            }
            if item.type == "----", name?.contains("AIGC") == true {
                dropped = true
            } else {
                kept += meta[item.offset..<item.end]
            }
        }
        guard dropped else { return meta }
        var payload = [UInt8]()
        for child in children { payload += child.type == "ilst" ? box("ilst", kept) : Array(meta[child.offset..<child.end]) }
        return isFull ? fullBox("meta", payload) : box("meta", payload)
    }

    /// Whether a `meta` box's handler is `mdta`, the one that holds named keys.
    static func isMdtaMeta(_ meta: [UInt8]) -> Bool {
        guard let handler = (try? metaChildren(meta))?.children.first(where: { $0.type == "hdlr" }), handler.end - handler.offset >= 20
        else { return false }
        return Array(meta[(handler.offset + 16)..<(handler.offset + 20)]) == Array("mdta".utf8)
    }

    /// An `mdta` `meta` box with the AIGC key and item merged in.
    static func mergedMeta(_ meta: [UInt8], value: [UInt8], at offset: Int) throws(FormatError) -> [UInt8] {
        let source = FileSource(bytes: meta)
        let (isFull, children) = try metaChildren(meta)
        // The keys, as (namespace + name) bytes, and the items by index.
        var keys: [[UInt8]] = []
        if let keysBox = children.first(where: { $0.type == "keys" }) {
            let data = Array(meta[keysBox.payload])
            let count = Int(try data.uint32BE(at: 4))
            var cursor = 8
            for _ in 0..<count {
                let size = Int(try data.uint32BE(at: cursor))
                guard size >= 8, cursor + size <= data.count else {
                    throw FormatError(.corrupt, at: offset + keysBox.offset, "bad keys entry")
                }
                keys.append(Array(data[(cursor + 4)..<(cursor + size)]))
                cursor += size
            }
        }
        let aigc = keys.firstIndex(of: Array("mdtaAIGC".utf8)).map { $0 + 1 }
        var items: [[UInt8]] = []
        if let list = children.first(where: { $0.type == "ilst" }) {
            for item in try boxes(in: list.payload, of: source) {
                let index = Int(try meta.uint32BE(at: item.offset + 4))
                if index != aigc { items.append(Array(meta[item.offset..<item.end])) }
            }
        }
        var payload = [UInt8]()
        for child in children {
            switch child.type {
            case "keys":
                var list = [UInt8]()
                list.appendUInt32BE(UInt32(keys.count + (aigc == nil ? 1 : 0)))
                for key in keys + (aigc == nil ? [Array("mdtaAIGC".utf8)] : []) {
                    list.appendUInt32BE(UInt32(4 + key.count))
                    list += key
                }
                payload += fullBox("keys", list)
            case "ilst":
                payload += box("ilst", items.joined() + item(index: aigc ?? keys.count + 1, value: value))
            default:
                payload += meta[child.offset..<child.end]
            }
        }
        if !children.contains(where: { $0.type == "keys" }) || !children.contains(where: { $0.type == "ilst" }) {
            throw FormatError(.unsupported, at: offset, "moov/udta/meta has an mdta handler but no keys or ilst box")
        }
        return isFull ? fullBox("meta", payload) : box("meta", payload)
    }

    // MARK: Moving offsets

    /// Adds `shift` to every chunk offset (`stco`, `co64`) of a `trak` that points at or past
    /// `after` (media before moov stays where it is).
    static func shiftChunkOffsets(in trak: inout [UInt8], by shift: Int, after: Int, at offset: Int) throws(FormatError) {
        let source = FileSource(bytes: trak)
        var stack = [try boxes(in: 0..<trak.count, of: source)[0]]
        while let box = stack.popLast() {
            switch box.type {
            case "trak", "mdia", "minf", "stbl":
                stack += try boxes(in: box.payload, of: source)
            case "stco", "co64":
                let wide = box.type == "co64"
                let start = box.payload.lowerBound
                let count = Int(try trak.uint32BE(at: start + 4))
                guard start + 8 + count * (wide ? 8 : 4) <= box.end else {
                    throw FormatError(.corrupt, at: offset + box.offset, "\(box.type) lists more entries than it holds")
                }
                for entry in 0..<count {
                    let position = start + 8 + entry * (wide ? 8 : 4)
                    let old = wide ? Int(try trak.uint64BE(at: position)) : Int(try trak.uint32BE(at: position))
                    guard old >= after else { continue }
                    let moved = old + shift
                    guard wide || moved <= Int(UInt32.max) else {
                        throw FormatError(.unsupported, at: offset + box.offset, "a chunk offset would pass 4 GiB in stco")
                    }
                    trak.setBE(UInt64(moved), width: wide ? 8 : 4, at: position)
                }
            default:
                break
            }
        }
    }

    /// Adds `shift` to a fragment's explicit base data offset (`moof/traf/tfhd`, flag 0x1) and
    /// to the fragment index's moof offsets (`mfra/tfra`).
    static func shiftFragmentOffsets(in bytes: inout [UInt8], by shift: Int, after: Int, at offset: Int) throws(FormatError) {
        let source = FileSource(bytes: bytes)
        var stack = [try boxes(in: 0..<bytes.count, of: source)[0]]
        while let box = stack.popLast() {
            let start = box.payload.lowerBound
            switch box.type {
            case "moof", "traf", "mfra":
                stack += try boxes(in: box.payload, of: source)
            case "tfhd":
                let flags = Int(try bytes.uint32BE(at: start)) & 0xFFFFFF
                guard flags & 1 == 1 else { continue }
                let position = start + 8
                let old = Int(try bytes.uint64BE(at: position))
                if old >= after { bytes.setBE(UInt64(old + shift), width: 8, at: position) }
            case "tfra":
                let version = bytes[start]
                let sizes = Int(try bytes.uint32BE(at: start + 8))
                let count = Int(try bytes.uint32BE(at: start + 12))
                let wide = version == 1 ? 8 : 4
                let entrySize = 2 * wide + ((sizes >> 4) & 3) + 1 + ((sizes >> 2) & 3) + 1 + (sizes & 3) + 1
                guard start + 16 + count * entrySize <= box.end else {
                    throw FormatError(.corrupt, at: offset + box.offset, "tfra lists more entries than it holds")
                }
                for entry in 0..<count {
                    let position = start + 16 + entry * entrySize + wide
                    let old = wide == 8 ? Int(try bytes.uint64BE(at: position)) : Int(try bytes.uint32BE(at: position))
                    guard old >= after else { continue }
                    bytes.setBE(UInt64(old + shift), width: wide, at: position)
                }
            default:
                break
            }
        }
    }
}
