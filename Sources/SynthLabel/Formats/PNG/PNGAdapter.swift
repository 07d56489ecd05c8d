/// PNG: the label goes in an uncompressed `iTXt` chunk `XML:com.adobe.xmp` before the first `IDAT`.
///
/// Also read: `tEXt`/`zTXt`/`iTXt` chunks whose keyword contains `AIGC` (written by some
/// generators), the XMP attribute form, and labels after `IDAT`. All of those are replaced
/// by the one canonical site when labelling.
struct PNGAdapter: CarrierAdapter {
    var carrier: Carrier { .png }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let xmpKeyword = "XML:com.adobe.xmp"
    /// Longest text a compressed chunk may expand to.
    static let textLimit = XMPPacket.maximumSize

    struct Chunk {
        var offset: Int
        var length: Int
        var type: String
        /// The chunk's data, loaded only for the chunk types we inspect.
        var data: [UInt8]?

        var end: Int { offset + 12 + length }
        var dataRange: Range<Int> { offset + 8..<offset + 8 + length }
        var isText: Bool { type == "tEXt" || type == "zTXt" || type == "iTXt" }
    }

    struct TextChunk {
        var keyword: String
        var text: [UInt8]
        var wasCompressed: Bool
    }

    /// Walks the chunk list, checking lengths and CRCs; stops at `IEND` or at damage.
    static func chunks(of file: FileSource) throws(FormatError) -> (chunks: [Chunk], damage: [FormatError]) {
        guard try file.bytes(upTo: 8, at: 0) == signature else {
            throw FormatError(.corrupt, at: 0, "not a PNG signature")
        }
        var chunks: [Chunk] = []
        var damage: [FormatError] = []
        var offset = 8
        var sawEnd = false
        while offset < file.size {
            let header: [UInt8]
            do { header = try file.bytes(at: offset, count: 8) } catch {
                damage.append(FormatError(.truncated, at: offset, "chunk header cut off by the end of the file"))
                break
            }
            let length = Int(try header.uint32BE(at: 0))
            let type = try header.fourCC(at: 4)
            guard header[4..<8].allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                damage.append(FormatError(.corrupt, at: offset, "chunk type is not four letters"))
                break
            }
            guard length <= 0x7FFF_FFFF, offset + 12 + length <= file.size else {
                damage.append(
                    FormatError(
                        .truncated, at: offset, "\(type) chunk of \(length) bytes runs past the end of the file (\(file.size) bytes)"))
                break
            }
            var chunk = Chunk(offset: offset, length: length, type: type)
            // Image data is CRC-checked only when it is in memory anyway.
            let inspect = type != "IDAT" || file.isInMemory
            if inspect {
                let body = try file.bytes(at: offset + 4, count: length + 8)
                let stored = try body.uint32BE(at: length + 4)
                if CRC32.checksum(body[0..<length + 4]) != stored {
                    damage.append(FormatError(.checksum, at: offset, "\(type) chunk has a bad CRC"))
                }
                if chunk.isText || type == "caBX" { chunk.data = Array(body[4..<4 + length]) }
            }
            chunks.append(chunk)
            offset = chunk.end
            if type == "IEND" {
                sawEnd = true
                break
            }
        }
        if !sawEnd && damage.isEmpty {
            damage.append(FormatError(.truncated, at: offset, "no IEND chunk: the file is cut short"))
        }
        if chunks.first?.type != "IHDR" {
            damage.append(FormatError(.corrupt, at: 8, "the first chunk is not IHDR"))
        }
        return (chunks, damage)
    }

    static func decodeText(_ chunk: Chunk) throws(FormatError) -> TextChunk {
        guard let data = chunk.data, let zero = data.firstIndex(of: 0) else {
            throw FormatError(.corrupt, at: chunk.offset, "\(chunk.type) chunk has no keyword terminator")
        }
        let keyword = data[0..<zero].latin1
        let rest = data[(zero + 1)...]
        switch chunk.type {
        case "tEXt":
            return TextChunk(keyword: keyword, text: Array(rest), wasCompressed: false)
        case "zTXt":
            guard rest.first == 0 else { throw FormatError(.corrupt, at: chunk.offset, "zTXt with unknown compression method") }
            return TextChunk(
                keyword: keyword, text: try Inflate.decompress(rest.dropFirst(), limit: textLimit, at: chunk.offset), wasCompressed: true)
        default:
            guard rest.count >= 2 else { throw FormatError(.corrupt, at: chunk.offset, "iTXt chunk too short") }
            let compressed = rest[rest.startIndex] == 1
            var cursor = rest.startIndex + 2
            for _ in 0..<2 {  // language tag, translated keyword
                guard let end = data[cursor...].firstIndex(of: 0) else {
                    throw FormatError(.corrupt, at: chunk.offset, "iTXt chunk is missing a terminator")
                }
                cursor = end + 1
            }
            let text = data[cursor...]
            return TextChunk(
                keyword: keyword,
                text: compressed ? try Inflate.decompress(text, limit: textLimit, at: chunk.offset) : Array(text),
                wasCompressed: compressed)
        }
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let (chunks, damage) = try Self.chunks(of: file)
        var reading = CarrierReading(damage: damage)
        var seenImageData = false
        for chunk in chunks {
            if chunk.type == "IDAT" { seenImageData = true }
            if chunk.type == "caBX" { reading.c2paManifest = "caBX chunk at byte \(chunk.offset)" }
            guard chunk.isText, chunk.data != nil else { continue }
            let text: TextChunk
            do { text = try Self.decodeText(chunk) } catch {
                reading.damage.append(error)
                continue
            }
            let place = seenImageData ? ", after IDAT" : ""
            let sitesBefore = reading.sites.count
            defer { if reading.sites.count > sitesBefore { reading.ownedRanges.append(chunk.offset..<chunk.end) } }
            if text.keyword == Self.xmpKeyword {
                reading.addXMP(text.text, offset: chunk.offset, canonicalPlace: chunk.type == "iTXt" && !seenImageData) {
                    "\(chunk.type) chunk \"\(Self.xmpKeyword)\", XMP \($0.rawValue) TC260:AIGC\(place)"
                }
            } else if text.keyword.contains("AIGC") {
                reading.sites.append(
                    LabelSite(
                        location: "\(chunk.type) chunk \"\(text.keyword)\"\(place)",
                        offset: chunk.offset,
                        isCanonical: false,
                        text: String(decoding: text.text, as: UTF8.self).trimmingWhitespace))
            }
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let (chunks, damage) = try Self.chunks(of: file)
        if let first = damage.first { throw first }
        var xmpChunks: [(chunk: Chunk, packet: [UInt8])] = []
        var dropped: Set<Int> = []
        for chunk in chunks where chunk.isText {
            let text = try Self.decodeText(chunk)
            if text.keyword == Self.xmpKeyword {
                xmpChunks.append((chunk, text.text))
            } else if text.keyword.contains("AIGC") {
                dropped.insert(chunk.offset)
            }
        }
        // The first XMP packet, merged, goes before the first IDAT; any other is only cleaned.
        let mergedPacket: [UInt8] =
            if let first = xmpChunks.first {
                try XMPPacket.merge(request, into: first.packet)
            } else {
                XMPPacket.make(request)
            }
        let labelChunk = Self.makeChunk("iTXt", Array(Self.xmpKeyword.utf8) + [0, 0, 0, 0, 0] + mergedPacket)
        var replacements: [Int: [UInt8]] = [:]
        for (index, entry) in xmpChunks.enumerated() {
            if index == 0 {
                dropped.insert(entry.chunk.offset)
            } else {
                let cleaned = XMPPacket.removingLabel(from: entry.packet)
                if cleaned != entry.packet {
                    replacements[entry.chunk.offset] = Self.makeChunk("iTXt", Array(Self.xmpKeyword.utf8) + [0, 0, 0, 0, 0] + cleaned)
                }
            }
        }
        var plan = EditPlan()
        plan.copy(0..<8)
        var placed = false
        for chunk in chunks {
            if !placed, chunk.type == "IDAT" || chunk.type == "IEND" {
                plan.insert(labelChunk)
                placed = true
            }
            if dropped.contains(chunk.offset) { continue }
            if let replacement = replacements[chunk.offset] {
                plan.insert(replacement)
            } else {
                plan.copy(chunk.offset..<chunk.end)
            }
        }
        if let last = chunks.last, last.end < file.size {
            plan.copy(last.end..<file.size)  // bytes after IEND are not ours to drop
        }
        return plan
    }

    static func makeChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        var chunk: [UInt8] = []
        chunk.appendUInt32BE(UInt32(data.count))
        let body = Array(type.utf8) + data
        chunk += body
        chunk.appendUInt32BE(CRC32.checksum(body))
        return chunk
    }
}

extension PNGAdapter {
    /// The PNG signature.
    static func recognises(head: [UInt8], path: String) -> Bool { head.starts(with: signature) }
}
