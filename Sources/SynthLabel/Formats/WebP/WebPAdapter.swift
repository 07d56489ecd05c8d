/// WebP: the label goes in the `XMP ` chunk of the extended (VP8X) format, with the VP8X
/// XMP flag set. A simple (VP8 or VP8L only) file gets a VP8X header, its canvas size read
/// from the bitstream header; the image data is copied untouched.
struct WebPAdapter: CarrierAdapter {
    var carrier: Carrier { .webp }

    static let xmpFlag: UInt8 = 0x04
    static let alphaFlag: UInt8 = 0x10

    typealias Chunk = RIFFChunks.Chunk

    /// The file's chunks (`RIFFChunks`), and damage if it holds no image data.
    static func chunks(of file: FileSource) throws(FormatError) -> (chunks: [Chunk], damage: [FormatError]) {
        var walk = try RIFFChunks(file, form: "WEBP")
        if walk.damage.isEmpty, !walk.chunks.contains(where: { ["VP8 ", "VP8L", "ANMF", "ANIM"].contains($0.id) }) {
            walk.damage.append(FormatError(.corrupt, at: 12, "no image data chunk"))
        }
        return (walk.chunks, walk.damage)
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let (chunks, damage) = try Self.chunks(of: file)
        var reading = CarrierReading(damage: damage)
        for chunk in chunks where chunk.id == "XMP " {
            guard chunk.size <= XMPPacket.maximumSize else {
                reading.damage.append(FormatError(.tooLarge, at: chunk.offset, "XMP chunk too large"))
                continue
            }
            let sitesBefore = reading.sites.count
            reading.addXMP(try file.bytes(at: chunk.offset + 8, count: chunk.size), offset: chunk.offset) {
                "WebP XMP chunk, \($0.rawValue) TC260:AIGC"
            }
            // The chunk and the RIFF size, which counts it.
            if reading.sites.count > sitesBefore { reading.ownedRanges += [4..<8, chunk.offset..<chunk.end] }
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let (chunks, damage) = try Self.chunks(of: file)
        if let first = damage.first { throw first }
        let xmpChunks = chunks.filter { $0.id == "XMP " }
        let packet: [UInt8] =
            if let first = xmpChunks.first {
                try XMPPacket.merge(request, into: try file.bytes(at: first.offset + 8, count: first.size))
            } else {
                XMPPacket.make(request)
            }
        var body: [EditPlan.Piece] = []
        if let extended = chunks.first(where: { $0.id == "VP8X" }) {
            guard extended.size >= 10 else { throw FormatError(.corrupt, at: extended.offset, "VP8X chunk too short") }
            var header = try file.bytes(at: extended.offset, count: extended.end - extended.offset)
            header[8] |= Self.xmpFlag
            body.append(.bytes(header))
        } else {
            body.append(.bytes(try Self.extendedHeader(for: chunks, in: file)))
        }
        for chunk in chunks where chunk.id != "VP8X" && chunk.id != "XMP " {
            body.append(.original(chunk.offset..<chunk.end))
        }
        body.append(.bytes(Self.chunk("XMP ", packet)))
        let size =
            4
            + body.reduce(0) { total, piece in
                switch piece {
                case .original(let range): total + range.count
                case .bytes(let bytes): total + bytes.count
                }
            }
        guard size <= Int(UInt32.max) else { throw FormatError(.tooLarge, "the labelled WebP would pass 4 GiB") }
        var plan = EditPlan()
        var header = Array("RIFF".utf8)
        header.appendUInt32LE(UInt32(size))
        plan.insert(header + Array("WEBP".utf8))
        for piece in body {
            switch piece {
            case .original(let range): plan.copy(range)
            case .bytes(let bytes): plan.insert(bytes)
            }
        }
        return plan
    }

    /// A VP8X chunk for a simple WebP, with the canvas size from the VP8/VP8L header.
    static func extendedHeader(for chunks: [Chunk], in file: FileSource) throws(FormatError) -> [UInt8] {
        var width = 0
        var height = 0
        var flags = xmpFlag
        if let lossy = chunks.first(where: { $0.id == "VP8 " }) {
            let frame = try file.bytes(at: lossy.offset + 8, count: min(lossy.size, 10))
            guard frame.count == 10, Array(frame[3..<6]) == [0x9D, 0x01, 0x2A] else {
                throw FormatError(.corrupt, at: lossy.offset, "VP8 frame header has no start code")
            }
            width = Int(try frame.uint16LE(at: 6) & 0x3FFF)
            height = Int(try frame.uint16LE(at: 8) & 0x3FFF)
        } else if let lossless = chunks.first(where: { $0.id == "VP8L" }) {
            let header = try file.bytes(at: lossless.offset + 8, count: min(lossless.size, 5))
            guard header.count == 5, header[0] == 0x2F else { throw FormatError(.corrupt, at: lossless.offset, "VP8L signature missing") }
            let bits = try header.uint32LE(at: 1)
            width = Int(bits & 0x3FFF) + 1
            height = Int(bits >> 14 & 0x3FFF) + 1
            if bits >> 28 & 1 == 1 { flags |= alphaFlag }
        } else {
            throw FormatError(.corrupt, "no VP8 or VP8L image data")
        }
        if chunks.contains(where: { $0.id == "ALPH" }) { flags |= alphaFlag }
        guard width > 0, height > 0 else { throw FormatError(.corrupt, "WebP canvas of zero size") }
        var payload: [UInt8] = [flags, 0, 0, 0]
        for value in [width - 1, height - 1] {
            payload += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF)]
        }
        return chunk("VP8X", payload)
    }

    static func chunk(_ id: String, _ payload: [UInt8]) -> [UInt8] {
        var bytes = Array(id.utf8)
        bytes.appendUInt32LE(UInt32(payload.count))
        bytes += payload
        if payload.count & 1 == 1 { bytes.append(0) }
        return bytes
    }
}

extension WebPAdapter {
    /// A RIFF header of form `WEBP`.
    static func recognises(head: [UInt8], path: String) -> Bool { RIFFForm.of(head) == "WEBP" }
}
