/// The rules `verify` applies, each with a stable identifier that scripts can match on.
///
/// Every file gets one outcome for every check (more when a check fails at several label
/// sites); `docs/checks.md` gives the clause each comes from.
public enum Check: String, Sendable, CaseIterable, Codable {
    case carrierDetected = "carrier.detected"
    case containerIntact = "container.intact"
    case checksums = "container.checksum"
    case unreadParts = "container.unread"
    case labelPresent = "label.present"
    case labelParse = "label.parse"
    case emptyShell = "label.empty-shell"
    case requiredFields = "label.required-fields"
    case labelValue = "label.value"
    case valueType = "label.value-type"
    case characterSet = "label.charset"
    case fieldLength = "label.field-length"
    case unknownField = "label.unknown-field"
    case repeatedField = "label.repeated-field"
    case duplicateSites = "sites.duplicate"
    case disagreeingSites = "sites.disagree"
    case canonicalSite = "site.canonical"
    case providerCode = "producer.code"
    case propagatorCode = "propagator.code"
    case digitalSourceType = "xmp.digital-source-type"
    case c2paManifest = "c2pa.present"
    case caption = "explicit.caption"
    case audioPrompt = "explicit.audio-prompt"
    case textNotice = "explicit.text-notice"
    case producerSignature = "signature.producer"
    case platformSignature = "signature.platform"
    case imageWatermark = "watermark.image"
    case audioWatermark = "watermark.audio"
    case copiedWatermark = "watermark.copied"
}

/// How a check came out.
public enum Outcome: String, Sendable, Codable {
    case pass, fail, warn, skip, error
}

/// One check's result for one file, with a one-line reason.
public struct Finding: Sendable, Codable, Hashable {
    /// The check (its id is stable; docs/checks.md lists them).
    public var check: Check
    /// Pass, fail, warn or skip.
    public var outcome: Outcome
    /// Why, in words for a person.
    public var message: String

    /// A finding of `check` with its outcome and reason.
    public init(_ check: Check, _ outcome: Outcome, _ message: String) {
        self.check = check
        self.outcome = outcome
        self.message = message
    }
}

/// The answer for one file.
///
/// Rule: any `error` finding → `inconclusive`; else any `fail` → `noncompliant`;
/// else a label found → `compliant`; else `unlabelled`.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    case compliant, noncompliant, inconclusive, unlabelled

    init(findings: [Finding], labelFound: Bool) {
        if findings.contains(where: { $0.outcome == .error }) {
            self = .inconclusive
        } else if findings.contains(where: { $0.outcome == .fail }) {
            self = .noncompliant
        } else {
            self = labelFound ? .compliant : .unlabelled
        }
    }
}
