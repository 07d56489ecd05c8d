/// JPEG: the label goes in the APP1 XMP segment (`http://ns.adobe.com/xap/1.0/\0` + packet).
///
/// Only the marker segments before the first scan are walked; entropy-coded data is copied
/// without being read. EXIF, ICC, C2PA (APP11) and every other segment stay as they are, in order.
struct JPEGAdapter: CarrierAdapter {
    var carrier: Carrier { .jpeg }

    static let xmpHeader = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
    static let exifHeader = Array("Exif".utf8) + [0, 0]
    /// A segment's length field counts itself, so its payload is at most 65,533 bytes.
    static let maximumPayload = 65_533

    struct Segment {
        var offset: Int
        var marker: UInt8
        /// Payload after the length field.
        var payload: [UInt8]
        var end: Int

        var isXMP: Bool { marker == 0xE1 && payload.starts(with: JPEGAdapter.xmpHeader) }
        var isEXIF: Bool { marker == 0xE1 && payload.starts(with: JPEGAdapter.exifHeader) }

        /// The TIFF structure inside an EXIF segment.
        func exif(in file: FileSource) throws(FormatError) -> TIFFReader {
            try TIFFReader(
                file: file, base: offset + 4 + JPEGAdapter.exifHeader.count, length: payload.count - JPEGAdapter.exifHeader.count)
        }
        var xmpPacket: [UInt8] { Array(payload.dropFirst(JPEGAdapter.xmpHeader.count)) }
    }

    /// The header segments up to the first SOS, and where the scan data starts.
    static func segments(of file: FileSource) throws(FormatError) -> (segments: [Segment], scanStart: Int?, damage: [FormatError]) {
        guard try file.bytes(upTo: 2, at: 0) == [0xFF, 0xD8] else {
            throw FormatError(.corrupt, at: 0, "not a JPEG (no SOI marker)")
        }
        var segments: [Segment] = []
        var damage: [FormatError] = []
        var offset = 2
        while true {
            guard let header = try? file.bytes(at: offset, count: 2) else {
                damage.append(FormatError(.truncated, at: offset, "the file ends before the image data"))
                return (segments, nil, damage)
            }
            guard header[0] == 0xFF else {
                damage.append(FormatError(.corrupt, at: offset, "expected a marker, found byte 0x\(String(header[0], radix: 16))"))
                return (segments, nil, damage)
            }
            let marker = header[1]
            if marker == 0xFF {
                offset += 1
                continue
            }  // fill byte
            if marker == 0xD9 {
                damage.append(FormatError(.corrupt, at: offset, "end of image before any image data"))
                return (segments, nil, damage)
            }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {  // standalone markers
                offset += 2
                continue
            }
            if marker == 0xDA { return (segments, offset, damage) }
            guard let lengthBytes = try? file.bytes(at: offset + 2, count: 2) else {
                damage.append(FormatError(.truncated, at: offset, "segment length cut off"))
                return (segments, nil, damage)
            }
            let length = Int(try lengthBytes.uint16BE(at: 0))
            guard length >= 2, offset + 2 + length <= file.size else {
                damage.append(
                    FormatError(
                        .truncated, at: offset,
                        "segment 0xFF\(String(marker, radix: 16, uppercase: true)) of \(length) bytes runs past the end of the file"))
                return (segments, nil, damage)
            }
            let payload = try file.bytes(at: offset + 4, count: length - 2)
            segments.append(Segment(offset: offset, marker: marker, payload: payload, end: offset + 2 + length))
            offset += 2 + length
        }
    }

