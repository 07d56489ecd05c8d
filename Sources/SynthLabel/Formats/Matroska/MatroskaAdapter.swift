/// Matroska and WebM: the label is a `SimpleTag` named `AIGC`, its `TagString` the JSON, in a
/// global `Tag` (no target) of `Segment/Tags`, as the TC260 video guide places it.
///
/// Writing never moves a cluster, so `Cues` and every cluster position stay right: the new
/// `Tags` goes where the old one was when it fits there (with the `Void` after it), else the old
/// one becomes a `Void` of its length and the new one is appended to the segment, the
/// `SeekHead` pointing at it (the `Void` FFmpeg and mkvmerge reserve after it takes the change).
struct MatroskaAdapter: CarrierAdapter {
    var carrier: Carrier { .matroska }

    /// Metadata elements larger than this are not read (real `Tags` are a few KiB).
    static let metadataLimit = 16 << 20

    /// The children of `range` in the file, reading only their headers.
    static func elements(in range: Range<Int>, of file: FileSource) throws(FormatError) -> [EBML.Element] {
        var elements: [EBML.Element] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            let header = try file.bytes(upTo: min(12, range.upperBound - offset), at: offset)
            var element = try EBML.element(at: 0, in: header, limit: range.upperBound - offset, base: offset)
            element.offset += offset
            element.end += offset
            elements.append(element)
            offset = element.end
        }
        return elements
    }

    /// The segment and its children.
    static func layout(of file: FileSource) throws(FormatError) -> (segment: EBML.Element, children: [EBML.Element]) {
        let top = try elements(in: 0..<file.size, of: file)
        guard top.first?.id == 0x1A45_DFA3 else { throw FormatError(.corrupt, at: 0, "no EBML header") }
        guard let segment = top.first(where: { $0.id == EBML.segment }) else { throw FormatError(.truncated, at: file.size, "no Segment") }
        return (segment, try elements(in: segment.data, of: file))
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        do throws(FormatError) {
            let (segment, children) = try Self.layout(of: file)
            for tags in children where tags.id == EBML.tags && tags.length <= Self.metadataLimit {
                let bytes = try file.bytes(at: tags.offset, count: tags.length)
                for tag in try EBML.elements(in: tags.headerSize..<bytes.count, of: bytes, base: tags.offset) where tag.id == EBML.tag {
                    let parts = try EBML.elements(in: tag.data, of: bytes, base: tags.offset)
                    let global = Self.isGlobal(parts, in: bytes)
                    for simple in parts where simple.id == EBML.simpleTag {
                        let (name, text) = try Self.nameAndString(simple, in: bytes, base: tags.offset)
                        if name == CaptionRecord.videoKey, let text {
                            reading.caption = reading.caption ?? CaptionRecord(serialized: text)
                            continue
                        }
                        guard let name, name.contains("AIGC"), let text else { continue }
                        if name == "AIGC" && global && reading.ownedRanges.isEmpty {
                            // What the label owns, for signatures: its SimpleTag, the sizes that
                            // count it (its Tag's, the Tags', the Segment's), and what labelling
                            // rewrites around it (the SeekHead and the Voids that take changes of length).
                            reading.ownedRanges =
                                [
                                    (segment.offset + segment.headerSize - segment.sizeLength)..<segment.data.lowerBound,
                                    tags.offset..<(tags.offset + tags.headerSize),
                                    (tags.offset + tag.offset)..<(tags.offset + tag.offset + tag.headerSize),
                                    (tags.offset + simple.offset)..<(tags.offset + simple.end),
                                ] + children.filter { $0.id == EBML.void || $0.id == EBML.seekHead }.map { $0.offset..<$0.end }
                        }
                        reading.sites.append(
                            LabelSite(
                                location: "Matroska Segment/Tags/Tag/SimpleTag \(name)\(global ? "" : " (targeted)")",
                                offset: tags.offset + simple.offset, isCanonical: name == "AIGC" && global, text: text.trimmingWhitespace))
                    }
                }
            }
        } catch {
            reading.damage.append(error)
        }
        return reading
    }

    /// Whether a Tag applies to the whole file: no Targets, or Targets naming no track,
    /// edition, chapter or attachment.
    static func isGlobal(_ parts: [EBML.Element], in bytes: [UInt8]) -> Bool {
        guard let targets = parts.first(where: { $0.id == EBML.targets }) else { return true }
        let children = (try? EBML.elements(in: targets.data, of: bytes)) ?? []
        return !children.contains { [0x63C5, 0x63C9, 0x63C4, 0x63C6].contains($0.id) }
    }

    /// A SimpleTag's TagName and TagString.
    static func nameAndString(_ simple: EBML.Element, in bytes: [UInt8], base: Int) throws(FormatError) -> (String?, String?) {
        var name: String?
        var text: String?
        for part in try EBML.elements(in: simple.data, of: bytes, base: base) {
            if part.id == EBML.tagName { name = String(decoding: bytes[part.data], as: UTF8.self) }
            if part.id == EBML.tagString { text = String(decoding: bytes[part.data].prefix { $0 != 0 }, as: UTF8.self) }
        }
        return (name, text)
    }
}

extension MatroskaAdapter {
    /// An EBML header whose DocType is `matroska` or `webm`.
    static func recognises(head: [UInt8], path: String) -> Bool {
        head.starts(with: [0x1A, 0x45, 0xDF, 0xA3])
    }
}
