/// TIFF: the label lives in the XMP packet of IFD0 tag 700. Read only for now: writing
/// means relocating IFD values, which comes with a later issue.
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
        throw FormatError(.unsupported, "SynthLabel reads labels in TIFF files but does not write them yet")
    }
}

extension TIFFAdapter {
    /// A little- or big-endian TIFF header.
    static func recognises(head: [UInt8], path: String) -> Bool {
        head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
    }
}
