/// MP3: the label goes in an ID3v2 `TXXX` frame with description `AIGC`.
///
/// An existing v2.3/v2.4 tag keeps every other frame byte for byte; the tag is rewritten
/// at its old size when the padding has room, otherwise grown with fresh padding (exiftool
/// warns on tags without any). A file without a tag gets a v2.3 tag.
struct MP3Adapter: CarrierAdapter {
    var carrier: Carrier { .mp3 }

    static let labelDescription = "AIGC"
    /// Padding added when a tag has to grow, so the next edit fits in place.
    static let freshPadding = 1024

    struct Tag {
        var version: UInt8
        var flags: UInt8
        /// Offset where the frames start (after header and extended header).
        var framesStart: Int
        /// Offset just past the frames and padding (before any footer).
        var framesEnd: Int
        /// Offset just past the whole tag, footer included.
        var end: Int
        var frames: [Frame]
        var body: [UInt8]
    }

    struct Frame {
        var offset: Int
        var id: String
        /// Frame bytes including the header, relative to the tag body.
        var range: Range<Int>
        var headerSize: Int
        var formatFlags: UInt8
    }

    static func syncsafe(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return bytes.reduce(0) { $0 << 7 | Int($1) }
    }

    /// Where the ID3v2 tag at the start of `head` ends, if there is one.
    static func tagEnd(head: [UInt8]) -> Int? {
        guard head.count >= 10, head.starts(with: "ID3"), let size = syncsafe(head[6..<10]) else { return nil }
        return 10 + size + (head[5] & 0x10 != 0 ? 10 : 0)
    }

    /// The ID3v2 tag at `start` (0, or just past another tag for a stacked one).
    static func tag(of file: FileSource, at start: Int = 0) throws(FormatError) -> Tag? {
        let header = try file.bytes(upTo: 10, at: start)
        guard header.starts(with: "ID3") else {
            guard header.count >= 2, header[0] == 0xFF, header[1] & 0xE0 == 0xE0 else {
                throw FormatError(.corrupt, at: 0, "neither an ID3v2 tag nor an MPEG audio frame")
            }
            return nil
        }
        guard header.count == 10 else { throw FormatError(.truncated, at: start, "ID3v2 header cut off") }
        let version = header[3]
        let flags = header[5]
        guard let size = syncsafe(header[6..<10]) else {
            throw FormatError(.corrupt, at: start + 6, "ID3v2 tag size is not a syncsafe integer")
        }
        guard (2...4).contains(version) else {
            throw FormatError(.unsupported, at: start + 3, "ID3v2.\(version) tag is not a version this tool reads")
        }
        let footer = version == 4 && flags & 0x10 != 0 ? 10 : 0
        guard start + 10 + size + footer <= file.size else {
            throw FormatError(.truncated, at: start, "ID3v2 tag of \(size) bytes runs past the end of the file")
        }
        var body = try file.bytes(at: start + 10, count: size)
        if flags & 0x80 != 0 && version < 4 { body = Self.resynchronised(body) }
        var cursor = 0
        if flags & 0x40 != 0 {
            // Extended header: v2.3 size excludes its own 4 bytes; v2.4 size is syncsafe and includes them.
            let extendedSize =
                version == 4 ? (syncsafe(body.prefix(4)) ?? -1) : Int((try? body.uint32BE(at: 0)) ?? 0) + 4
            guard extendedSize >= 4, extendedSize <= body.count else {
                throw FormatError(.corrupt, at: start + 10, "ID3v2 extended header size is wrong")
            }
            cursor = extendedSize
        }
        let framesStart = cursor
        var frames: [Frame] = []
        let idLength = version == 2 ? 3 : 4
        let headerSize = version == 2 ? 6 : 10
        while cursor + headerSize <= body.count, body[cursor] != 0 {
            let id = String(decoding: body[cursor..<cursor + idLength], as: UTF8.self)
            let frameSize: Int
            switch version {
            case 2: frameSize = Int(try body.uint24BE(at: cursor + 3))
            case 3: frameSize = Int(try body.uint32BE(at: cursor + 4))
            default:
                guard let size = syncsafe(body[(cursor + 4)..<(cursor + 8)]) else {
                    throw FormatError(.corrupt, at: start + 10 + cursor, "frame '\(id)' size is not syncsafe")
                }
                frameSize = size
            }
            guard cursor + headerSize + frameSize <= body.count else {
                throw FormatError(.corrupt, at: start + 10 + cursor, "frame '\(id)' of \(frameSize) bytes runs past the end of the tag")
            }
            let formatFlags = version == 2 ? 0 : body[cursor + 9]
            frames.append(
                Frame(
                    offset: start + 10 + cursor, id: id, range: cursor..<cursor + headerSize + frameSize, headerSize: headerSize,
                    formatFlags: formatFlags))
            cursor += headerSize + frameSize
        }
        return Tag(
            version: version, flags: flags, framesStart: start + 10 + framesStart, framesEnd: start + 10 + size,
            end: start + 10 + size + footer, frames: frames, body: body)
    }

