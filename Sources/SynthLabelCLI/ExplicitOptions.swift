import ArgumentParser
import SynthLabel

/// `label --explicit` and its settings: what the caption, prompt or notice says and where it goes.
struct ExplicitOptions: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Also add the explicit label people see or hear: a caption on PNG/JPEG and on a video's opening frames, the rhythm prompt ·− ·· on WAV/FLAC/Ogg/MP3, a notice in Markdown and .txt.",
            discussion:
                "Pixels or samples change; all metadata is carried over. A file already showing this tool's explicit label gets no second one. "
                + "On H.264 video only the GOPs the caption covers are re-encoded and later packets are copied; "
                + "other codecs are re-encoded whole at the original's bitrate."
        ))
    var explicit = false

    @Option(
        name: .customLong("explicit-text"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Caption or notice wording; must hold 人工智能 or AI and 生成 or 合成. Default: AI生成 on images, 本内容由人工智能生成 in text.",
                zh: "图像文字或文本提示的措辞，须含“人工智能”或“AI”，以及“生成”或“合成”。默认：图像为 AI生成，文本为 本内容由人工智能生成。")))
    var wording: String?

    @Option(help: "Caption place: \(CaptionPlacement.allCases.map(\.rawValue).joined(separator: ", ")).")
    var captionPosition: String?

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Caption text height as a share of the shortest side (GB 45438 asks at least 0.05). Default: 0.055.",
                zh: "图像文字高度占最短边的比例（GB 45438 要求不低于 0.05）。默认：0.055。")))
    var captionSize: Double?

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Video: seconds the caption is shown from the start (at least 2), or 'whole'. Default: 2.",
                zh: "视频：从开头起显示文字的秒数（至少 2），或 'whole'（全程）。默认：2。")))
    var captionDuration: String?

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "JPEG re-encoding quality 1-100. Default: the original's quality, read from its tables (90 if unknown).",
                zh: "JPEG 重新编码质量 1-100。默认：从原图量化表读出的质量（无法读出时为 90）。")))
    var jpegQuality: Int?

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "TrueType/OpenType font for captions the built-in font cannot draw.", zh: "内置字体无法绘制时所用的 TrueType/OpenType 字体。")))
    var font: String?

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Where audio prompts and text notices go: start, end or both. Default: start.",
                zh: "音频提示和文本提示的位置：start（开头）、end（结尾）或 both（两处）。默认：start。")))
    var promptPosition: String?

    @Flag(
        help: ArgumentHelp(
            "Plain text: also hide the metadata label in the file as invisible Unicode variation selectors.",
            discussion: "Fragile: survives copy and paste and normalisation, not legacy encodings or tools that strip invisible characters."
        ))
    var invisibleText = false

    @Option(
        help:
            "Audio prompt: rhythm (·− ··, short long short short) or spoken (人工智能生成, a built-in recording). Default: rhythm. On video, giving it also mixes the prompt into the start of the sound."
    )
    var audioPrompt: String?

    @Option(help: "Rhythm prompt tone in Hz. Default: \(Int(RhythmPrompt().frequency)).")
    var toneFrequency: Double?

    @Option(help: "Audio prompt level in dB relative to the programme's RMS. Default: \(Int(RhythmPrompt().relativeLevel)).")
    var toneLevel: Double?

    /// The settings given, by flag: each only shapes the explicit label, so without --explicit it
    /// would do nothing, and a flag that does nothing is an error rather than a silent surprise.
    private var settingsGiven: [String] {
        let given: [(String, Bool)] = [
            ("--explicit-text", wording != nil), ("--caption-position", captionPosition != nil),
            ("--caption-size", captionSize != nil), ("--caption-duration", captionDuration != nil), ("--jpeg-quality", jpegQuality != nil),
            ("--font", font != nil),
            ("--prompt-position", promptPosition != nil), ("--audio-prompt", audioPrompt != nil),
            ("--tone-frequency", toneFrequency != nil), ("--tone-level", toneLevel != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    func validate() throws {
        if !explicit, let first = settingsGiven.first {
            let all = settingsGiven.joined(separator: ", ")
            throw ValidationError(
                "\(all) \(settingsGiven.count == 1 ? "shapes" : "shape") the explicit label; add --explicit to draw it, or drop \(first)")
        }
        if let captionPosition, CaptionPlacement(rawValue: captionPosition) == nil {
            throw ValidationError(
                "--caption-position must be one of \(CaptionPlacement.allCases.map(\.rawValue).joined(separator: ", ")), not '\(captionPosition)'"
            )
        }
        if let promptPosition, PromptPosition(rawValue: promptPosition) == nil {
            throw ValidationError("--prompt-position must be start, end or both, not '\(promptPosition)'")
        }
        if let captionSize, !(0.05...0.5).contains(captionSize) {
            throw ValidationError("--caption-size must be between 0.05 (the GB 45438 minimum) and 0.5")
        }
        if let captionDuration, Self.seconds(captionDuration) == nil {
            throw ValidationError("--caption-duration must be a number of seconds from 2 up, or 'whole', not '\(captionDuration)'")
        }
        if let jpegQuality, !(1...100).contains(jpegQuality) { throw ValidationError("--jpeg-quality must be 1-100") }
        if let audioPrompt, AudioPromptKind(rawValue: audioPrompt) == nil {
            throw ValidationError("--audio-prompt must be rhythm or spoken, not '\(audioPrompt)'")
        }
        if let toneFrequency, !(100...8000).contains(toneFrequency) { throw ValidationError("--tone-frequency must be 100-8000 Hz") }
        if let toneLevel, !(-30...12).contains(toneLevel) { throw ValidationError("--tone-level must be between -30 and 12 dB") }
        if let wording {
            do { _ = try PromptWording(wording) } catch { throw ValidationError("--explicit-text: \(error)") }
        }
    }

    /// `--caption-duration`'s seconds: a number from 2 up, or infinity for 'whole'.
    private static func seconds(_ text: String) -> Double? {
        if text == "whole" { return .infinity }
        guard let value = Double(text), value.isFinite, value >= ExplicitLabel.minimumCaptionDuration else { return nil }
        return value
    }

    /// The settings, or nil without --explicit.
    var settings: ExplicitLabel? {
        guard explicit else { return nil }
        var settings = ExplicitLabel()
        settings.wording = wording.flatMap { try? PromptWording($0) }
        settings.captionPlacement = captionPosition.flatMap(CaptionPlacement.init(rawValue:)) ?? .bottomRight
        if let captionSize { settings.captionTextHeight = captionSize }
        if let seconds = captionDuration.flatMap(Self.seconds) { settings.captionDuration = seconds }
        settings.jpegQuality = jpegQuality
        settings.fontPath = font
        settings.position = promptPosition.flatMap(PromptPosition.init(rawValue:)) ?? .start
        settings.audioPrompt = audioPrompt.flatMap(AudioPromptKind.init(rawValue:)) ?? .rhythm
        settings.audioPromptOnVideo = audioPrompt != nil
        if let toneFrequency { settings.rhythm.frequency = toneFrequency }
        if let toneLevel { settings.rhythm.relativeLevel = toneLevel }
        return settings
    }
}
