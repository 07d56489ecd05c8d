/// GIF: the label lives in the XMP packet of the `XMP DataXMP` application extension.
///
/// Labelling merges the label into the first such extension, or adds one after the leading
/// application extensions (a NETSCAPE2.0 loop extension must stay first) and before the
/// first image or control block; a GIF87a file becomes GIF89a, the version that has
/// extensions. Every other block is copied as it was: frames, palettes, timing, comments.
struct GIFAdapter: CarrierAdapter {
    var carrier: Carrier { .gif }

    static let xmpApplication = Array("XMP DataXMP".utf8)

    /// The blocks that matter to the label.
    struct Layout {
        /// Each XMP application extension: its bytes and its packet.
        var xmp: [(range: Range<Int>, packet: [UInt8])] = []
        /// Where a new XMP extension goes: after the leading application extensions.
        var insertion = 13
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        do throws(FormatError) {
            for block in try layout(of: file).xmp {
                let before = reading.sites.count
                reading.addXMP(block.packet, offset: block.range.lowerBound) { "GIF XMP application extension, \($0.rawValue) TC260:AIGC" }
                if reading.sites.count > before { reading.ownedRanges.append(block.range) }
            }
        } catch {
            reading.damage.append(error)
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let layout = try layout(of: file)
        var plan = EditPlan()
        let header = try file.bytes(upTo: 6, at: 0)
        if header == Array("GIF87a".utf8) {
            plan.insert(Array("GIF89a".utf8))
        } else {
            plan.copy(0..<6)
        }
        var position = 6
        func copy(upTo end: Int) {
            plan.copy(position..<end)
            position = end
        }
        if let first = layout.xmp.first {
            // Our label in the first packet; any other packet keeps everything but a label.
            for (index, block) in layout.xmp.enumerated() {
                copy(upTo: block.range.lowerBound)
                if index == 0 {
                    plan.insert(Self.extensionBlock(try XMPPacket.merge(request, into: first.packet)))
                } else if XMPPacket.labelProperties(in: block.packet).isEmpty {
                    plan.copy(block.range)
                } else {
                    plan.insert(Self.extensionBlock(XMPPacket.removingLabel(from: block.packet)))
                }
                position = block.range.upperBound
            }
        } else {
            copy(upTo: layout.insertion)
            plan.insert(Self.extensionBlock(XMPPacket.make(request)))
        }
        copy(upTo: file.size)
        return plan
    }

    /// An XMP application extension: the packet raw, then the 258-byte "magic trailer" (0x01,
    /// 0xFF down to 0x00, and a block terminator) that lets a reader skip it as sub-blocks.
    static func extensionBlock(_ packet: [UInt8]) -> [UInt8] {
        [0x21, 0xFF, 11] + xmpApplication + packet + [0x01] + (0...255).reversed().map { UInt8($0) } + [0x00]
    }

    /// Walks the blocks up to the trailer, recording the XMP extensions and where a new one goes.
    func layout(of file: FileSource) throws(FormatError) -> Layout {
        let header = try file.bytes(upTo: 13, at: 0)
        guard header.count == 13, header.starts(with: "GIF87a") || header.starts(with: "GIF89a") else {
            throw FormatError(.corrupt, at: 0, "not a GIF header")
        }
        var layout = Layout()
        var reader = SequentialReader(file: file, offset: 13)
        if header[10] & 0x80 != 0 { try reader.skip(3 << (Int(header[10] & 0x07) + 1)) }  // global colour table
        layout.insertion = reader.offset
        var leading = true
        blocks: while true {
            let start = reader.offset
            let introducer = try reader.byte()
            switch introducer {
            case 0x3B:  // trailer
                break blocks
            case 0x2C:  // image: descriptor, local colour table, LZW code size, data sub-blocks
                leading = false
                let descriptor = try reader.bytes(9)
                if descriptor[8] & 0x80 != 0 { try reader.skip(3 << (Int(descriptor[8] & 0x07) + 1)) }
                _ = try reader.byte()
                try skipSubBlocks(&reader)
            case 0x21:
                let label = try reader.byte()
                if label == 0xFF, try reader.byte() == 11 {
                    let application = try reader.bytes(11)
                    if application == Self.xmpApplication {
                        let packet = try xmpPacket(&reader)
                        layout.xmp.append((start..<reader.offset, packet))
                    } else {
                        try skipSubBlocks(&reader)
                    }
                    if leading { layout.insertion = reader.offset }
                    continue
                }
                leading = false
                if label == 0xFF { reader.rewind(by: 1) }
                try skipSubBlocks(&reader)
            default:
                throw FormatError(.corrupt, at: start, "unexpected GIF block 0x\(String(introducer, radix: 16))")
            }
        }
        return layout
    }

    private func skipSubBlocks(_ reader: inout SequentialReader) throws(FormatError) {
        while true {
            let size = Int(try reader.byte())
            if size == 0 { return }
            try reader.skip(size)
        }
    }

    /// The XMP packet is stored raw, followed by a 258-byte "magic trailer" that makes the
    /// whole thing parse as sub-blocks; the packet ends at the trailer's first byte (0x01).
    private func xmpPacket(_ reader: inout SequentialReader) throws(FormatError) -> [UInt8] {
        var packet: [UInt8] = []
        while true {
            let byte = try reader.byte()
            if byte == 0x01 { break }
            packet.append(byte)
            guard packet.count <= XMPPacket.maximumSize else { throw FormatError(.tooLarge, at: reader.offset, "GIF XMP packet too large") }
        }
        reader.rewind(by: 1)
        try skipSubBlocks(&reader)
        return packet
    }
}

extension GIFAdapter {
    /// Either GIF signature.
    static func recognises(head: [UInt8], path: String) -> Bool { head.starts(with: "GIF87a") || head.starts(with: "GIF89a") }
}
