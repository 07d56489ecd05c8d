/// The signature checks: does a SynthLabel record in `ReservedCode1` (producer) or
/// `ReservedCode2` (platform) still bind the label's fields and the file's content?
///
/// Outcomes: `signature valid` (pass); `signature invalid` — the covered fields or the signature
/// changed (fail); `content changed` — pixels, samples, text or other metadata changed (fail);
/// `unknown key` — no trusted public key has the record's key ID (warn); `unsigned` (skip).
/// A value another tool wrote is shown and left alone (skip); one that starts like a SynthLabel
/// record but does not parse, or a reserved field padded past any field's limit, is invalid (fail).
extension Verifier {
    func signatureFindings(_ file: FileSource, reading: CarrierReading) -> [Finding] {
        let parsed = reading.sites.compactMap { site in (try? site.parsed.get()).map { (site, $0.label) } }
        guard let label = (parsed.first { $0.0.isCanonical } ?? parsed.first)?.1 else { return [] }
        return [(Check.producerSignature, AIGCLabel.Field.reservedCode1), (.platformSignature, .reservedCode2)].compactMap { check, field in
            signatureFinding(check, field: field, label: label, file: file, reading: reading)
        }
    }

    private func signatureFinding(_ check: Check, field: AIGCLabel.Field, label: AIGCLabel, file: FileSource, reading: CarrierReading)
        -> Finding?
    {
        guard let value = label[field], !value.isEmpty else { return nil }  // unsigned: the silent outcome says so
        // Padding hides nothing a record needs: a reserved field past any field's limit is not trusted.
        guard value.count <= AIGCLabel.maximumFieldLength else {
            return Finding(
                check, .fail,
                "signature invalid: \(field.rawValue) is \(value.count) characters long, beyond the \(AIGCLabel.maximumFieldLength) a field may hold"
            )
        }
        guard let record = SignatureRecord(parsing: value) else {
            if let likeness = SignatureRecord.likeness(value) {
                return Finding(
                    check, .fail, "signature invalid: \(field.rawValue) starts like a SynthLabel record (\(likeness)) but does not parse")
            }
            return Finding(check, .skip, "\(field.rawValue) holds a value SynthLabel did not write (\(value.prefix(40))); left alone")
        }
        guard !reading.ownedRanges.isEmpty else {
            return Finding(check, .skip, "signed, but signatures on \(file.carrierName) files are not checked yet")
        }
        // Without trusted keys nothing can be concluded, so the file is not read through.
        guard !trustedKeys.isEmpty else {
            return Finding(
                check, .warn, "unknown key: signed by \(record.algorithm.rawValue) key \(record.keyID); pass --trust to check it")
        }
        let current: [UInt8]
        do { current = try ContentDigest.compute(file, excluding: reading.ownedRanges, algorithm: record.algorithm.digest) } catch {
            return Finding(check, .error, "the content could not be read to check the signature: \(error)")
        }
        let contentMatches = current == record.contentDigest
        guard let key = trustedKeys.first(where: { $0.keyID == record.keyID }) else {
            return Finding(
                check, .warn,
                "unknown key: signed by \(record.algorithm.rawValue) key \(record.keyID), not among the \(trustedKeys.count) trusted key(s)\(contentMatches ? "" : "; the content digest no longer matches")"
            )
        }
        guard record.isValid(fields: label.signedFields(for: field), under: key) else {
            return Finding(
                check, .fail, "signature invalid: the label's fields or the signature were changed after key \(key.keyID) signed")
        }
        guard contentMatches else {
            return Finding(
                check, .fail,
                "content changed: the file's content (pixels, samples, text or other metadata) differs from what key \(key.keyID) signed")
        }
        return Finding(check, .pass, "signature valid: \(record.algorithm.rawValue) key \(key.keyID)")
    }
}

extension FileSource {
    var carrierName: String { (try? Inspection.carrier(of: self).displayName) ?? "these" }
}