    /// A JPEG that does not end in EOI within its last 64 KiB was cut short.
    static func endDamage(of file: FileSource) throws(FormatError) -> FormatError? {
        if try file.bytes(upTo: 2, at: max(0, file.size - 2)) == [0xFF, 0xD9] { return nil }  // the usual case
        let tailLength = min(file.size, 64 * 1024)
        let tail = try file.bytes(at: file.size - tailLength, count: tailLength)
        return tail.firstIndex(of: [0xFF, 0xD9]) == nil
            ? FormatError(.truncated, at: file.size, "no end-of-image marker: the file is cut short")
            : nil
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let (segments, scanStart, damage) = try Self.segments(of: file)
        var reading = CarrierReading(damage: damage)
        if scanStart != nil, let end = try Self.endDamage(of: file) { reading.damage.append(end) }
        for segment in segments {
            if segment.marker == 0xEB, segment.payload.firstIndex(of: Array("c2pa".utf8)) != nil {
                reading.c2paManifest = "APP11 JUMBF segment at byte \(segment.offset)"
            }
            if segment.isEXIF {
                do {
                    reading.sites += try segment.exif(in: file).labelSites(place: "EXIF", xmpIsCanonical: false).sites
                } catch {
                    reading.notes.append("EXIF block not readable: \(error)")
                }
            }
            guard segment.isXMP else { continue }
            let sitesBefore = reading.sites.count
            reading.addXMP(segment.xmpPacket, offset: segment.offset) { "APP1 XMP segment, \($0.rawValue) TC260:AIGC" }
            if reading.sites.count > sitesBefore { reading.ownedRanges.append(segment.offset..<segment.end) }
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let (segments, scanStart, damage) = try Self.segments(of: file)
        if let first = damage.first { throw first }
        if let end = try Self.endDamage(of: file) { throw end }
        guard scanStart != nil else { throw FormatError(.corrupt, "no image data") }

        let xmpIndices = segments.indices.filter { segments[$0].isXMP }
        let merged: [UInt8] =
            if let first = xmpIndices.first {
                try XMPPacket.merge(request, into: segments[first].xmpPacket)
            } else {
                XMPPacket.make(request)
            }
        let labelSegment = try Self.makeSegment(0xE1, Self.xmpHeader + merged)
        // Without an XMP segment, ours goes after the leading APP0 (JFIF) / APP1 (EXIF) run.
        var insertAfter = -1
        while insertAfter + 1 < segments.count, [0xE0, 0xE1].contains(segments[insertAfter + 1].marker) {
            insertAfter += 1
        }

        var plan = EditPlan()
        plan.copy(0..<2)
        if xmpIndices.isEmpty && insertAfter == -1 { plan.insert(labelSegment) }
        var previousEnd = 2
        for (index, segment) in segments.enumerated() {
            plan.copy(previousEnd..<segment.offset)  // fill bytes and standalone markers
            previousEnd = segment.end
            if index == xmpIndices.first {
                plan.insert(labelSegment)
            } else if segment.isEXIF, let blanks = try? segment.exif(in: file).labelSites(place: "EXIF", xmpIsCanonical: false).blanks,
                !blanks.isEmpty
            {
                // Fold EXIF label copies into the XMP one: blank their text in place, so every
                // EXIF offset stays valid.
                var bytes = Array(try file.bytes(at: segment.offset, count: segment.end - segment.offset))
                for blank in blanks {
                    let start = blank.lowerBound - segment.offset
                    let end = min(bytes.count, blank.upperBound - segment.offset)
                    if start >= 0 && start < end { bytes.replaceSubrange(start..<end, with: repeatElement(0, count: end - start)) }
                }
                plan.insert(bytes)
            } else if segment.isXMP {
                let cleaned = XMPPacket.removingLabel(from: segment.xmpPacket)
                if cleaned == segment.xmpPacket {
                    plan.copy(segment.offset..<segment.end)
                } else {
                    plan.insert(try Self.makeSegment(0xE1, Self.xmpHeader + cleaned))
                }
            } else {
                plan.copy(segment.offset..<segment.end)
            }
            if xmpIndices.isEmpty && index == insertAfter { plan.insert(labelSegment) }
        }
        plan.copy(previousEnd..<file.size)
        return plan
    }

    static func makeSegment(_ marker: UInt8, _ payload: [UInt8]) throws(FormatError) -> [UInt8] {
        guard payload.count <= maximumPayload else {
            throw FormatError(
                .tooLarge,
                "the XMP packet would be \(payload.count) bytes, over a JPEG segment's \(maximumPayload); extended XMP is not written")
        }
        var segment: [UInt8] = [0xFF, marker]
        segment.appendUInt16BE(UInt16(payload.count + 2))
        return segment + payload
    }
}

extension JPEGAdapter {
    /// A start-of-image marker and the next marker's first byte.
    static func recognises(head: [UInt8], path: String) -> Bool { head.starts(with: [0xFF, 0xD8, 0xFF]) }
}