    /// Undoes ID3 unsynchronisation (0xFF 0x00 → 0xFF).
    static func resynchronised(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var previous: UInt8 = 0
        for byte in bytes {
            if !(previous == 0xFF && byte == 0x00) { out.append(byte) }
            previous = byte
        }
        return out
    }

    /// A `TXXX` frame's description and value.
    static func userText(_ frame: Frame, in tag: Tag) throws(FormatError) -> (description: String, value: String) {
        var content = Array(tag.body[(frame.range.lowerBound + frame.headerSize)..<frame.range.upperBound])
        if tag.version == 4 {
            if frame.formatFlags & 0x0C != 0 {
                throw FormatError(.unsupported, at: frame.offset, "compressed or encrypted TXXX frame")
            }
            if frame.formatFlags & 0x02 != 0 { content = resynchronised(content) }
            if frame.formatFlags & 0x01 != 0 { content = Array(content.dropFirst(4)) }
        }
        guard let encoding = content.first else { throw FormatError(.corrupt, at: frame.offset, "empty TXXX frame") }
        let text = Array(content.dropFirst())
        let parts: [[UInt8]]
        switch encoding {
        case 0, 3:
            parts = text.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false).map(Array.init)
        case 1, 2:
            var split = text.count
            var index = 0
            while index + 1 < text.count {
                if text[index] == 0 && text[index + 1] == 0 {
                    split = index
                    break
                }
                index += 2
            }
            parts = [Array(text[0..<split]), Array(text[min(text.count, split + 2)...])]
        default:
            throw FormatError(.corrupt, at: frame.offset, "TXXX frame with unknown text encoding \(encoding)")
        }
        let decode = { (bytes: [UInt8]) -> String in
            switch encoding {
            case 0: return ArraySlice(bytes).latin1
            case 3: return String(decoding: bytes, as: UTF8.self)
            default: return Self.utf16(bytes, bigEndianDefault: encoding == 2)
            }
        }
        let value = parts.count > 1 ? parts[1] : []
        return (decode(parts[0]), decode(value).trimmingCharacters(while: { $0 == "\0" }))
    }

    static func utf16(_ bytes: [UInt8], bigEndianDefault: Bool) -> String {
        var bigEndian = bigEndianDefault
        var data = bytes[...]
        if data.count >= 2, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xFE {
            bigEndian = false
            data = data.dropFirst(2)
        } else if data.count >= 2, data[data.startIndex] == 0xFE, data[data.startIndex + 1] == 0xFF {
            bigEndian = true
            data = data.dropFirst(2)
        }
        var units: [UInt16] = []
        var index = data.startIndex
        while index + 1 < data.endIndex {
            let pair = (UInt16(data[index]), UInt16(data[index + 1]))
            units.append(bigEndian ? pair.0 << 8 | pair.1 : pair.1 << 8 | pair.0)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    static func isUserText(_ frame: Frame) -> Bool { frame.id == "TXXX" || frame.id == "TXX" }

    /// A user-text frame whose description names AIGC: its description and value; nil for any
    /// other frame or one that does not decode.
    static func labelText(_ frame: Frame, in tag: Tag) -> (description: String, value: String)? {
        guard isUserText(frame), let text = try? userText(frame, in: tag), text.description.contains("AIGC") else { return nil }
        return text
    }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        let tag: Tag?
        do { tag = try Self.tag(of: file) } catch {
            if error.kind == .corrupt && error.offset == 0 { throw error }
            reading.damage.append(error)
            return reading
        }
        // Tags stacked after the first are read too: other readers take a label from any of
        // them, so every copy counts for the duplicate and disagreement checks.
        let stacked: [Tag]
        do { stacked = try Self.stackedTags(after: tag, in: file) } catch {
            reading.damage.append(error)
            return reading
        }
        // Truncated audio is damage like a truncated tag: such a file is neither labelled nor
        // called compliant.
        do {
            if let damage = try MPEGAudioStream.damage(in: file, from: (stacked.last ?? tag)?.end ?? 0) { reading.damage.append(damage) }
        } catch {
            reading.damage.append(error)
        }
        guard let tag else { return reading }
        for (index, later) in stacked.enumerated() {
            for frame in later.frames {
                guard let text = Self.labelText(frame, in: later) else { continue }
                reading.sites.append(
                    LabelSite(
                        location: "ID3v2.\(later.version) \(frame.id) frame \"\(text.description)\" in stacked tag \(index + 2)",
                        offset: frame.offset, isCanonical: false, text: text.value.trimmingWhitespace))
            }
        }
        // Owned: the tag size field and the padding, which change when the label grows, and
        // each label frame (added below).
        let lastFrameEnd = tag.frames.last.map { $0.offset + $0.range.count } ?? tag.framesStart
        var owned: [Range<Int>] = [6..<10, lastFrameEnd..<max(lastFrameEnd, tag.framesEnd)]
        for frame in tag.frames {
            if frame.id == "GEOB", Array(tag.body[frame.range]).firstIndex(of: Array("c2pa".utf8)) != nil {
                reading.c2paManifest = "ID3 GEOB frame at byte \(frame.offset)"
            }
            guard Self.isUserText(frame) else { continue }
            do {
                let (description, value) = try Self.userText(frame, in: tag)
                guard description.contains("AIGC") else { continue }
                owned.append(frame.offset..<frame.offset + frame.range.count)
                reading.sites.append(
                    LabelSite(
                        location: "ID3v2.\(tag.version) \(frame.id) frame \"\(description)\"",
                        offset: frame.offset,
                        isCanonical: description == Self.labelDescription && tag.version >= 3,
                        text: value.trimmingWhitespace))
            } catch {
                reading.notes.append(error.description)
            }
        }
        // Signing covers the first tag's label only; a label in a stacked tag is not owned.
        if !reading.sites.isEmpty && stacked.isEmpty { reading.ownedRanges = owned }
        return reading
    }

    /// ID3v2 tags that follow the one at the start, back to back.
    static func stackedTags(after first: Tag?, in file: FileSource) throws(FormatError) -> [Tag] {
        var tags: [Tag] = []
        var next = first?.end ?? 0
        while first != nil, tags.count < 16, try file.bytes(upTo: 3, at: next) == Array("ID3".utf8), let tag = try tag(of: file, at: next) {
            tags.append(tag)
            next = tag.end
        }
        return tags
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let existing = try Self.tag(of: file)
        let labelledLater = try Self.stackedTags(after: existing, in: file).contains { later in
            later.frames.contains { Self.labelText($0, in: later) != nil }
        }
        if labelledLater {
            throw FormatError(
                .unsupported, at: existing?.end,
                "a second, stacked ID3v2 tag also holds a label; stacked tags are not rewritten (merge them into one first)")
        }
        let version = existing?.version ?? 3
        if let existing {
            guard existing.version >= 3 else {
                throw FormatError(.unsupported, at: 3, "ID3v2.2 tags are not rewritten; convert the tag to v2.3 or v2.4 first")
            }
            guard existing.flags & 0xC0 == 0 else {
                throw FormatError(.unsupported, at: 5, "ID3v2 tags with unsynchronisation or an extended header are not rewritten")
            }
        }
        var frames: [UInt8] = []
        if let existing {
            for frame in existing.frames {
                if Self.labelText(frame, in: existing) != nil { continue }
                frames += existing.body[frame.range]
            }
        }
        frames += Self.makeUserTextFrame(description: Self.labelDescription, value: request.label.wrappedJSON, version: version)

        let flags = existing?.flags ?? 0
        let hasFooter = existing.map { $0.end != $0.framesEnd } ?? false
        let oldSize = existing.map { $0.framesEnd - 10 } ?? 0
        // v2.4 forbids padding when a footer is present.
        let size = hasFooter ? frames.count : (frames.count <= oldSize ? oldSize : frames.count + Self.freshPadding)
        var tag: [UInt8] = Array("ID3".utf8) + [version, 0, flags]
        tag += Self.syncsafeBytes(size)
        tag += frames
        tag += [UInt8](repeating: 0, count: size - frames.count)
        if hasFooter {
            tag += Array("3DI".utf8) + [version, 0, flags] + Self.syncsafeBytes(size)
        }
        var plan = EditPlan()
        plan.insert(tag)
        plan.copy((existing?.end ?? 0)..<file.size)
        return plan
    }

    static func makeUserTextFrame(description: String, value: String, version: UInt8) -> [UInt8] {
        // Encoding 0 (ISO-8859-1) suffices: the description and the label JSON are ASCII.
        let content: [UInt8] = [0] + Array(description.utf8) + [0] + Array(value.utf8)
        var frame = Array("TXXX".utf8)
        if version == 4 { frame += syncsafeBytes(content.count) } else { frame.appendUInt32BE(UInt32(content.count)) }
        frame += [0, 0]
        return frame + content
    }

    static func syncsafeBytes(_ value: Int) -> [UInt8] {
        [UInt8(value >> 21 & 0x7F), UInt8(value >> 14 & 0x7F), UInt8(value >> 7 & 0x7F), UInt8(value & 0x7F)]
    }
}

extension String {
    func trimmingCharacters(while predicate: (Character) -> Bool) -> String {
        var result = Substring(self)
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return String(result)
    }
}

extension MP3Adapter {
    /// An ID3v2 tag (unless a FLAC stream follows it), or, under a `.mp3` name, an MPEG audio
    /// frame sync.
    static func recognises(head: [UInt8], path: String) -> Bool {
        if head.starts(with: "ID3") { return !FLACAdapter.recognises(head: head, path: path) }
        return head.count >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0 && path.lowercased().hasSuffix(".mp3")
    }
}
