import ArgumentParser
import SynthLabel

/// `label --explicit` and its settings: what the caption, prompt or notice says and where it goes.
struct ExplicitOptions: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Also add the explicit label people see or hear: a caption on PNG/JPEG, the rhythm prompt ·− ·· on WAV/FLAC/Ogg/MP3, a notice in Markdown and .txt.",
            discussion:
                "Pixels or samples change; all metadata is carried over. A file already showing this tool's explicit label gets no second one."
        ))
    var explicit = false

    @Option(
        name: .customLong("explicit-text"),
        help: "Caption or notice wording; must hold 人工智能 or AI and 生成 or 合成. Default: AI生成 on images, 本内容由人工智能生成 in text.")
    var wording: String?

    @Option(help: "Caption place: \(CaptionPlacement.allCases.map(\.rawValue).joined(separator: ", ")).")
    var captionPosition: String = CaptionPlacement.bottomRight.rawValue

    @Option(help: "Caption text height as a share of the shortest side (GB 45438 asks at least 0.05).")
    var captionSize: Double = 0.055

    @Option(help: "JPEG re-encoding quality 1-100. Default: the original's quality, read from its tables (90 if unknown).")
    var jpegQuality: Int?

    @Option(help: "TrueType/OpenType font for captions the built-in font cannot draw.")
    var font: String?

    @Option(help: "Where audio prompts and text notices go: start, end or both.")
    var promptPosition: String = PromptPosition.start.rawValue

    @Flag(
        help: ArgumentHelp(
            "Plain text: also hide the metadata label in the file as invisible Unicode variation selectors.",
            discussion: "Fragile: survives copy and paste and normalisation, not legacy encodings or tools that strip invisible characters."
        ))
    var invisibleText = false

    @Option(help: "Audio prompt: rhythm (·− ··, short long short short) or spoken (人工智能生成, a built-in recording).")
    var audioPrompt: String = AudioPromptKind.rhythm.rawValue

    @Option(help: "Rhythm prompt tone in Hz.")
    var toneFrequency: Double = RhythmPrompt().frequency

    @Option(help: "Audio prompt level in dB relative to the programme's RMS.")
    var toneLevel: Double = RhythmPrompt().relativeLevel

    func validate() throws {
        guard CaptionPlacement(rawValue: captionPosition) != nil else {
            throw ValidationError(
                "--caption-position must be one of \(CaptionPlacement.allCases.map(\.rawValue).joined(separator: ", ")), not '\(captionPosition)'"
            )
        }
        guard PromptPosition(rawValue: promptPosition) != nil else {
            throw ValidationError("--prompt-position must be start, end or both, not '\(promptPosition)'")
        }
        guard (0.05...0.5).contains(captionSize) else {
            throw ValidationError("--caption-size must be between 0.05 (the GB 45438 minimum) and 0.5")
        }
        if let jpegQuality, !(1...100).contains(jpegQuality) { throw ValidationError("--jpeg-quality must be 1-100") }
        guard AudioPromptKind(rawValue: audioPrompt) != nil else {
            throw ValidationError("--audio-prompt must be rhythm or spoken, not '\(audioPrompt)'")
        }
        guard (100...8000).contains(toneFrequency) else { throw ValidationError("--tone-frequency must be 100-8000 Hz") }
        guard (-30...12).contains(toneLevel) else { throw ValidationError("--tone-level must be between -30 and 12 dB") }
        if let wording {
            do { _ = try PromptWording(wording) } catch { throw ValidationError("--explicit-text: \(error)") }
        }
    }

    /// The settings, or nil without --explicit.
    var settings: ExplicitLabel? {
        guard explicit else { return nil }
        var settings = ExplicitLabel()
        settings.wording = wording.flatMap { try? PromptWording($0) }
        settings.captionPlacement = CaptionPlacement(rawValue: captionPosition) ?? .bottomRight
        settings.captionTextHeight = captionSize
        settings.jpegQuality = jpegQuality
        settings.fontPath = font
        settings.position = PromptPosition(rawValue: promptPosition) ?? .start
        settings.audioPrompt = AudioPromptKind(rawValue: audioPrompt) ?? .rhythm
        settings.rhythm.frequency = toneFrequency
        settings.rhythm.relativeLevel = toneLevel
        return settings
    }
}
