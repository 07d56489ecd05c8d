/// The XMP packet that carries the label in image formats (PNG iTXt, JPEG APP1, …).
///
/// Works on bytes, not on a parsed tree: merging into someone else's packet must keep
/// every byte we do not own, and a text-level edit does exactly that. Our properties
/// live in their own `rdf:Description`, so they can be replaced without touching others.
package enum XMPPacket {
    static let tc260Namespace = "http://www.tc260.org.cn/ns/AIGC/1.0/"
    static let iptcExtensionNamespace = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    /// SynthLabel's own properties: the record of a caption it drew (`CaptionRecord`).
    static let synthLabelNamespace = "https://synthlabel.org/ns/1.0/"
    /// Largest packet handled; real ones are a few KiB.
    static let maximumSize = 16 << 20

    /// A label found in a packet, with the form it was written in.
    package struct Property {
        enum Form: String { case element, attribute }
        var text: String
        var form: Form
    }

    /// A complete packet holding only the label and the IPTC source type.
    static func make(_ request: WriteRequest) -> [UInt8] {
        var packet: [UInt8] = []
        packet.appendUTF8("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
        packet.appendUTF8("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"SynthLabel\">\n")
        packet.appendUTF8(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
        packet.append(contentsOf: description(request))
        packet.appendUTF8(" </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
        return packet
    }

    /// `existing` with any previous label and source type removed and ours added. A caption
    /// record already there stays unless the request brings a new one (the caption is still drawn).
    package static func merge(_ request: WriteRequest, into existing: [UInt8]) throws(FormatError) -> [UInt8] {
        var packet = removingLabel(from: existing, includingCaption: request.caption != nil)
        guard let end = packet.firstIndex(of: Array("</rdf:RDF>".utf8)) else {
            throw FormatError(.unsupported, "the existing XMP packet has no </rdf:RDF>; it cannot be merged safely")
        }
        packet.insert(contentsOf: description(request), at: end)
        return packet
    }

    /// The packet without our properties (`AIGC` in the TC260 namespace, the IPTC source type),
    /// and without a description that held nothing else.
    static func removingLabel(from packet: [UInt8], includingCaption: Bool = false) -> [UInt8] {
        var packet = packet
        let prefixes = namespacePrefixes(in: packet)
        if includingCaption {
            for prefix in prefixes[synthLabelNamespace, default: []] {
                removeProperty(named: "\(prefix):Caption", from: &packet)
            }
        }
        for prefix in prefixes[tc260Namespace, default: []] + ["TC260"] {
            removeProperty(named: "\(prefix):AIGC", from: &packet)
        }
        for prefix in prefixes[iptcExtensionNamespace, default: []] {
            removeProperty(named: "\(prefix):DigitalSourceType", from: &packet)
        }
        removeEmptyOwnDescriptions(from: &packet)
        return packet
    }

    /// Every `AIGC` property in the TC260 namespace, element or attribute form.
    package static func labelProperties(in packet: [UInt8]) -> [Property] {
        let prefixes = Set(namespacePrefixes(in: packet)[tc260Namespace, default: []] + ["TC260"])
        return prefixes.sorted().flatMap { propertyValues(named: "\($0):AIGC", in: packet) }
    }

    /// The IPTC `DigitalSourceType` value, if the packet has one.
    package static func digitalSourceType(in packet: [UInt8]) -> String? {
        for prefix in namespacePrefixes(in: packet)[iptcExtensionNamespace, default: []] {
            if let property = propertyValues(named: "\(prefix):DigitalSourceType", in: packet).first {
                return property.text
            }
        }
        return nil
    }

    /// The record of a caption SynthLabel drew, if the packet has one.
    package static func captionRecord(in packet: [UInt8]) -> CaptionRecord? {
        for prefix in namespacePrefixes(in: packet)[synthLabelNamespace, default: []] {
            if let property = propertyValues(named: "\(prefix):Caption", in: packet).first {
                return CaptionRecord(serialized: property.text)
            }
        }
        return nil
    }

    // MARK: - Building

    private static func description(_ request: WriteRequest) -> [UInt8] {
        var text = "  <rdf:Description rdf:about=\"\" xmlns:TC260=\"\(tc260Namespace)\""
        text += " xmlns:Iptc4xmpExt=\"\(iptcExtensionNamespace)\""
        if request.caption != nil { text += " xmlns:synthlabel=\"\(synthLabelNamespace)\"" }
        text += ">\n"
        text += "   <TC260:AIGC>\(escape(request.label.innerJSON))</TC260:AIGC>\n"
        text += "   <Iptc4xmpExt:DigitalSourceType>\(request.sourceType.rawValue)</Iptc4xmpExt:DigitalSourceType>\n"
        if let caption = request.caption {
            text += "   <synthlabel:Caption>\(escape(caption.serialized))</synthlabel:Caption>\n"
        }
        text += "  </rdf:Description>\n"
        return Array(text.utf8)
    }

    static func escape(_ text: String) -> String {
        // Byte by byte: a signed label's value runs to about a thousand characters, and the
        // characters escaped here are all ASCII, which never occurs inside a UTF-8 sequence.
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count + text.utf8.count / 4)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        // Byte by byte (entities are ASCII); an entity that is not one is kept as written.
        let bytes = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "&"),
                let semicolon = bytes[index..<min(bytes.count, index + 12)].firstIndex(of: UInt8(ascii: ";"))
            else {
                out.append(bytes[index])
                index += 1
                continue
            }
            let entity = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": out.append(UInt8(ascii: "&"))
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let code: UInt32? =
                    entity.hasPrefix("#x")
                    ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                if let code, let scalar = Unicode.Scalar(code) {
                    out += Array(String(Character(scalar)).utf8)
                } else {
                    out += bytes[index...semicolon]
                }
            }
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Scanning

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte >= 0x80
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Namespace URI → the prefixes bound to it anywhere in the packet.
    static func namespacePrefixes(in packet: [UInt8]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        let marker = Array("xmlns:".utf8)
        var index = 0
        while let found = packet.firstIndex(of: marker, from: index) {
            var cursor = found + marker.count
            let nameStart = cursor
            while cursor < packet.count, isNameByte(packet[cursor]) { cursor += 1 }
            let prefix = String(decoding: packet[nameStart..<cursor], as: UTF8.self)
            index = cursor
            guard let value = quotedValue(in: packet, after: cursor) else { continue }
            let uri = String(decoding: packet[value], as: UTF8.self)
            if !prefix.isEmpty { result[uri, default: []].append(prefix) }
            index = value.upperBound + 1
        }
        return result
    }

    /// After an attribute name: skips `=` and spaces and returns the range inside the quotes,
    /// or nil when no quoted value follows.
    private static func quotedValue(in packet: [UInt8], after index: Int) -> Range<Int>? {
        var cursor = index
        while cursor < packet.count, isSpace(packet[cursor]) { cursor += 1 }
        guard cursor < packet.count, packet[cursor] == UInt8(ascii: "=") else { return nil }
        cursor += 1
        while cursor < packet.count, isSpace(packet[cursor]) { cursor += 1 }
        guard cursor < packet.count, packet[cursor] == UInt8(ascii: "\"") || packet[cursor] == UInt8(ascii: "'") else { return nil }
        let quote = packet[cursor]
        guard let close = packet[(cursor + 1)...].firstIndex(of: quote) else { return nil }
        return cursor + 1..<close
    }

    /// Where a property occurs: the byte range to delete and the range of its raw value.
    private struct Occurrence {
        var whole: Range<Int>
        var value: Range<Int>
        var form: Property.Form
    }

    private static func occurrences(of name: String, in packet: [UInt8]) -> [Occurrence] {
        var found: [Occurrence] = []
        let nameBytes = Array(name.utf8)
        var index = 0
        while let start = packet.firstIndex(of: nameBytes, from: index) {
            index = start + nameBytes.count
            let after = index < packet.count ? packet[index] : 0
            let before = start > 0 ? packet[start - 1] : 0
            if before == UInt8(ascii: "<"), isSpace(after) || after == UInt8(ascii: ">") || after == UInt8(ascii: "/") {
                // Element form: <p:AIGC ...>value</p:AIGC> or <p:AIGC/>.
                guard let tagEnd = packet[index...].firstIndex(of: UInt8(ascii: ">")) else { break }
                var wholeStart = start - 1
                while wholeStart > 0, isSpace(packet[wholeStart - 1]) { wholeStart -= 1 }
                if packet[tagEnd - 1] == UInt8(ascii: "/") {
                    found.append(Occurrence(whole: wholeStart..<tagEnd + 1, value: tagEnd..<tagEnd, form: .element))
                    index = tagEnd + 1
                    continue
                }
                let closing = Array("</\(name)>".utf8)
                guard let closeStart = packet.firstIndex(of: closing, from: tagEnd + 1) else { break }
                found.append(Occurrence(whole: wholeStart..<closeStart + closing.count, value: tagEnd + 1..<closeStart, form: .element))
                index = closeStart + closing.count
            } else if isSpace(before) {
                // Attribute form: p:AIGC="value" inside a start tag.
                guard let value = quotedValue(in: packet, after: index) else { continue }
                var wholeStart = start
                while wholeStart > 0, isSpace(packet[wholeStart - 1]) { wholeStart -= 1 }
                found.append(Occurrence(whole: wholeStart..<value.upperBound + 1, value: value, form: .attribute))
                index = value.upperBound + 1
            }
        }
        return found
    }

    private static func propertyValues(named name: String, in packet: [UInt8]) -> [Property] {
        occurrences(of: name, in: packet).map { occurrence in
            let raw = String(decoding: packet[occurrence.value], as: UTF8.self)
            return Property(text: unescape(raw).trimmingWhitespace, form: occurrence.form)
        }
    }

    private static func removeProperty(named name: String, from packet: inout [UInt8]) {
        for occurrence in occurrences(of: name, in: packet).reversed() {
            packet.removeSubrange(occurrence.whole)
        }
    }

    /// Drops `rdf:Description` elements that declare the TC260 namespace and now hold no
    /// property: the shells our earlier labelling left, never someone else's.
    private static func removeEmptyOwnDescriptions(from packet: inout [UInt8]) {
        let open = Array("<rdf:Description".utf8)
        let close = Array("</rdf:Description>".utf8)
        var index = 0
        while let start = packet.firstIndex(of: open, from: index) {
            index = start + open.count
            guard let tagEnd = packet[index...].firstIndex(of: UInt8(ascii: ">")) else { return }
            let tag = String(decoding: packet[start...tagEnd], as: UTF8.self)
            guard tag.contains(tc260Namespace), attributesAreOnlyDeclarations(tag) else { continue }
            var end: Int
            if packet[tagEnd - 1] == UInt8(ascii: "/") {
                end = tagEnd + 1
            } else {
                var cursor = tagEnd + 1
                while cursor < packet.count, isSpace(packet[cursor]) { cursor += 1 }
                guard packet.count - cursor >= close.count, Array(packet[cursor..<cursor + close.count]) == close else { continue }
                end = cursor + close.count
            }
            while end < packet.count, packet[end] == 0x0A || packet[end] == 0x0D { end += 1 }
            var wholeStart = start
            while wholeStart > 0, packet[wholeStart - 1] == 0x20 || packet[wholeStart - 1] == 0x09 { wholeStart -= 1 }
            packet.removeSubrange(wholeStart..<end)
            index = wholeStart
        }
    }

    private static func attributesAreOnlyDeclarations(_ tag: String) -> Bool {
        // Attributes are name="value" pairs; ours are rdf:about and xmlns:* only.
        var rest = Substring(tag.dropFirst("<rdf:Description".count))
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingWhitespace
            guard name == "rdf:about" || name.hasPrefix("xmlns:") else { return false }
            let afterEquals = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
            guard let quote = afterEquals.first, quote == "\"" || quote == "'",
                let closeQuote = afterEquals.dropFirst().firstIndex(of: quote)
            else { return false }
            rest = afterEquals[afterEquals.index(after: closeQuote)...]
        }
        return true
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
