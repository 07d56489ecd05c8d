/// What SynthLabel does with each format, and how it finds which one a file is.
extension Carrier {
    /// Whether `label` can write this format (the others are read and verified only).
    public var isWritable: Bool { profile.isWritable }

    /// Whether the label travels in an XMP packet with the IPTC source type beside it.
    var usesXMP: Bool { profile.xmp }

    package var adapter: any CarrierAdapter {
        switch self {
        case .png: PNGAdapter()
        case .jpeg: JPEGAdapter()
        case .wav: WAVAdapter()
        case .mp3: MP3Adapter()
        case .flac: FLACAdapter()
        case .ogg: OggAdapter()
        case .markdown: MarkdownAdapter()
        case .text: TextAdapter()
        case .webp: WebPAdapter()
        case .tiff: TIFFAdapter()
        case .gif: GIFAdapter()
        case .avi: AVIAdapter()
        case .mp4: MP4Adapter()
        case .matroska: MatroskaAdapter()
        case .pdf: PDFAdapter()
        case .office: OfficeAdapter()
        }
    }

    /// Recognises a file by its first bytes, each adapter by its own rule (by name only for
    /// Markdown and text, which have no signature, so they are asked last).
    package static func detect(head: [UInt8], path: String) -> Carrier? {
        detectionOrder.first { type(of: $0.adapter).recognises(head: head, path: path) }
    }

    /// Formats with a signature first, then those known by name alone.
    private static let detectionOrder = allCases.filter { !$0.knownByNameOnly } + allCases.filter(\.knownByNameOnly)

    private var knownByNameOnly: Bool { self == .markdown || self == .text }
}

/// A RIFF container's form type (`WAVE`, `WEBP`, `AVI `), from its first 12 bytes.
enum RIFFForm {
    static func of(_ head: [UInt8]) -> String? {
        guard head.count >= 12, ["RIFF", "RF64", "BW64", "RIFX"].contains(where: { head.starts(with: $0) }) else { return nil }
        return String(decoding: head[8..<12], as: UTF8.self)
    }
}

/// Where a label was found in a file, and what it says.
public struct LabelSite: Sendable {
    /// Human description of the place, e.g. `iTXt chunk "XML:com.adobe.xmp", TC260:AIGC element`.
    public var location: String
    /// Byte offset of the chunk, segment, frame or line that holds it.
    public var offset: Int
    /// Whether this is where the TC260 guide says to write the label for this format.
    public var isCanonical: Bool
    /// The label text as stored.
    public var text: String
    /// The label, or why the text is not one.
    public var parsed: Result<ParsedLabel, LabelParseError>

    init(location: String, offset: Int, isCanonical: Bool, text: String) {
        self.init(location: location, offset: offset, isCanonical: isCanonical, text: text, parsed: AIGCLabel.parse(text))
    }

    init(location: String, offset: Int, isCanonical: Bool, text: String, parsed: Result<ParsedLabel, LabelParseError>) {
        self.location = location
        self.offset = offset
        self.isCanonical = isCanonical
        self.text = text
        self.parsed = parsed
    }
}

/// What an adapter found in a file: label sites, damage, and neighbouring metadata.
package struct CarrierReading {
    var sites: [LabelSite] = []
    /// Structural problems: a verdict on a damaged file is inconclusive and it is not labelled.
    var damage: [FormatError] = []
    /// Things worth saying that break no rule.
    var notes: [String] = []
    /// The IPTC source type from the XMP packet, for image carriers.
    var digitalSourceType: String?
    /// The bytes the label owns: the unit that carries it and the size fields that count it.
    /// A signed label's content digest covers everything else. Empty where signing is not
    /// supported for the format yet.
    var ownedRanges: [Range<Int>] = []
    /// The record of a caption SynthLabel drew, from the XMP packet.
    var caption: CaptionRecord?
    /// Where a C2PA manifest sits, if there is one: editing the file breaks its hard binding.
    var c2paManifest: String?
    /// Parts that could hold a label but were not read (said, not hidden).
    var unread: [String] = []
}

/// What a caller wants written.
package struct WriteRequest {
    var label: AIGCLabel
    var sourceType: DigitalSourceType
    /// A caption just drawn on the image, recorded in the XMP packet beside the label.
    var caption: CaptionRecord?
    /// Plain text: hide the label as variation selectors (`InvisibleTextLabel`).
    var invisibleText = false

    package init(label: AIGCLabel, sourceType: DigitalSourceType, caption: CaptionRecord? = nil, invisibleText: Bool = false) {
        self.label = label
        self.sourceType = sourceType
        self.caption = caption
        self.invisibleText = invisibleText
    }
}

/// One file format: finds label sites and plans a lossless rewrite with the label in place.
///
/// An adapter knows bytes, not policy: it never decides whether a label may be replaced.
package protocol CarrierAdapter: Sendable {
    var carrier: Carrier { get }
    /// Reads every label site. Throws only when the file is not this format at all;
    /// damage further in is reported in `CarrierReading.damage`.
    func read(_ file: FileSource) throws(FormatError) -> CarrierReading
    /// The file with exactly one label, at the canonical site, and every other byte kept.
    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan
    /// Whether a file starting with `head` (its first 64 bytes, or all of a shorter file),
    /// named `path`, is this format.
    static func recognises(head: [UInt8], path: String) -> Bool
}
