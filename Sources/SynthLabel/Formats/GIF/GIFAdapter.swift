/// GIF: the label lives in the XMP packet of the `XMP DataXMP` application extension.
/// Read only for now.
struct GIFAdapter: CarrierAdapter {
    var carrier: Carrier { .gif }

    static let xmpApplication = Array("XMP DataXMP".utf8)

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        let header = try file.bytes(upTo: 13, at: 0)
        guard header.count == 13, header.starts(with: "GIF87a") || header.starts(with: "GIF89a") else {
            throw FormatError(.corrupt, at: 0, "not a GIF header")
        }
        var reading = CarrierReading()
        var reader = SequentialReader(file: file, offset: 13)
        do throws(FormatError) {
            if header[10] & 0x80 != 0 { try reader.skip(3 << (Int(header[10] & 0x07) + 1)) }  // global colour table
            blocks: while true {
                let introducer = try reader.byte()
                switch introducer {
                case 0x3B:  // trailer
                    break blocks
                case 0x2C:  // image: descriptor, local colour table, LZW code size, data sub-blocks
                    let descriptor = try reader.bytes(9)
                    if descriptor[8] & 0x80 != 0 { try reader.skip(3 << (Int(descriptor[8] & 0x07) + 1)) }
                    _ = try reader.byte()
                    try skipSubBlocks(&reader)
                case 0x21:
                    let start = reader.offset - 1
                    let label = try reader.byte()
                    if label == 0xFF, try reader.byte() == 11 {
                        let application = try reader.bytes(11)
                        if application == Self.xmpApplication {
                            let packet = try xmpPacket(&reader)
                            reading.addXMP(packet, offset: start) { "GIF XMP application extension, \($0.rawValue) TC260:AIGC" }
                            continue
                        }
                    }
                    try skipSubBlocks(&reader)
                default:
                    throw FormatError(.corrupt, at: reader.offset - 1, "unexpected GIF block 0x\(String(introducer, radix: 16))")
                }
            }
        } catch {
            reading.damage.append(error)
        }
        return reading
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

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        throw FormatError(.unsupported, "SynthLabel reads labels in GIF files but does not write them yet")
    }
}

extension GIFAdapter {
    /// Either GIF signature.
    static func recognises(head: [UInt8], path: String) -> Bool { head.starts(with: "GIF87a") || head.starts(with: "GIF89a") }
}
