/// FLAC: the label is a `VORBIS_COMMENT` entry `AIGC=<JSON>`.
///
/// Other comments keep their bytes and order. When the `PADDING` block has room, it shrinks
/// by what the comment grows, so the audio frames stay where they were; otherwise the
/// metadata blocks are rewritten with fresh padding. Audio frames are always copied untouched.
struct FLACAdapter: CarrierAdapter {
    var carrier: Carrier { .flac }

    static let commentBlock: UInt8 = 4
    static let paddingBlock: UInt8 = 1
    /// Padding left after a rewrite, so the next label fits in place.
    static let freshPadding = 4096

    struct Block {
        var offset: Int
        var type: UInt8
        var length: Int
        var dataRange: Range<Int> { offset + 4..<offset + 4 + length }
        var end: Int { offset + 4 + length }
    }

    struct Layout {
        /// Bytes before `fLaC` (a stray ID3v2 tag), kept as they are.
        var prefix: Int
        var blocks: [Block]
        var audioStart: Int
        var damage: [FormatError]
    }

    static func layout(of file: FileSource) throws(FormatError) -> Layout {
        let head = try file.bytes(upTo: 10, at: 0)
        let prefix = head.starts(with: "ID3") ? (MP3Adapter.tagEnd(head: head) ?? 0) : 0
        guard try file.bytes(upTo: 4, at: prefix) == Array("fLaC".utf8) else {
            throw FormatError(.corrupt, at: prefix, "not a FLAC stream")
        }
        var blocks: [Block] = []
        var damage: [FormatError] = []
        var offset = prefix + 4
        var isLast = false
        while !isLast {
            guard let header = try? file.bytes(at: offset, count: 4) else {
                damage.append(FormatError(.truncated, at: offset, "metadata block header cut off"))
                break
            }
            isLast = header[0] & 0x80 != 0
            let type = header[0] & 0x7F
            let length = Int(try header.uint24BE(at: 1))
            guard type != 127 else {
                damage.append(FormatError(.corrupt, at: offset, "invalid metadata block type 127"))
                break
            }
            guard offset + 4 + length <= file.size else {
                damage.append(FormatError(.truncated, at: offset, "metadata block of \(length) bytes runs past the end of the file"))
                break
            }
            blocks.append(Block(offset: offset, type: type, length: length))
            offset += 4 + length
        }
        if damage.isEmpty, blocks.first?.type != 0 || blocks.first?.length != 34 {
            damage.append(FormatError(.corrupt, at: prefix + 4, "the first metadata block is not a 34-byte STREAMINFO"))
        }
        if damage.isEmpty, offset >= file.size {
            damage.append(FormatError(.truncated, at: offset, "no audio frames after the metadata"))
        }
        if damage.isEmpty, let cut = try lastFrameDamage(of: file, audioStart: offset) {
            damage.append(cut)
        }
        return Layout(prefix: prefix, blocks: blocks, audioStart: offset, damage: damage)
    }

    /// A cut FLAC ends inside a frame. Every frame ends with a CRC-16 of its bytes, so the
    /// file is whole when, for some frame sync near the end, the CRC of the bytes from there
    /// to the end matches the last two bytes. Only the tail is read.
    static func lastFrameDamage(of file: FileSource, audioStart: Int) throws(FormatError) -> FormatError? {
        // Frames are a few KiB: look in the last 16 KiB first, then up to 256 KiB.
        for window in [16 << 10, 256 << 10] {
            let tailStart = max(audioStart, file.size - window)
            let tail = try file.bytes(at: tailStart, count: file.size - tailStart)
            guard tail.count >= 4 else { return FormatError(.truncated, at: file.size, "the audio ends inside a frame header") }
            let stored = UInt16(tail[tail.count - 2]) << 8 | UInt16(tail[tail.count - 1])
            var index = tail.count - 4
            var candidates = 0
            // A hostile tail full of sync codes could cost quadratic time; 64 candidates is ample.
            while index >= 0, candidates < 64 {
                if tail[index] == 0xFF, tail[index + 1] & 0xFE == 0xF8 {
                    candidates += 1
                    if CRC16.checksum(tail[index..<tail.count - 2]) == stored { return nil }
                }
                index -= 1
            }
            if tailStart == audioStart { break }
        }
        return FormatError(.checksum, at: file.size, "the last audio frame fails its CRC-16: the file is cut short or damaged")
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let layout = try Self.layout(of: file)
        var reading = CarrierReading(damage: layout.damage)
        var owned: [Range<Int>] = []
        for block in layout.blocks {
            // Every block header (lengths and the last-block flag move when the label grows)
            // and the padding that absorbs the growth.
            owned.append(block.offset..<block.offset + 4)
            if block.type == Self.paddingBlock { owned.append(block.dataRange) }
        }
        for block in layout.blocks where block.type == Self.commentBlock {
            do {
                let data = try file.bytes(at: block.offset + 4, count: block.length)
                let comments = try VorbisComments(parsing: data[...], at: block.offset)
                let sites = comments.labelSites(place: "VORBIS_COMMENT", offset: block.offset)
                reading.sites += sites
                if !sites.isEmpty { owned += Self.labelEntryRanges(in: data, at: block.offset + 4) }
            } catch {
                reading.damage.append(error)
            }
        }
        if !reading.sites.isEmpty { reading.ownedRanges = owned }
        return reading
    }

