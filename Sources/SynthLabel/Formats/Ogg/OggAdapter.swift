/// Ogg Vorbis and Ogg Opus: the label is an `AIGC=` entry of the comment header packet.
///
/// Only the header pages are rebuilt. When the new comment header fills as many pages as
/// the old one, every audio page is copied untouched; otherwise the following pages of the
/// stream get new sequence numbers and CRCs (their packets and granules unchanged).
struct OggAdapter: CarrierAdapter {
    var carrier: Carrier { .ogg }

    /// Largest comment header read (cover art can make it large).
    static let headerLimit = 16 << 20

    enum Codec {
        case vorbis, opus

        /// Header packets: identification, comments, and (Vorbis) setup.
        var headerPackets: Int { self == .vorbis ? 3 : 2 }
        var commentMagic: [UInt8] { self == .vorbis ? [3] + Array("vorbis".utf8) : Array("OpusTags".utf8) }
        var name: String { self == .vorbis ? "Vorbis" : "Opus" }
    }

    struct Page {
        var offset: Int
        var headerType: UInt8
        var granule: [UInt8]
        var serial: UInt32
        var sequence: UInt32
        var lacing: [UInt8]
        var dataRange: Range<Int>
        var end: Int { dataRange.upperBound }
    }

    static func page(at offset: Int, in file: FileSource) throws(FormatError) -> Page {
        let header = try file.bytes(at: offset, count: min(27, file.size - offset))
        guard header.count == 27, header.starts(with: "OggS") else {
            throw FormatError(.truncated, at: offset, "Ogg page header cut off or missing")
        }
        guard header[4] == 0 else { throw FormatError(.unsupported, at: offset, "Ogg page version \(header[4])") }
        let segments = Int(header[26])
        let lacing = try file.bytes(at: offset + 27, count: segments)
        let dataStart = offset + 27 + segments
        let dataLength = lacing.reduce(0) { $0 + Int($1) }
        guard dataStart + dataLength <= file.size else {
            throw FormatError(.truncated, at: offset, "Ogg page runs past the end of the file")
        }
        return Page(
            offset: offset, headerType: header[5], granule: Array(header[6..<14]), serial: try header.uint32LE(at: 14),
            sequence: try header.uint32LE(at: 18), lacing: lacing, dataRange: dataStart..<dataStart + dataLength)
    }

    static func checksumMatches(_ page: Page, in file: FileSource) throws(FormatError) -> Bool {
        var bytes = try file.bytes(at: page.offset, count: page.end - page.offset)
        let stored = try bytes.uint32LE(at: 22)
        bytes.replaceSubrange(22..<26, with: [0, 0, 0, 0])
        return OggCRC.checksum(bytes[...]) == stored
    }

    /// The header packets of the first stream and the pages they fill.
    struct Headers {
        var codec: Codec
        var serial: UInt32
        var packets: [[UInt8]]
        /// Index in `pages` of the first page after the headers.
        var pages: [Page]
        var audioStart: Int
    }

