/// The file formats that carry a label, one case per adapter.
public enum Carrier: String, Sendable, CaseIterable, Codable {
    case png, jpeg, wav, mp3, flac, ogg, markdown, text, webp, tiff, gif, avi, mp4, pdf, office

    public var displayName: String {
        switch self {
        case .png: "PNG"
        case .jpeg: "JPEG"
        case .wav: "WAV"
        case .mp3: "MP3"
        case .flac: "FLAC"
        case .ogg: "Ogg Vorbis/Opus"
        case .markdown: "Markdown"
        case .text: "plain text"
        case .webp: "WebP"
        case .tiff: "TIFF"
        case .gif: "GIF"
        case .avi: "AVI"
        case .mp4: "MP4/MOV"
        case .pdf: "PDF"
        case .office: "Office (DOCX/XLSX/PPTX)"
        }
    }

    /// Whether `label` can write this format (the others are read and verified only).
    public var isWritable: Bool {
        switch self {
        case .png, .jpeg, .wav, .mp3, .flac, .ogg, .markdown, .text, .webp: true
        case .tiff, .gif, .avi, .mp4, .pdf, .office: false
        }
    }

    /// Display names joined for a sentence: "PNG, JPEG and WAV".
    public static func listed(_ carriers: [Carrier]) -> String {
        let names = carriers.map(\.displayName)
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }

    /// Whether the label travels in an XMP packet with the IPTC source type beside it.
    var usesXMP: Bool { [.png, .jpeg, .webp, .tiff, .gif].contains(self) }

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
        case .pdf: PDFAdapter()
        case .office: OfficeAdapter()
        }
    }

    /// Recognises a file by its first bytes (by extension only for Markdown, which has none).
    package static func detect(head: [UInt8], path: String) -> Carrier? {
        if head.starts(with: PNGAdapter.signature) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count >= 12, ["RIFF", "RF64", "BW64", "RIFX"].contains(where: { head.starts(with: $0) }) {
            switch String(decoding: head[8..<12], as: UTF8.self) {
            case "WAVE": return .wav
            case "WEBP": return .webp
            case "AVI ": return .avi
            default: break
            }
        }
        if head.starts(with: "GIF87a") || head.starts(with: "GIF89a") { return .gif }
        if head.starts(with: "%PDF-") { return .pdf }
        if head.starts(with: "fLaC") { return .flac }
        if head.starts(with: "OggS") { return .ogg }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if head.starts(with: "ID3") {
            // FLAC files sometimes carry a stray ID3v2 tag in front; the FLAC adapter skips it.
            if let tagEnd = MP3Adapter.tagEnd(head: head), head.count >= tagEnd + 4,
                Array(head[tagEnd..<tagEnd + 4]) == Array("fLaC".utf8)
            {
                return .flac
            }
            return .mp3
        }
        let lowercased = path.lowercased()
        if head.count >= 8, String(decoding: head[4..<8], as: UTF8.self) == "ftyp" { return .mp4 }
        if head.count >= 8, ["moov", "wide", "free", "mdat", "skip"].contains(String(decoding: head[4..<8], as: UTF8.self)),
            [".mp4", ".mov", ".m4a", ".m4v", ".3gp"].contains(where: { lowercased.hasSuffix($0) })
        {
            return .mp4
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]),
            [".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm"].contains(where: { lowercased.hasSuffix($0) })
        {
            return .office
        }
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0, lowercased.hasSuffix(".mp3") { return .mp3 }
        if [".md", ".markdown", ".mdown", ".mkd"].contains(where: { lowercased.hasSuffix($0) }) { return .markdown }
        if lowercased.hasSuffix(".txt") { return .text }
        return nil
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
}
