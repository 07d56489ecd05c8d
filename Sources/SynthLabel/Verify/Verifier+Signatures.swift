/// The signature checks: does the value in `ReservedCode1` (producer) or `ReservedCode2`
/// (platform) still bind the label's fields and the file's content, and whose key signed it?
///
/// Two forms are read: the TC260 guide's `SecurityData` object, which other producers write and
/// SynthLabel writes by default, and SynthLabel's older `SL1` record. Outcomes:
/// - pass: valid, by a trusted key (pinned to the label's `ContentProducer`, or for a platform
///   its `ContentPropagator`, when a registry says whose keys are whose);
/// - fail: `signature invalid` (the covered fields or the signature changed), `content changed`
///   (pixels, samples, text or other metadata changed), or a value that starts like a SynthLabel
///   record but does not parse;
/// - warn: valid with the file's own embedded key only (integrity, not identity), a trusted key
///   not pinned to that code, an unknown key or algorithm, or a shape whose signed bytes are not
///   known; with `requireSignature` these fail, and so does an unsigned label.
/// A value another tool wrote that is neither form is shown and left alone (skip).
extension Verifier {
    func signatureFindings(_ file: FileSource, reading: CarrierReading) -> [Finding] {
        let parsed = reading.sites.compactMap { site in (try? site.parsed.get()).map { (site, $0.label) } }
        guard let label = (parsed.first { $0.0.isCanonical } ?? parsed.first)?.1 else { return [] }
        return [(Check.producerSignature, AIGCLabel.Field.reservedCode1), (.platformSignature, .reservedCode2)].compactMap { check, field in
            signatureFinding(check, field: field, label: label, file: file, reading: reading).map(demanding)
        }
    }

    /// With `requireSignature`, what would only warn (or be skipped) fails.
    private func demanding(_ finding: Finding) -> Finding {
        guard requireSignature, finding.outcome == .warn || finding.outcome == .skip else { return finding }
        return Finding(finding.check, .fail, finding.message + " (a valid signature by a trusted key is required)")
    }

    private func signatureFinding(_ check: Check, field: AIGCLabel.Field, label: AIGCLabel, file: FileSource, reading: CarrierReading)
        -> Finding?
    {
        guard let value = label[field], !value.isEmpty else {
            // Unsigned: silent, unless a signature is required of whoever wrote these fields.
            let wrote = field == .reservedCode1 || label[.contentPropagator] != nil
            return requireSignature && wrote ? Finding(check, .warn, "unsigned: \(field.rawValue) is empty") : nil
        }
        // Padding hides nothing a signature needs: a reserved field past any field's limit is not trusted.
        guard value.count <= AIGCLabel.maximumFieldLength else {
            return Finding(
                check, .fail,
                "signature invalid: \(field.rawValue) is \(value.count) characters long, beyond the \(AIGCLabel.maximumFieldLength) a field may hold"
            )
        }
        if let data = SecurityData(parsing: value) {
            return securityDataFinding(check, data, field: field, label: label, file: file, reading: reading)
        }
        if let record = SignatureRecord(parsing: value) {
            return recordFinding(check, record, field: field, label: label, file: file, reading: reading)
        }
        if let likeness = SignatureRecord.likeness(value) {
            return Finding(
                check, .fail, "signature invalid: \(field.rawValue) starts like a SynthLabel record (\(likeness)) but does not parse")
        }
        return Finding(check, .skip, "\(field.rawValue) holds a value SynthLabel did not write (\(value.prefix(40))); left alone")
    }

    /// The digest of every byte the label does not own, or why it cannot be taken.
    private func unownedDigest(_ file: FileSource, reading: CarrierReading, algorithm: DigestAlgorithm) -> (
        digest: [UInt8]?, reason: String
    ) {
        guard !reading.ownedRanges.isEmpty else { return (nil, "signatures on \(file.carrierName) files do not cover content yet") }
        do { return (try ContentDigest.compute(file, excluding: reading.ownedRanges, algorithm: algorithm), "") } catch {
            return (nil, "the content could not be read: \(error)")
        }
    }

    // MARK: SecurityData

    private func securityDataFinding(
        _ check: Check, _ data: SecurityData, field: AIGCLabel.Field, label: AIGCLabel, file: FileSource, reading: CarrierReading
    ) -> Finding {
        let code = field == .reservedCode1 ? label.contentProducer : label[.contentPropagator]
        var results: [(Outcome, String)] = []
        let signatures = data.signatures
        if signatures.isEmpty { results.append((.warn, "SecurityData without a signature (no DS entry)")) }
        for (signature, keyEntry) in signatures {
            results.append(checkSignature(signature, key: keyEntry, in: data, field: field, label: label, code: code))
        }
        if let binding = data.binding { results.append(checkBinding(binding, file: file, reading: reading)) }
        let worst = [Outcome.fail, .warn].first { outcome in results.contains { $0.0 == outcome } } ?? .pass
        let shown = results.filter { $0.0 == worst }.map(\.1)
        return Finding(check, worst, "SecurityData: " + shown.joined(separator: "; "))
    }