    static func headers(of file: FileSource) throws(FormatError) -> Headers {
        var pages: [Page] = []
        var packets: [[UInt8]] = []
        var current: [UInt8] = []
        var offset = 0
        var serial: UInt32?
        var codec: Codec?
        var total = 0
        while packets.count < (codec?.headerPackets ?? 1) {
            let page = try page(at: offset, in: file)
            if serial == nil { serial = page.serial }
            guard page.serial == serial else {
                throw FormatError(.unsupported, at: offset, "multiplexed Ogg streams are not handled")
            }
            guard try checksumMatches(page, in: file) else { throw FormatError(.checksum, at: offset, "Ogg page CRC does not match") }
            pages.append(page)
            total += page.dataRange.count
            guard total <= headerLimit else { throw FormatError(.tooLarge, at: offset, "Ogg header packets exceed \(headerLimit) bytes") }
            let data = try file.bytes(at: page.dataRange.lowerBound, count: page.dataRange.count)
            var cursor = 0
            for (index, lace) in page.lacing.enumerated() {
                current += data[cursor..<cursor + Int(lace)]
                cursor += Int(lace)
                if lace < 255 {
                    packets.append(current)
                    current = []
                    if packets.count == 1 {
                        if packets[0].starts(with: [1] + Array("vorbis".utf8)) {
                            codec = .vorbis
                        } else if packets[0].starts(with: "OpusHead") {
                            codec = .opus
                        } else {
                            throw FormatError(.unsupported, at: 0, "Ogg stream is neither Vorbis nor Opus")
                        }
                    }
                    if let codec, packets.count == codec.headerPackets, index != page.lacing.count - 1 {
                        throw FormatError(.corrupt, at: offset, "audio data shares the last header page")
                    }
                }
            }
            offset = page.end
        }
        guard let codec, let serial else { throw FormatError(.corrupt, at: 0, "no Ogg headers") }
        guard packets[1].starts(with: codec.commentMagic) else {
            throw FormatError(.corrupt, at: pages[0].end, "the second \(codec.name) packet is not a comment header")
        }
        return Headers(codec: codec, serial: serial, packets: packets, pages: pages, audioStart: offset)
    }

    static func comments(in headers: Headers) throws(FormatError) -> VorbisComments {
        try VorbisComments(parsing: headers.packets[1].dropFirst(headers.codec.commentMagic.count), at: headers.pages[0].end)
    }

    /// The longest packet a decoder is handed: far above any Vorbis or Opus audio packet (a few
    /// KiB) and a comment header with cover art, far below what a packet that never ends would
    /// make libogg gather in memory.
    static let longestPacket = 64 << 20

    /// The offset of the page where a packet grows past `longestPacket`, or nil when none does.
    /// Only page headers are read.
    static func overlongPacket(in file: FileSource) throws(FormatError) -> Int? {
        var offset = 0
        var running = 0
        var started = 0
        while offset < file.size {
            let page = try page(at: offset, in: file)
            for value in page.lacing {
                if running == 0 { started = page.offset }
                running += Int(value)
                if running > longestPacket { return started }
                if value < 255 { running = 0 }
            }
            offset = page.end
        }
        return nil
    }

