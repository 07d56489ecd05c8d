/// The explicit labels `Labeller` adds before writing the implicit one (GB 45438 §5): a caption
/// on images, a prompt in audio, a notice in text.
///
/// Pixels and samples change here, unlike metadata-only labelling; every piece of metadata the
/// carrier keeps is carried over, and the implicit label is written on top as usual. A file
/// that already shows this tool's explicit label is not given a second one.
public struct ExplicitLabel: Sendable {
    /// The words; nil uses `PromptWording.caption` on images and `.notice` in text.
    public var wording: PromptWording?
    /// Where on the picture the caption goes.
    public var captionPlacement: CaptionPlacement = .bottomRight
    /// Ink height of the caption text as a share of the shortest side (at least 0.05).
    public var captionTextHeight: Double = CaptionLayout.defaultTextHeight
    /// The shortest time a video's opening caption is shown, in seconds.
    public static let minimumCaptionDuration = 2.0
    /// Video: seconds from the start the caption is shown (at least `minimumCaptionDuration`);
    /// `.infinity` for the whole video.
    public var captionDuration: Double = ExplicitLabel.minimumCaptionDuration
    /// JPEG re-encoding quality; nil keeps the quality the original's tables show (90 if unknown).
    public var jpegQuality: Int?
    /// A TrueType/OpenType font for wording the built-in subset cannot draw.
    public var fontPath: String?
    /// Where audio prompts and text notices go.
    public var position: PromptPosition = .start
    /// Video: also mix `audioPrompt` into the start of the sound (the caption is video's explicit
    /// label; the prompt is added only when asked for).
    public var audioPromptOnVideo = false
    /// Which audio prompt: the rhythm ·− ·· (default) or the spoken "人工智能生成".
    public var audioPrompt: AudioPromptKind = .rhythm
    /// The rhythm prompt's tone and timing.
    public var rhythm = RhythmPrompt()

    /// The defaults: the standard wording, bottom right, the rhythm prompt at the start.
    public init() {}

    /// What the explicit step produced: the new file (nil when the label was already there),
    /// the caption drawn on an image, and a line for the user.
    struct Result {
        var file: FileSource?
        var caption: CaptionRecord?
        var summary: String
    }

    func apply(to file: FileSource, carrier: Carrier, reading: CarrierReading, path: String) throws(SynthLabelError) -> Result? {
        switch carrier.profile.explicitLabel {
        case .caption:
            if let caption = reading.caption {
                return Result(file: nil, caption: nil, summary: "caption \"\(caption.text)\" already drawn; not drawn again")
            }
            let renderer = try GlyphRenderer(fontPath: fontPath)
            let text = (wording ?? .caption).text
            let missing = renderer.missingCharacters(in: text)
            guard missing.isEmpty else {
                throw .fontLacksGlyphs(path: path, characters: String(missing))
            }
            let style = CaptionStyle(text: text, placement: captionPlacement, textHeight: max(0.05, captionTextHeight))
            if carrier.profile.kind == .video {
                let duration = max(Self.minimumCaptionDuration, captionDuration)
                let caption = VideoCaption(
                    style: style, duration: duration, renderer: renderer, audioPrompt: audioPromptOnVideo ? (audioPrompt, rhythm) : nil)
                return try caption.apply(to: file, carrier: carrier, path: path)
            }
            let bytes = try file.wholeBytes(path: path)
            let drawn =
                carrier == .png
                ? try PNGCodec.caption(bytes, style: style, renderer: renderer, path: path)
                : try JPEGCodec.caption(bytes, style: style, quality: jpegQuality, renderer: renderer, path: path)
            return Result(
                file: FileSource(bytes: drawn.bytes, path: path, mode: file.mode), caption: drawn.record,
                summary: "caption \"\(text)\" \(drawn.record.textHeight) px high at \(captionPlacement.rawValue)")
        case .notice where carrier == .office:
            do throws(FormatError) {
                guard let document = try DocumentNotice(file) else {
                    return Result(file: nil, caption: nil, summary: "no notice is written into presentations and workbooks yet")
                }
                if let found = document.notices.first {
                    return Result(file: nil, caption: nil, summary: "notice \"\(found.line)\" already \(found.position.phrase)")
                }
                let wording = wording ?? .notice
                let plan = try document.inserting(wording, at: position)
                return Result(
                    file: FileSource(plan: plan, over: file), caption: nil, summary: "notice \"\(wording)\" \(position.phrase)")
            } catch {
                throw SynthLabelError(error, path: path)
            }
        case .notice:
            let head = try file.wholeBytes(path: path, limit: TextNotice.window)
            let tail = file.size > TextNotice.window ? try? file.bytes(upTo: TextNotice.window, at: file.size - TextNotice.window) : nil
            if let found = TextNotice.find(head: head, tail: tail).first {
                return Result(file: nil, caption: nil, summary: "notice \"\(found.line)\" already \(found.position.phrase)")
            }
            let bytes = try file.wholeBytes(path: path)
            var bodyStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            if carrier == .markdown, let frontMatter = try? MarkdownAdapter.document(of: file).frontMatter {
                bodyStart = frontMatter.end
            }
            let wording = wording ?? .notice
            let written = try TextNotice.insert(wording, at: position, into: bytes, bodyStart: bodyStart, path: path)
            return Result(
                file: FileSource(bytes: written, path: path, mode: file.mode), caption: nil,
                summary: "notice \"\(wording)\" \(position.phrase)")
        case .audioPrompt:
            return try AudioPromptWriter(kind: audioPrompt, rhythm: rhythm, position: position).apply(
                to: file, carrier: carrier, path: path)
        case nil:
            return nil
        }
    }
}

/// The two audio prompts GB 45438 §5 allows.
public enum AudioPromptKind: String, Sendable, CaseIterable {
    /// "short long short short", Morse ·− ·· for AI.
    case rhythm
    /// "人工智能生成", spoken.
    case spoken
}
