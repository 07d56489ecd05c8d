/// What a file offered the checks, so each check that found nothing to object to can say
/// whether it passed or did not apply.
struct CheckContext {
    var carrier: Carrier
    var siteCount: Int
    var label: AIGCLabel?
    var readableSites: Int
    /// Whether the costly explicit checks (decoding pixels and audio) ran.
    var explicitChecks: Bool

    /// `findings` plus a `pass` or `skip` for every check that has no finding yet, in the
    /// order of `Check.allCases`.
    func completing(_ findings: [Finding]) -> [Finding] {
        let reported = Set(findings.map(\.check))
        var complete: [Finding] = []
        for check in Check.allCases {
            let own = findings.filter { $0.check == check }
            if !reported.contains(check) {
                let (outcome, message) = silentOutcome(of: check)
                complete.append(Finding(check, outcome, message))
            }
            complete += own
        }
        return complete
    }

    private func silentOutcome(of check: Check) -> (Outcome, String) {
        let noLabel = (Outcome.skip, "no readable label")
        switch check {
        case .carrierDetected: return (.pass, carrier.displayName)
        case .containerIntact: return (.pass, "structure intact")
        case .checksums:
            return carrier.profile.checksums ? (.pass, "checksums match") : (.skip, "\(carrier.displayName) carries no checksums")
        case .unreadParts: return (.pass, "every place a label can be was read")
        case .labelPresent: return (.skip, "no label found")
        case .labelParse, .emptyShell:
            return siteCount == 0 ? (.skip, "no label site") : (.pass, "every label site parses")
        case .requiredFields, .labelValue, .valueType, .characterSet, .fieldLength, .unknownField, .repeatedField:
            return label == nil ? noLabel : (.pass, "ok")
        case .duplicateSites, .disagreeingSites:
            return readableSites < 2 ? (.pass, "at most one label site") : (.pass, "ok")
        case .canonicalSite:
            return label == nil ? noLabel : (.pass, "label at the site the TC260 guide names")
        case .providerCode:
            return label == nil ? noLabel : (.pass, "well-formed 27-character provider code")
        case .propagatorCode:
            return label?[.contentPropagator] == nil ? (.skip, "no ContentPropagator") : (.pass, "well-formed 27-character provider code")
        case .digitalSourceType:
            if !carrier.usesXMP { return (.skip, "\(carrier.displayName) has no XMP packet") }
            return label == nil ? noLabel : (.pass, "IPTC DigitalSourceType marks generated media")
        case .c2paManifest: return (.pass, "no C2PA manifest")
        case .caption:
            guard carrier.profile.explicitLabel == .caption else { return (.skip, "not a picture or video SynthLabel captions") }
            return explicitChecks
                ? (.skip, "no caption record from SynthLabel (captions drawn by other tools are not recognised)")
                : (.skip, "explicit checks not asked for")
        case .audioPrompt:
            guard carrier.profile.explicitLabel == .audioPrompt || carrier.profile.kind == .video else {
                return (.skip, "not audio SynthLabel reads samples of")
            }
            return (.skip, "explicit checks not asked for")
        case .textNotice:
            return carrier.profile.explicitLabel == .notice ? (.skip, "explicit checks not asked for") : (.skip, "not a text file")
        case .producerSignature:
            return label == nil ? noLabel : (.skip, "unsigned: ReservedCode1 holds no SynthLabel signature")
        case .platformSignature:
            return label == nil ? noLabel : (.skip, "unsigned: ReservedCode2 holds no SynthLabel signature")
        case .imageWatermark:
            guard carrier.profile.watermark, carrier.profile.kind == .image else { return (.skip, "not an image SynthLabel watermarks") }
            return (.skip, "no watermark key given (--watermark-key)")
        case .audioWatermark:
            guard carrier.profile.watermark, carrier.profile.kind == .audio else { return (.skip, "not audio SynthLabel watermarks") }
            return (.skip, "no watermark key given (--watermark-key)")
        case .copiedWatermark:
            guard carrier.profile.watermark else { return (.skip, "not a format SynthLabel watermarks") }
            return (.skip, "no watermark key given (--watermark-key)")
        }
    }
}

extension ParsedLabel {
    /// A label object with no field at all, such as `{"AIGC":{}}`.
    var isEmpty: Bool { label.values.isEmpty && unknownFields.isEmpty }
}
