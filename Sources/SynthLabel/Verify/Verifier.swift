/// Reads every label site of a file and judges it against GB 45438 Annex E. Never writes.
public struct Verifier: Sendable {
    /// Whether to look for explicit labels: decode pixels and audio for captions and the rhythm
    /// prompt, read Markdown's first and last lines for a notice. Plain text's notice, its only
    /// label, is always looked for.
    public var explicitChecks: Bool
    /// The keys whose signatures count, and the producers each is pinned to.
    public var trust: TrustStore
    /// Whether a label must carry a valid signature by a trusted key: with it, an unsigned label,
    /// one signed by an unknown or unpinned key, or one whose signature cannot be checked is
    /// noncompliant (for auditors who need that); without it those are warnings.
    public var requireSignature: Bool
    /// The key to look for the invisible image watermark with; nil skips the (pixel-decoding) search.
    public var watermarkKey: WatermarkKey?

    /// The trusted keys (`trust.keys`).
    public var trustedKeys: [PublicKey] { trust.keys }

    /// A verifier: `explicitChecks` looks for captions, prompts and notices; `trust` checks signatures (`requireSignature` makes one necessary); `watermarkKey` looks for the invisible mark.
    public init(
        explicitChecks: Bool = true, trust: TrustStore = TrustStore(), requireSignature: Bool = false, watermarkKey: WatermarkKey? = nil
    ) {
        self.explicitChecks = explicitChecks
        self.trust = trust
        self.requireSignature = requireSignature
        self.watermarkKey = watermarkKey
    }

    /// A verifier trusting `trustedKeys`, none of them pinned to a producer.
    public init(explicitChecks: Bool = true, trustedKeys: [PublicKey], watermarkKey: WatermarkKey? = nil) {
        self.init(explicitChecks: explicitChecks, trust: TrustStore(keys: trustedKeys), watermarkKey: watermarkKey)
    }

    /// Verifies one file. Throws only when the file cannot be read or is not a supported
    /// format; damage inside a supported file gives an `inconclusive` report instead.
    public func verify(fileAt path: String) throws(SynthLabelError) -> FileReport {
        try verify(try FileSource(path: path, readingWholeUpTo: FileSource.headerReadLimit))
    }

    /// Verifies an open file (reading only what its structure points at).
    package func verify(_ file: FileSource) throws(SynthLabelError) -> FileReport {
        let path = file.path
        let carrier = try Inspection.carrier(of: file)
        let reading: CarrierReading
        do {
            reading = try carrier.adapter.read(file)
        } catch {
            reading = CarrierReading(damage: [error])
        }
        let watermark = watermarkFindings(file, carrier: carrier, reading: reading)
        var report = judge(
            reading, path: path, carrier: carrier, size: file.size,
            explicit: explicitFindings(file, carrier: carrier, reading: reading) + signatureFindings(file, reading: reading)
                + (watermark?.findings ?? []))
        report.watermark = watermark?.detection
        return report
    }

