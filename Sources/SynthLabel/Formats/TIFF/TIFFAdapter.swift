/// TIFF: the label lives in the XMP packet of IFD0 tag 700.
///
/// Labelling never moves image data, so every offset in the file stays right: the packet and a
/// copy of IFD0 with tag 700 added or replaced are appended, and the header's 4-byte pointer to
/// the first directory is set to the copy. The old directory stays where it was, unreferenced;
/// a copy appended by an earlier labelling is replaced rather than followed by another.
struct TIFFAdapter: CarrierAdapter {
    var carrier: Carrier { .tiff }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        do throws(FormatError) {
            let reader = try TIFFReader(file: file, base: 0, length: file.size)
            let (sites, xmp, _) = try reader.labelSites(place: "TIFF", xmpIsCanonical: true)
            reading.sites = sites
            reading.digitalSourceType = xmp.flatMap(XMPPacket.digitalSourceType(in:))
        } catch {
            if error.offset == 0 && error.kind == .corrupt { throw error }
            reading.damage.append(error)
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let reader = try TIFFReader(file: file, base: 0, length: file.size)
        let directoryOffset = try reader.firstIFDOffset()
        let entries = try reader.entries(at: directoryOffset)
        let directoryLength = 2 + 12 * entries.count + 4
        let directory = try reader.read(directoryOffset, directoryLength)
        let (_, existing, blanks) = try reader.labelSites(place: "TIFF", xmpIsCanonical: true)
        let packet =
            try existing.map { (packet) throws(FormatError) in try XMPPacket.merge(request, into: packet) } ?? XMPPacket.make(request)

        // What an earlier labelling appended (packet and directory at the very end) is replaced.
        var kept = file.size
        if let xmpEntry = entries.first(where: { $0.tag == TIFFReader.xmpTag }), let size = xmpEntry.byteCount {
            let packetRange = xmpEntry.valueOffset..<xmpEntry.valueOffset + size
            let directoryRange = directoryOffset..<directoryOffset + directoryLength
            let appended = min(packetRange.lowerBound, directoryRange.lowerBound)..<max(packetRange.upperBound, directoryRange.upperBound)
            if appended.upperBound == file.size, appended.count - packetRange.count - directoryRange.count <= 1, appended.lowerBound >= 8 {
                kept = appended.lowerBound
            }
        }

        var plan = EditPlan()
        plan.copy(0..<4)
        var tail: [UInt8] = kept % 2 == 1 ? [0] : []  // TIFF offsets are even
        let packetOffset = kept + tail.count
        tail += packet
        if tail.count % 2 == 1 { tail.append(0) }
        let newDirectoryOffset = kept + tail.count
        guard newDirectoryOffset + directoryLength + 12 <= Int(UInt32.max) else {
            throw FormatError(.tooLarge, at: 4, "the labelled TIFF would pass 4 GiB, beyond 32-bit offsets")
        }
        plan.insert(reader.encode(UInt32(newDirectoryOffset)))
        // The original bytes, with label copies in ImageDescription or UserComment blanked in
        // place (folded into the XMP label, every offset kept).
        var position = 8
        for blank in blanks.sorted(by: { $0.lowerBound < $1.lowerBound }) where blank.lowerBound >= position && blank.upperBound <= kept {
            plan.copy(position..<blank.lowerBound)
            plan.insert([UInt8](repeating: 0, count: blank.count))
            position = blank.upperBound
        }
        plan.copy(position..<kept)

        // IFD0 again, its entries in tag order with tag 700 in its place (the type an existing
        // entry had, BYTE or UNDEFINED; UNDEFINED when new); every other entry is copied as its
        // 12 bytes, inline values and offsets alike.
        let xmpType = entries.first { $0.tag == TIFFReader.xmpTag && [1, 7].contains($0.type) }?.type ?? 7
        var rows = entries.enumerated().filter { $0.element.tag != TIFFReader.xmpTag }.map { index, entry in
            (tag: entry.tag, bytes: Array(directory[2 + 12 * index..<2 + 12 * index + 12]))
        }
        rows.append(
            (
                TIFFReader.xmpTag,
                reader.encode(TIFFReader.xmpTag) + reader.encode(xmpType) + reader.encode(UInt32(packet.count))
                    + reader.encode(UInt32(packetOffset))
            ))
        rows.sort { $0.tag < $1.tag }
        tail += reader.encode(UInt16(rows.count)) + rows.flatMap(\.bytes) + Array(directory.suffix(4))
        plan.insert(tail)
        return plan
    }
}

extension TIFFAdapter {
    /// A little- or big-endian TIFF header.
    static func recognises(head: [UInt8], path: String) -> Bool {
        head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
    }
}

extension TIFFReader {
    /// `value` in the file's byte order.
    func encode<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(value, width: Value.bitWidth / 8, bigEndian: bigEndian)
        return bytes
    }
}