    /// One `DS` entry: its algorithm, key and message, and whether it verifies.
    private func checkSignature(
        _ signature: SecurityData.Entry, key keyEntry: SecurityData.Entry?, in data: SecurityData, field: AIGCLabel.Field,
        label: AIGCLabel, code: String?
    ) -> (Outcome, String) {
        let signs = signature.signedType ?? "?"
        guard let algorithm = SignatureAlgorithm(oid: signature.string("AlgID") ?? "") else {
            return (.warn, "unknown algorithm \(signature.string("AlgID") ?? "(none)") for the signature over \(signs); not checked")
        }
        guard let keyValue = keyEntry?.hex("KeyValue"), let key = PublicKey(keyValue: keyValue) else {
            return (
                .warn,
                "no usable public key for the signature over \(signs) (KeyValue \(keyEntry?.string("KeyValue")?.prefix(16) ?? "absent")…)"
            )
        }
        guard key.algorithm == algorithm else {
            return (.fail, "signature invalid: the \(signs) signature names \(algorithm.rawValue) but its key is \(key.algorithm.rawValue)")
        }
        guard let bytes = signature.hex("Signature") else { return (.fail, "signature invalid: the \(signs) signature is not hex") }
        let message: [UInt8]
        if SecurityData.labelTypes.contains(signs.lowercased()) {
            message = SecurityData.labelMessage(label, for: field)
        } else if SecurityData.bindingTypes.contains(signs.lowercased()), let binding = data.binding {
            message = Array(binding.compactJSON.utf8)
        } else {
            return (.warn, "a signature over \(signs), whose signed bytes are not known; not checked")
        }
        guard key.isValid(stored: bytes, for: message) else {
            return (
                .fail,
                "signature invalid: the \(signs) signature does not verify under \(algorithm.rawValue) key \(key.keyID) (the fields or the signature were changed)"
            )
        }
        let what = "\(signs) signature valid (\(algorithm.rawValue), key \(key.keyID)"
        switch trust.standing(of: key.keyID, for: code) {
        case .pinned: return (.pass, what + ", pinned to \(code ?? ""))")
        case .trusted: return (.pass, what + ", trusted)")
        case .notPinned: return (.warn, what + ", trusted but not pinned to \(code ?? "the label's code"))")
        case .unknown: return (.warn, what + ") with the file's own embedded key only: integrity, not identity")
        }
    }

    /// The content binding: the digest recomputed where its `CntSel` is one SynthLabel knows.
    private func checkBinding(_ binding: SecurityData.Entry, file: FileSource, reading: CarrierReading) -> (Outcome, String) {
        let selection = binding.string("CntSel")
        guard selection == SecurityData.unownedSelection else {
            return (.warn, "content binding not checked: its selection (CntSel \(selection ?? "absent")) is not one SynthLabel can compute")
        }
        guard let algorithm = SecurityData.digest(oid: binding.string("AlgID")), let stored = binding.hex("Hash") else {
            return (.fail, "signature invalid: the content binding's digest or its algorithm is unreadable")
        }
        let (digest, reason) = unownedDigest(file, reading: reading, algorithm: algorithm)
        guard let digest else { return (.warn, "content binding not checked: \(reason)") }
        guard digest == stored else {
            return (.fail, "content changed: the file's content (pixels, samples, text or other metadata) differs from what was signed")
        }
        return (.pass, "content binding holds")
    }

    // MARK: SL1

    private func recordFinding(
        _ check: Check, _ record: SignatureRecord, field: AIGCLabel.Field, label: AIGCLabel, file: FileSource, reading: CarrierReading
    ) -> Finding {
        guard !reading.ownedRanges.isEmpty else {
            return Finding(check, .skip, "signed, but signatures on \(file.carrierName) files are not checked yet")
        }
        // Without trusted keys nothing can be concluded, so the file is not read through.
        guard !trust.keys.isEmpty else {
            return Finding(
                check, .warn,
                "unknown key: signed by \(record.algorithm.rawValue) key \(record.keyID); no trusted keys were given to check it")
        }
        let contentMatches = unownedDigest(file, reading: reading, algorithm: record.algorithm.digest).digest == record.contentDigest
        guard let key = trust.key(withID: record.keyID) else {
            return Finding(
                check, .warn,
                "unknown key: signed by \(record.algorithm.rawValue) key \(record.keyID), not among the \(trust.keys.count) trusted key(s)\(contentMatches ? "" : "; the content digest no longer matches")"
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
        let code = field == .reservedCode1 ? label.contentProducer : label[.contentPropagator]
        if trust.standing(of: key.keyID, for: code) == .notPinned {
            return Finding(
                check, .warn,
                "signature valid: \(record.algorithm.rawValue) key \(key.keyID), trusted but not pinned to \(code ?? "the label's code")")
        }
        return Finding(check, .pass, "signature valid: \(record.algorithm.rawValue) key \(key.keyID)")
    }
}

extension FileSource {
    var carrierName: String { (try? Inspection.carrier(of: self).displayName) ?? "these" }
}
