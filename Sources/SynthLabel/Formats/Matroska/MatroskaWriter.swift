/// Writing the label into Matroska and WebM without moving a cluster (see `MatroskaAdapter`).
extension MatroskaAdapter {
    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        let (segment, children) = try Self.layout(of: file)
        let dataStart = segment.data.lowerBound
        let oldTags = children.first { $0.id == EBML.tags }
        if let oldTags, oldTags.length > Self.metadataLimit {
            throw FormatError(.tooLarge, at: oldTags.offset, "the Tags element is larger than \(Self.metadataLimit >> 20) MiB")
        }
        let oldBytes = try oldTags.map { (tags) throws(FormatError) in try file.bytes(at: tags.offset, count: tags.length) }
        let newTags = try Self.tags(merging: oldBytes, value: request.label.wrappedJSON, at: oldTags?.offset ?? 0)

        // In place: the old Tags and a Void right after it, or anything when it ends the segment.
        var replaced: [(range: Range<Int>, bytes: [UInt8])] = []
        var appended: [UInt8] = []
        if let oldTags, let index = children.firstIndex(where: { $0.offset == oldTags.offset }) {
            if children.indices.contains(index + 1) {
                let next = children[index + 1]
                let roomEnd = next.id == EBML.void ? next.end : oldTags.end
                let room = roomEnd - oldTags.offset
                if room == newTags.count || room - newTags.count >= 2 {
                    replaced.append(
                        (oldTags.offset..<roomEnd, newTags + (room == newTags.count ? [] : EBML.void(total: room - newTags.count))))
                }
            } else {
                replaced.append((oldTags.offset..<oldTags.end, newTags))  // it ends the segment, so it may grow
            }
        }
        if replaced.isEmpty {
            // At the end of the segment, the old Tags (if any) voided, and the SeekHead told.
            if let oldTags { replaced.append((oldTags.offset..<oldTags.end, EBML.void(total: oldTags.length))) }
            appended = newTags
            guard let seekHead = children.first(where: { $0.id == EBML.seekHead }) else {
                throw FormatError(.unsupported, at: dataStart, "no SeekHead to point at the Tags appended to the segment")
            }
            let position = segment.end - dataStart
            let rebuilt = try Self.seekHead(
                try file.bytes(at: seekHead.offset, count: seekHead.length), tagsAt: position, base: seekHead.offset)
            let index = children.firstIndex { $0.offset == seekHead.offset } ?? 0
            let void = index + 1 < children.count && children[index + 1].id == EBML.void ? children[index + 1] : nil
            let room = (void?.end ?? seekHead.end) - seekHead.offset
            guard room == rebuilt.count || room - rebuilt.count >= 2 else {
                throw FormatError(.unsupported, at: seekHead.offset, "no room after the SeekHead to point at the Tags")
            }
            replaced.append(
                (
                    seekHead.offset..<(seekHead.offset + room),
                    rebuilt + (room == rebuilt.count ? [] : EBML.void(total: room - rebuilt.count))
                ))
        }

        var plan = EditPlan()
        // The segment header, with its size changed by what the edits add (unless it is unknown).
        let growth = appended.count + replaced.reduce(0) { $0 + $1.bytes.count - $1.range.count }
        plan.copy(0..<segment.offset)
        let idLength = segment.headerSize - segment.sizeLength
        plan.copy(segment.offset..<(segment.offset + idLength))
        if segment.sizeUnknown || growth == 0 {
            plan.copy((segment.offset + idLength)..<dataStart)
        } else {
            let size = segment.end - dataStart + growth
            guard EBML.fits(size, length: segment.sizeLength) else {
                throw FormatError(.unsupported, at: segment.offset, "the Segment size field cannot grow")
            }
            plan.insert(EBML.size(UInt64(size), length: segment.sizeLength))
        }
        var cursor = dataStart
        for edit in replaced.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            plan.copy(cursor..<edit.range.lowerBound)
            plan.insert(edit.bytes)
            cursor = edit.range.upperBound
        }
        plan.copy(cursor..<segment.end)
        plan.insert(appended)
        plan.copy(segment.end..<file.size)
        return plan
    }

    /// `Tags` with the AIGC SimpleTag in its first global Tag (replacing any there, and dropping
    /// other global AIGC SimpleTags: a file keeps one label), or a new global Tag first.
    static func tags(merging old: [UInt8]?, value: String, at offset: Int) throws(FormatError) -> [UInt8] {
        let simple = EBML.element(
            EBML.simpleTag, EBML.element(EBML.tagName, Array("AIGC".utf8)) + EBML.element(EBML.tagString, Array(value.utf8)))
        guard let old else { return EBML.element(EBML.tags, EBML.element(EBML.tag, EBML.element(EBML.targets, []) + simple)) }
        let header = try EBML.element(at: 0, in: old, limit: old.count, base: offset)
        var payload = [UInt8]()
        var written = false
        for tag in try EBML.elements(in: header.data, of: old, base: offset) {
            guard tag.id == EBML.tag else {
                payload += old[tag.offset..<tag.end]
                continue
            }
            let parts = try EBML.elements(in: tag.data, of: old, base: offset)
            guard isGlobal(parts, in: old) else {
                payload += old[tag.offset..<tag.end]
                continue
            }
            var body = [UInt8]()
            for part in parts {
                if part.id == EBML.simpleTag, try nameAndString(part, in: old, base: offset).0 == "AIGC" {
                    if !written { body += simple }
                    written = true
                } else {
                    body += old[part.offset..<part.end]
                }
            }
            if !written {
                body += simple
                written = true
            }
            payload += EBML.element(EBML.tag, body)
        }
        if !written { payload = EBML.element(EBML.tag, EBML.element(EBML.targets, []) + simple) + payload }
        return EBML.element(EBML.tags, payload)
    }

    /// `SeekHead` with the Tags entry pointing at `position` (relative to the segment's data),
    /// added when it has none; other entries kept.
    static func seekHead(_ old: [UInt8], tagsAt position: Int, base: Int) throws(FormatError) -> [UInt8] {
        let header = try EBML.element(at: 0, in: old, limit: old.count, base: base)
        let tagsID = EBML.unsigned(UInt64(EBML.tags))
        let entry = EBML.element(
            EBML.seek, EBML.element(EBML.seekID, tagsID) + EBML.element(EBML.seekPosition, EBML.unsigned(UInt64(position))))
        var payload = [UInt8]()
        var written = false
        for seek in try EBML.elements(in: header.data, of: old, base: base) {
            let parts = seek.id == EBML.seek ? try EBML.elements(in: seek.data, of: old, base: base) : []
            if let id = parts.first(where: { $0.id == EBML.seekID }), Array(old[id.data]) == tagsID {
                if !written { payload += entry }
                written = true
            } else {
                payload += old[seek.offset..<seek.end]
            }
        }
        if !written { payload += entry }
        return EBML.element(EBML.seekHead, payload)
    }
}
