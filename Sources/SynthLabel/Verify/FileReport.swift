/// What `verify` found in one file.
public struct FileReport: Sendable {
    public var path: String
    public var carrier: Carrier
    /// File size in bytes.
    public var size: Int
    public var verdict: Verdict
    /// The label that counts: the one at the canonical site, else the first readable one.
    public var label: AIGCLabel?
    public var sites: [LabelSite]
    public var findings: [Finding]
    /// IPTC source type beside an XMP label, when present.
    public var digitalSourceType: String?
    /// What looking for the invisible watermark found, when a watermark key was given.
    public var watermark: WatermarkDetection?
}
