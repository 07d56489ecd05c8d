extension XMPPacket {
    /// The label sites of a packet stored at `offset`. A site is canonical when the packet
    /// sits where the guide puts it (`canonicalPlace`) and the label is in element form;
    /// `describe` names the place for a given form.
    static func labelSites(in packet: [UInt8], offset: Int, canonicalPlace: Bool, describe: (Property.Form) -> String) -> [LabelSite] {
        labelProperties(in: packet).map { property in
            LabelSite(
                location: describe(property.form), offset: offset, isCanonical: canonicalPlace && property.form == .element,
                text: property.text)
        }
    }
}

extension CarrierReading {
    /// Adds an image carrier's XMP packet: its label sites and, if none was seen before, its
    /// IPTC source type.
    mutating func addXMP(_ packet: [UInt8], offset: Int, canonicalPlace: Bool = true, describe: (XMPPacket.Property.Form) -> String) {
        sites += XMPPacket.labelSites(in: packet, offset: offset, canonicalPlace: canonicalPlace, describe: describe)
        digitalSourceType = digitalSourceType ?? XMPPacket.digitalSourceType(in: packet)
        caption = caption ?? XMPPacket.captionRecord(in: packet)
    }
}
