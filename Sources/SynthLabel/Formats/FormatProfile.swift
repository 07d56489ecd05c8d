/// What SynthLabel does with one format, stated once: whether `label` writes it and where, what
/// else is read, and which of the other abilities (signatures, explicit labels, the watermark)
/// it has. Every capability check in the library derives from `Carrier.profile`, and
/// `synthlabel formats` prints it; adding a format is an adapter folder plus one entry here.
public struct FormatProfile: Sendable, Equatable {
    /// What sort of media the format holds.
    public enum Kind: String, Sendable, Codable {
        case image, audio, video, text, document
    }

    /// The explicit label `label --explicit` adds to this format.
    public enum ExplicitKind: String, Sendable, Codable {
        /// A caption drawn on the picture (on video, its opening frames).
        case caption
        /// The rhythm (or spoken) prompt mixed into the sound.
        case audioPrompt = "audio-prompt"
        /// A notice line in the text.
        case notice
    }

    /// The format.
    public var carrier: Carrier
    /// What it holds.
    public var kind: Kind
    /// File name extensions it is usually found under (content decides, not these, except for
    /// formats without a signature: Markdown, text, and some MP4, Office and MP3 files).
    public var extensions: [String]
    /// Where `label` writes the label, as the TC260 guides say; nil for a format that is read
    /// and verified only.
    public var writtenTo: String?
    /// Other places a label is read from.
    public var alsoRead: [String]
    /// Whether `label --sign` can bind a signature to every byte the label does not own.
    public var signs: Bool
    /// The explicit label `--explicit` adds; nil when it takes none.
    public var explicitLabel: ExplicitKind?
    /// Whether `label --watermark` marks its pixels or samples.
    public var watermark: Bool
    /// Whether the label travels in an XMP packet with the IPTC source type beside it.
    public var xmp: Bool
    /// Whether its structure carries checksums that `verify` checks.
    public var checksums: Bool

    /// Whether `label` writes the label into it.
    public var isWritable: Bool { writtenTo != nil }

    /// Whether `path` ends in one of `extensions` (any case).
    func hasExtension(of path: String) -> Bool {
        let lowercased = path.lowercased()
        return extensions.contains { lowercased.hasSuffix("." + $0) }
    }
}

extension Carrier {
    /// This format's profile: the one place its abilities are stated. Made once per format, as
    /// verifying asks for it several times per file.
    public var profile: FormatProfile { Self.profiles[self] ?? describedProfile }