    /// A cut Ogg file ends inside a page: the last page must end at the end of the file
    /// and pass its CRC. Only the tail is read.
    static func endDamage(of file: FileSource, after start: Int) throws(FormatError) -> FormatError? {
        guard file.size > start else { return FormatError(.truncated, at: start, "no audio pages after the headers") }
        // Pages are a few KiB: look in the last 16 KiB first, then up to 128 KiB. "OggS" can
        // occur inside audio data too, so candidates are tried from the end.
        for window in [16 << 10, 128 << 10] {
            let tailStart = max(start, file.size - window)
            let tail = try file.bytes(at: tailStart, count: file.size - tailStart)
            var end = tail.count
            for _ in 0..<64 {
                guard let candidate = Array(tail[0..<end]).lastIndex(of: Array("OggS".utf8)) else { break }
                if let page = try? page(at: tailStart + candidate, in: file), page.end == file.size,
                    (try? checksumMatches(page, in: file)) == true
                {
                    return nil
                }
                end = candidate
            }
            if tailStart == start { break }
        }
        return FormatError(.truncated, at: file.size, "the last Ogg page is cut short or damaged")
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        guard try file.bytes(upTo: 4, at: 0) == Array("OggS".utf8) else { throw FormatError(.corrupt, at: 0, "not an Ogg page") }
        var reading = CarrierReading()
        do throws(FormatError) {
            let headers = try Self.headers(of: file)
            reading.sites = try Self.comments(in: headers).labelSites(
                place: "Ogg \(headers.codec.name) comment", offset: headers.pages[0].end)
            if let damage = try Self.endDamage(of: file, after: headers.audioStart) { reading.damage.append(damage) }
        } catch {
            if error.kind == .unsupported { reading.unread.append(error.message) } else { reading.damage.append(error) }
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let headers = try Self.headers(of: file)
        if let damage = try Self.endDamage(of: file, after: headers.audioStart) { throw damage }
        var packets = headers.packets
        packets[1] = headers.codec.commentMagic + (try Self.comments(in: headers)).labelled(with: request.label).bytes
        let consumed = headers.codec.commentMagic.count + (try Self.comments(in: headers)).length
        packets[1] += headers.packets[1].dropFirst(consumed)  // Vorbis framing bit, Opus extra data: kept as they were
        // The identification packet keeps its own page; the others are paginated afresh.
        var plan = EditPlan()
        plan.copy(0..<headers.pages[0].end)
        let newPages = Self.paginate(Array(packets[1...]), serial: headers.serial, firstSequence: headers.pages[0].sequence + 1)
        for page in newPages { plan.insert(page) }
        let shift = Int64(newPages.count) - Int64(headers.pages.count - 1)
        if shift == 0 {
            plan.copy(headers.audioStart..<file.size)
            return plan
        }
        // Renumber the rest of the stream's pages; pages of other streams are copied as they are.
        var offset = headers.audioStart
        while offset < file.size {
            let page = try Self.page(at: offset, in: file)
            if page.serial == headers.serial {
                var bytes = try file.bytes(at: page.offset, count: page.end - page.offset)
                let sequence = UInt32(truncatingIfNeeded: Int64(page.sequence) + shift)
                bytes.replaceSubrange(18..<22, with: withUnsafeBytes(of: sequence.littleEndian, Array.init))
                bytes.replaceSubrange(22..<26, with: [0, 0, 0, 0])
                bytes.replaceSubrange(22..<26, with: withUnsafeBytes(of: OggCRC.checksum(bytes[...]).littleEndian, Array.init))
                plan.insert(Array(bytes[0..<(27 + page.lacing.count)]))
                plan.copy(page.dataRange)
            } else {
                plan.copy(page.offset..<page.end)
            }
            offset = page.end
        }
        return plan
    }

    /// Header pages for `packets`: each packet ends a lacing run, and the last ends its page.
    static func paginate(_ packets: [[UInt8]], serial: UInt32, firstSequence: UInt32) -> [[UInt8]] {
        var laces: [(value: UInt8, packet: Int, offset: Int)] = []
        for (index, packet) in packets.enumerated() {
            var remaining = packet.count
            var offset = 0
            repeat {
                let value = min(255, remaining)
                laces.append((UInt8(value), index, offset))
                offset += value
                remaining -= value
                if value < 255 { break }
            } while true
        }
        var pages: [[UInt8]] = []
        var start = 0
        var continued = false
        while start < laces.count {
            // A page holds at most 255 segments; the header packets end on a page of their own.
            let end = min(laces.count, start + 255)
            let chunk = laces[start..<end]
            var page = Array("OggS".utf8) + [0, continued ? 0x01 : 0x00] + [UInt8](repeating: 0, count: 8)
            page.appendUInt32LE(serial)
            page.appendUInt32LE(firstSequence + UInt32(pages.count))
            page += [0, 0, 0, 0, UInt8(chunk.count)]
            page += chunk.map(\.value)
            for lace in chunk {
                page += packets[lace.packet][lace.offset..<lace.offset + Int(lace.value)]
            }
            page.replaceSubrange(22..<26, with: withUnsafeBytes(of: OggCRC.checksum(page[...]).littleEndian, Array.init))
            pages.append(page)
            continued = chunk.last?.value == 255
            start = end
        }
        return pages
    }
}

/// The CRC-32 of Ogg pages: polynomial 0x04C11DB7, MSB first, initial value 0, no final xor.
enum OggCRC {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index) << 24
        for _ in 0..<8 { value = value & 0x8000_0000 != 0 ? (value << 1) ^ 0x04C1_1DB7 : value << 1 }
        return value
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(byte))] }
        return crc
    }
}

extension OggAdapter {
    /// An Ogg page's capture pattern.
    static func recognises(head: [UInt8], path: String) -> Bool { head.starts(with: "OggS") }
}
