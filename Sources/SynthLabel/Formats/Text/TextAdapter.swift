/// Plain text (`.txt`): no metadata exists, so the explicit notice is the label that counts
/// (TC260 guide). Optionally the label also travels invisibly as Unicode variation selectors
/// at the start (`InvisibleTextLabel`, UTF-8 files only); reading finds that carrier in the
/// first 64 KiB. Without it, writing copies the file as `ExplicitLabel` left it.
struct TextAdapter: CarrierAdapter {
    var carrier: Carrier { .text }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        var reading = CarrierReading()
        let head = try file.bytes(upTo: 64 << 10, at: 0)
        if let found = InvisibleTextLabel.find(in: head) {
            reading.ownedRanges.append(found.range)
            reading.sites.append(
                LabelSite(
                    location: "invisible variation-selector carrier", offset: found.range.lowerBound, isCanonical: true, text: found.json))
        }
        return reading
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        var plan = EditPlan()
        let head = try file.bytes(upTo: 64 << 10, at: 0)
        let existing = InvisibleTextLabel.find(in: head)
        guard request.invisibleText else {
            plan.copy(0..<file.size)
            return plan
        }
        guard TextEncoding.detect(head) == .utf8 else {
            throw FormatError(.unsupported, "the invisible carrier is written in UTF-8 text only")
        }
        let carrier = InvisibleTextLabel.encode(request.label.wrappedJSON)
        if let existing {
            plan.copy(0..<existing.range.lowerBound)
            plan.insert(carrier)
            plan.copy(existing.range.upperBound..<file.size)
        } else {
            // After a byte-order mark the carrier's own U+FEFF follows it; otherwise it becomes one.
            let start = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            plan.copy(0..<start)
            plan.insert(carrier)
            plan.copy(start..<file.size)
        }
        return plan
    }
}

extension TextAdapter {
    /// Plain text has no signature: its name decides.
    static func recognises(head: [UInt8], path: String) -> Bool { Carrier.text.profile.hasExtension(of: path) }
}