    package func judge(_ reading: CarrierReading, path: String, carrier: Carrier, size: Int, explicit: [Finding] = []) -> FileReport {
        var findings = [Finding(.carrierDetected, .pass, carrier.displayName)] + explicit
        for damage in reading.damage {
            let check: Check = damage.kind == .checksum ? .checksums : .containerIntact
            // A variant this version cannot read is not damage: say which it is.
            let what = damage.kind == .unsupported ? "could not be read" : damage.kind == .truncated ? "is truncated" : "is damaged"
            findings.append(Finding(check, .error, "\(carrier.displayName) container \(what): \(damage)"))
        }
        for part in reading.unread {
            findings.append(Finding(.unreadParts, .warn, "not read: \(part)"))
        }
        if !reading.sites.isEmpty {
            findings.append(Finding(.labelPresent, .pass, "\(reading.sites.count) label site(s)"))
        }
        let readable = reading.sites.compactMap { site -> (site: LabelSite, parsed: ParsedLabel)? in
            if site.text.trimmingWhitespace.isEmpty || (try? site.parsed.get())?.isEmpty == true {
                findings.append(Finding(.emptyShell, .fail, "\(site.location) holds an empty label"))
                return nil
            }
            switch site.parsed {
            case .success(let parsed): return (site, parsed)
            case .failure(let error):
                findings.append(Finding(.labelParse, .fail, "\(site.location): \(error)"))
                return nil
            }
        }
        for (site, parsed) in readable {
            let prefix = reading.sites.count > 1 ? "\(site.location): " : ""
            findings += Self.fieldFindings(parsed, prefix: prefix)
        }
        if readable.count > 1 {
            if Set(readable.map(\.parsed.label)).count == 1 {
                findings.append(
                    Finding(
                        .duplicateSites, .fail,
                        "the same label is stored in \(readable.count) places; a file keeps only one (GB 45438 §6.1 c)"))
            } else {
                findings.append(
                    Finding(.disagreeingSites, .fail, "\(readable.count) label sites disagree; a file keeps only one (GB 45438 §6.1 c)"))
            }
        }
        let chosen = readable.first(where: { $0.site.isCanonical }) ?? readable.first
        if let chosen, !readable.contains(where: { $0.site.isCanonical }) {
            findings.append(
                Finding(
                    .canonicalSite, .warn,
                    "label found only in \(chosen.site.location), not where the TC260 guide puts it for \(carrier.displayName)"))
        }
        for (check, field) in [(Check.providerCode, AIGCLabel.Field.contentProducer), (.propagatorCode, .contentPropagator)] {
            guard let code = chosen?.parsed.label[field] else { continue }
            findings += ProviderCode(code).problems().map { Finding(check, .warn, "\(field.rawValue): \($0)") }
        }
        if carrier.usesXMP, chosen != nil {
            if let type = reading.digitalSourceType {
                if DigitalSourceType(rawValue: type) == nil {
                    findings.append(Finding(.digitalSourceType, .warn, "IPTC DigitalSourceType is \(type), not a generated-media value"))
                }
            } else {
                findings.append(
                    Finding(.digitalSourceType, .warn, "no IPTC DigitalSourceType beside the label; EU and platform checkers look for it"))
            }
        }
        if let manifest = reading.c2paManifest {
            findings.append(Finding(.c2paManifest, .warn, "C2PA manifest present (\(manifest)); not validated by this version"))
        }
        let context = CheckContext(
            carrier: carrier, siteCount: reading.sites.count, label: chosen?.parsed.label, readableSites: readable.count,
            explicitChecks: explicitChecks)
        // Plain text has no metadata: its notice is its label.
        let noticeLabels = carrier == .text && explicit.contains { $0.check == .textNotice && $0.outcome == .pass }
        return FileReport(
            path: path, carrier: carrier, size: size,
            verdict: Verdict(findings: findings, labelFound: chosen != nil || noticeLabels),
            label: chosen?.parsed.label, sites: reading.sites, findings: context.completing(findings),
            digitalSourceType: reading.digitalSourceType, caption: reading.caption)
    }

    static func fieldFindings(_ parsed: ParsedLabel, prefix: String) -> [Finding] {
        var findings: [Finding] = []
        for problem in parsed.label.validationProblems() {
            switch problem {
            case .missingField: findings.append(Finding(.requiredFields, .fail, prefix + problem.description))
            case .badLabelValue: findings.append(Finding(.labelValue, .fail, prefix + problem.description))
            case .badCharacter: findings.append(Finding(.characterSet, .fail, prefix + problem.description))
            case .tooLong: findings.append(Finding(.fieldLength, .warn, prefix + problem.description))
            }
        }
        for field in parsed.nonStringFields {
            findings.append(
                Finding(.valueType, .warn, prefix + "\(field.rawValue) is written as a JSON number or boolean; Annex E uses strings"))
        }
        for name in parsed.unknownFields {
            findings.append(
                Finding(
                    .unknownField, .fail,
                    prefix
                        + "unknown field \"\(name)\" (Annex E names are exact: Label, ContentProducer, ProduceID, ReservedCode1, ContentPropagator, PropagateID, ReservedCode2)"
                ))
        }
        for name in parsed.repeatedFields {
            findings.append(Finding(.repeatedField, .fail, prefix + "field \(name) appears more than once"))
        }
        return findings
    }
}