    private static let profiles = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.describedProfile) })

    private var describedProfile: FormatProfile {
        func profile(
            _ kind: FormatProfile.Kind, _ extensions: [String], writtenTo: String?, alsoRead: [String] = [], signs: Bool = false,
            explicit: FormatProfile.ExplicitKind? = nil, watermark: Bool = false, xmp: Bool = false, checksums: Bool = false
        ) -> FormatProfile {
            FormatProfile(
                carrier: self, kind: kind, extensions: extensions, writtenTo: writtenTo, alsoRead: alsoRead, signs: signs,
                explicitLabel: explicit, watermark: watermark, xmp: xmp, checksums: checksums)
        }
        switch self {
        case .png:
            return profile(
                .image, ["png"], writtenTo: "iTXt XML:com.adobe.xmp before the first IDAT: XMP TC260:AIGC + Iptc4xmpExt:DigitalSourceType",
                alsoRead: ["tEXt/zTXt/iTXt chunks named AIGC", "the XMP attribute form", "labels after IDAT"], signs: true,
                explicit: .caption, watermark: true, xmp: true, checksums: true)
        case .jpeg:
            return profile(
                .image, ["jpg", "jpeg"], writtenTo: "APP1 XMP segment: XMP TC260:AIGC + Iptc4xmpExt:DigitalSourceType",
                alsoRead: ["EXIF UserComment / ImageDescription holding the JSON"], signs: true, explicit: .caption, watermark: true,
                xmp: true)
        case .wav:
            return profile(
                .audio, ["wav"], writtenTo: "RIFF chunk AIGC (word-aligned, after the last chunk)",
                alsoRead: ["LIST/INFO entries holding the JSON"], signs: true, explicit: .audioPrompt, watermark: true)
        case .mp3:
            return profile(
                .audio, ["mp3"], writtenTo: "ID3v2.3/2.4 TXXX frame AIGC (tag padding kept)",
                alsoRead: ["ID3v2 tags stacked after the first"], signs: true, explicit: .audioPrompt, watermark: true)
        case .flac:
            return profile(
                .audio, ["flac"], writtenTo: "VORBIS_COMMENT entry AIGC= (PADDING absorbs it when it can)", signs: true,
                explicit: .audioPrompt, watermark: true, checksums: true)
        case .ogg:
            return profile(
                .audio, ["ogg", "oga", "opus"], writtenTo: "comment header entry AIGC= (only header pages rebuilt)",
                explicit: .audioPrompt, watermark: true, checksums: true)
        case .markdown:
            return profile(
                .text, ["md", "markdown", "mdown", "mkd"],
                writtenTo: "YAML front matter mapping AIGC: (TOML front matter: an inline table AIGC = { … })",
                alsoRead: ["the JSON as one string or object", "a TOML [AIGC] table"], signs: true, explicit: .notice)
        case .text:
            return profile(
                .text, ["txt"],
                writtenTo:
                    "no metadata exists: the explicit notice is the label that counts; --invisible-text adds it as variation selectors at the start",
                signs: true, explicit: .notice)
        case .webp:
            return profile(
                .image, ["webp"], writtenTo: "XMP chunk, VP8X XMP flag set (a VP8X header added to simple files)", signs: true,
                xmp: true)
        case .tiff:
            return profile(
                .image, ["tif", "tiff"],
                writtenTo: "IFD0 tag 700 XMP: TC260:AIGC + Iptc4xmpExt:DigitalSourceType (packet and directory appended, no data moved)",
                alsoRead: ["ImageDescription or EXIF UserComment holding the JSON (folded into the XMP label)"], xmp: true)
        case .gif:
            return profile(
                .image, ["gif"],
                writtenTo: "XMP DataXMP application extension: XMP TC260:AIGC + Iptc4xmpExt:DigitalSourceType, after the loop extension",
                signs: true, xmp: true)
        case .avi:
            return profile(
                .video, ["avi"], writtenTo: "LIST/INFO entry AIGC before the movi list",
                alsoRead: ["any other INFO entry holding the JSON (folded into AIGC when labelling)"], signs: true,
                explicit: .caption)
        case .mp4:
            return profile(
                .video, ["mp4", "mov", "m4a", "m4v", "3gp"], writtenTo: "moov/udta/meta (handler mdta): key mdtaAIGC and its ilst item",
                alsoRead: [
                    "moov/meta: keys mdta AIGC + ilst", "iTunes ---- items (folded when labelling)",
                    "moov/udta/AIGC box (folded when labelling)", "uuid XMP box",
                ], signs: true, explicit: .caption)
        case .matroska:
            return profile(
                .video, ["mkv", "webm", "mka", "mk3d"], writtenTo: "Segment/Tags: a global Tag's SimpleTag AIGC (TagString the JSON)",
                alsoRead: ["targeted Tags' SimpleTags named AIGC"], signs: true, explicit: .caption)
        case .pdf:
            return profile(
                .document, ["pdf"],
                writtenTo: "document Info dictionary /AIGC, in an incremental update appended to the file (the original bytes untouched)",
                alsoRead: ["older revisions' Info dictionaries", "Info in an object stream"], signs: true)
        case .office:
            return profile(
                .document, ["docx", "xlsx", "pptx", "docm", "xlsm", "pptm"],
                writtenTo: "docProps/custom.xml property AIGC (vt:lpwstr), other properties and every other part kept byte for byte",
                alsoRead: ["every docProps/custom.xml entry of that name"], signs: true, explicit: .notice)
        }
    }
}