    /// File ranges of the `AIGC=` entries (length field included) in a comment block's data.
    static func labelEntryRanges(in data: [UInt8], at base: Int) -> [Range<Int>] {
        guard let vendorLength = try? Int(data.uint32LE(at: 0)), vendorLength <= data.count - 8,
            let count = try? Int(data.uint32LE(at: 4 + vendorLength))
        else { return [] }
        var ranges: [Range<Int>] = []
        var cursor = 8 + vendorLength
        for _ in 0..<min(count, data.count / 4) {
            guard let length = try? Int(data.uint32LE(at: cursor)), length <= data.count - cursor - 4 else { break }
            let entry = Array(data[(cursor + 4)..<(cursor + 4 + length)])
            if VorbisComments.isLabelEntry(entry) { ranges.append(base + cursor..<base + cursor + 4 + length) }
            cursor += 4 + length
        }
        return ranges
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let layout = try Self.layout(of: file)
        if let first = layout.damage.first { throw first }
        let commentIndex = layout.blocks.firstIndex { $0.type == Self.commentBlock }
        var comments = VorbisComments(vendor: Array("SynthLabel".utf8), entries: [])
        if let commentIndex {
            let block = layout.blocks[commentIndex]
            comments = try VorbisComments(parsing: try file.bytes(at: block.offset + 4, count: block.length)[...], at: block.offset)
        }
        let commentData = comments.labelled(with: request.label).bytes
        guard commentData.count < 1 << 24 else { throw FormatError(.tooLarge, "VORBIS_COMMENT block would exceed 16 MiB") }

        // Growth of the metadata, absorbed by the first PADDING block if it can be.
        let growth = commentData.count - (commentIndex.map { layout.blocks[$0].length } ?? -4)
        let paddingIndex = layout.blocks.firstIndex { $0.type == Self.paddingBlock }
        var newPaddingLength: Int? = nil
        if let paddingIndex, layout.blocks[paddingIndex].length - growth >= 0 {
            newPaddingLength = layout.blocks[paddingIndex].length - growth
        }
        let keepsAudioOffset = newPaddingLength != nil

        // Blocks in their order: (type, either original data range or new data).
        var output: [(type: UInt8, data: EditPlan.Piece)] = []
        for (index, block) in layout.blocks.enumerated() {
            if index == commentIndex {
                output.append((block.type, .bytes(commentData)))
            } else if index == paddingIndex {
                let length = newPaddingLength ?? Self.freshPadding
                output.append(
                    (block.type, length == block.length ? .original(block.dataRange) : .bytes([UInt8](repeating: 0, count: length))))
            } else {
                output.append((block.type, .original(block.dataRange)))
            }
            if index == 0 && commentIndex == nil {
                output.append((Self.commentBlock, .bytes(commentData)))
            }
        }
        if paddingIndex == nil {
            output.append((Self.paddingBlock, .bytes([UInt8](repeating: 0, count: Self.freshPadding))))
        }

        var plan = EditPlan()
        plan.copy(0..<layout.prefix + 4)
        for (index, block) in output.enumerated() {
            let isLast = index == output.count - 1
            var header: [UInt8] = [block.type | (isLast ? 0x80 : 0)]
            switch block.data {
            case .original(let range):
                header.appendUInt24BE(UInt32(range.count))
                plan.insert(header)
                plan.copy(range)
            case .bytes(let bytes):
                header.appendUInt24BE(UInt32(bytes.count))
                plan.insert(header + bytes)
            }
        }
        plan.copy(layout.audioStart..<file.size)
        assert(!keepsAudioOffset || plan.outputSize == file.size)
        return plan
    }
}

extension FLACAdapter {
    /// The `fLaC` marker, also behind a stray ID3v2 tag (which reading skips).
    static func recognises(head: [UInt8], path: String) -> Bool {
        if head.starts(with: "fLaC") { return true }
        guard head.starts(with: "ID3"), let tagEnd = MP3Adapter.tagEnd(head: head), head.count >= tagEnd + 4 else { return false }
        return Array(head[tagEnd..<tagEnd + 4]) == Array("fLaC".utf8)
    }
}
