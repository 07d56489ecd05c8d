/// What `verify` found in one file.
public struct FileReport: Sendable {
    /// The file as it was named.
    public var path: String
    /// Its format.
    public var carrier: Carrier
    /// File size in bytes.
    public var size: Int
    /// The verdict the findings add up to.
    public var verdict: Verdict
    /// The label that counts: the one at the canonical site, else the first readable one.
    public var label: AIGCLabel?
    /// Every label site found, in file order.
    public var sites: [LabelSite]
    /// Every check's outcome, with its reason.
    public var findings: [Finding]
    /// IPTC source type beside an XMP label, when present.
    public var digitalSourceType: String?
    /// What looking for the invisible watermark found, when a watermark key was given.
    public var watermark: WatermarkDetection?
    /// The caption SynthLabel recorded drawing (its text and box), as the metadata says; the
    /// `explicit.caption` check says whether the pixels still show it.
    public var caption: CaptionRecord?
}
