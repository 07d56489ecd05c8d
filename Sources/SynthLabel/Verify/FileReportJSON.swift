/// The seven Annex E fields by their standard names, for JSON output.
public struct LabelJSON: Encodable, Sendable {
    /// Field name (`ContentProducer`, …) to value; an absent field is "".
    public var fields: [String: String]

    /// The fields of `label`.
    public init(_ label: AIGCLabel) {
        fields = Dictionary(uniqueKeysWithValues: AIGCLabel.Field.allCases.map { ($0.rawValue, label[$0] ?? "") })
    }

    /// Encodes as a plain object of the fields.
    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
    }
}

/// One file of `verify --json`, one line of `scan --ndjson`, and the body of the service's
/// `POST /v1/verify` (which has no path): the report's stable JSON form.
public struct FileReportJSON: Encodable, Sendable {
    /// One place a label was found.
    public struct Site: Encodable, Sendable {
        /// Where, in words (`iTXt chunk "XML:com.adobe.xmp", …`).
        public var location: String
        /// Byte offset of the site in the file.
        public var offset: Int
        /// Whether it is where the TC260 guide puts the label.
        public var canonical: Bool
        /// The text found there.
        public var text: String
        /// Why the text is not a valid label, when it is not.
        public var error: String?
    }

    /// The file's path (nil where there is none: a body sent to the service).
    public var path: String?
    /// The carrier's short name (`png`, `mp4`, …).
    public var format: String?
    /// `compliant`, `noncompliant`, `unlabelled` or `inconclusive`.
    public var verdict: String
    /// File size in bytes.
    public var size: Int?
    /// The label, when one was read.
    public var label: LabelJSON?
    /// Every place a label was found.
    public var sites: [Site]
    /// Every check with its outcome.
    public var checks: [Finding]
    /// The IPTC digital source type beside the label, when there is one.
    public var digitalSourceType: String?
    /// With a watermark key on PNG, JPEG and audio: what the watermark search found.
    public var watermark: WatermarkJSON?
    /// The caption SynthLabel recorded drawing, when the metadata holds its record.
    public var caption: CaptionJSON?
    /// Why the file could not be read at all.
    public var error: String?

    /// A recorded caption: its text and backing box (view coordinates, pixels).
    public struct CaptionJSON: Encodable, Sendable {
        /// The caption's words.
        public var text: String
        /// The box: left, top, width and height.
        public var x, y, width, height: Int
        /// Video: seconds from the start it is shown.
        public var duration: Double?
    }

    /// What the watermark search found.
    public struct WatermarkJSON: Encodable, Sendable {
        /// Whether a mark under the key was found.
        public var present: Bool
        /// How sure the detector is (0…1).
        public var confidence: Double
        /// 16 hex digits, only when present.
        public var payload: String?
        /// Whether the mark was made for this content: confirmed, copied or unconfirmed.
        public var binding: BindingJSON?
    }

    /// The mark's layer tied to the content it was made for.
    public struct BindingJSON: Encodable, Sendable {
        /// `confirmed`, `copied` or `unconfirmed`.
        public var verdict: String
        /// The tied layer's z score.
        public var score: Double
        /// The z score a genuine mark of this size reaches.
        public var expected: Double
    }

    /// The JSON form of a report.
    public init(_ report: FileReport) {
        path = report.path
        size = report.size
        format = report.carrier.rawValue
        verdict = report.verdict.rawValue
        label = report.label.map(LabelJSON.init)
        sites = report.sites.map { site in
            var error: String? = nil
            if case .failure(let failure) = site.parsed { error = failure.message }
            return Site(location: site.location, offset: site.offset, canonical: site.isCanonical, text: site.text, error: error)
        }
        checks = report.findings
        digitalSourceType = report.digitalSourceType
        caption = report.caption.map {
            CaptionJSON(text: $0.text, x: $0.box.x, y: $0.box.y, width: $0.box.width, height: $0.box.height, duration: $0.duration)
        }
        watermark = report.watermark.map { found in
            WatermarkJSON(
                present: found.present, confidence: found.confidence, payload: found.payloadHex,
                binding: found.binding.map {
                    BindingJSON(
                        verdict: $0.verdict.rawValue, score: ($0.score * 10).rounded() / 10, expected: ($0.expected * 10).rounded() / 10)
                })
        }
    }

    /// A file that could not be read at all: inconclusive, with the reason.
    public init(path: String?, error message: String) {
        self.path = path
        verdict = Verdict.inconclusive.rawValue
        sites = []
        checks = []
        self.error = message
    }
}
