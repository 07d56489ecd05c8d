/// The file formats that carry a label, one case per adapter.
public enum Carrier: String, Sendable, CaseIterable, Codable {
    case png, jpeg, wav, mp3, flac, ogg, markdown, text, webp, tiff, gif, avi, mp4, matroska, pdf, office

    /// The format's name for people ("PNG", "Ogg Vorbis/Opus").
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
        case .matroska: "Matroska/WebM"
        case .pdf: "PDF"
        case .office: "Office (DOCX/XLSX/PPTX)"
        }
    }

    /// Display names joined for a sentence: "PNG, JPEG and WAV".
    public static func listed(_ carriers: [Carrier]) -> String {
        let names = carriers.map(\.displayName)
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }
}
