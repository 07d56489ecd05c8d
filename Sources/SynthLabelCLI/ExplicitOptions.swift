import ArgumentParser
import SynthLabel

/// `label --explicit` and its settings: what the caption, prompt or notice says and where it goes.
struct ExplicitOptions: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            en:
                "Also add the explicit label people see or hear: a caption on PNG/JPEG and on a video's opening frames, the rhythm prompt ·− ·· on WAV/FLAC/Ogg/MP3, a notice in Markdown, .txt and Word documents.",
            zh: "同时添加人能看到或听到的显式标识：PNG/JPEG 及视频开头画面上的文字，WAV/FLAC/Ogg/MP3 中的节奏提示 ·− ··，Markdown、.txt 和 Word 文档中的提示语。",
            discussion: (
                en:
                    "Pixels or samples change; all metadata is carried over. A file already showing this tool's explicit label gets no second one. "
                    + "On H.264 video only the GOPs the caption covers are re-encoded and later packets are copied; "
                    + "other codecs are re-encoded whole at the original's bitrate.",
                zh: "像素或采样会改变，全部元数据原样保留。已带有本工具显式标识的文件不会再加第二个。"
                    + "H.264 视频只重新编码文字覆盖的 GOP，其后的数据包直接复制；其他编码按原码率整体重新编码。"
            )))
    var explicit = false

    @Option(
        name: .customLong("explicit-text"),
        help: ArgumentHelp(
            en: "Caption or notice wording; must hold 人工智能 or AI and 生成 or 合成. Default: AI生成 on images, 本内容由人工智能生成 in text.",
            zh: "图像文字或文本提示的措辞，须含“人工智能”或“AI”，以及“生成”或“合成”。默认：图像为 AI生成，文本为 本内容由人工智能生成。"))
    var wording: String?

    @Option(
        help: ArgumentHelp(
            en: "Caption place: \(CaptionPlacement.listed). Default: bottom-right.",
            zh: "文字位置：\(CaptionPlacement.listed)。默认：bottom-right（右下角）。"))
    var captionPosition: String?

    @Option(
        help: ArgumentHelp(
            en: "Caption text height as a share of the shortest side (GB 45438 asks at least 0.05). Default: 0.055.",
            zh: "图像文字高度占最短边的比例（GB 45438 要求不低于 0.05）。默认：0.055。"))
    var captionSize: Double?

    @Option(
        help: ArgumentHelp(
            en: "Video: seconds the caption is shown from the start (at least 2), or 'whole'. Default: 2.",
            zh: "视频：从开头起显示文字的秒数（至少 2），或 'whole'（全程）。默认：2。"))
    var captionDuration: String?

    @Option(
        help: ArgumentHelp(
            en: "JPEG re-encoding quality 1-100. Default: the original's quality, read from its tables (90 if unknown).",
            zh: "JPEG 重新编码质量 1-100。默认：从原图量化表读出的质量（无法读出时为 90）。"))
    var jpegQuality: Int?

    @Option(
        help: ArgumentHelp(
            en: "TrueType/OpenType font for captions the built-in font cannot draw.", zh: "内置字体无法绘制时所用的 TrueType/OpenType 字体。"))
    var font: String?

    @Option(
        help: ArgumentHelp(
            en: "Where audio prompts and text notices go: start, end or both. Default: start.",
            zh: "音频提示和文本提示的位置：start（开头）、end（结尾）或 both（两处）。默认：start。"))
    var promptPosition: String?

    @Flag(
        help: ArgumentHelp(
            en: "Plain text: also hide the metadata label in the file as invisible Unicode variation selectors.",
            zh: "纯文本：同时以不可见的 Unicode 变体选择符把元数据标识藏在文件中。",
            discussion: (
                en: "Fragile: survives copy and paste and normalisation, not legacy encodings or tools that strip invisible characters.",
                zh: "较脆弱：能经受复制粘贴和规范化，但经不起旧式编码转换或删除不可见字符的工具。"
            )))
    var invisibleText = false

    @Option(
        help: ArgumentHelp(
            en:
                "Audio prompt: rhythm (·− ··, short long short short) or spoken (人工智能生成, a built-in recording). Default: rhythm. On video, giving it also mixes the prompt into the start of the sound.",
            zh: "音频提示：rhythm（节奏 ·− ··，短长短短）或 spoken（内置录音“人工智能生成”）。默认：rhythm。用于视频时，给出本选项还会把提示混入声音开头。"))
    var audioPrompt: String?

    @Option(
        help: ArgumentHelp(
            en: "Rhythm prompt tone in Hz. Default: \(Int(RhythmPrompt().frequency)).",
            zh: "节奏提示音的频率（Hz）。默认：\(Int(RhythmPrompt().frequency))。"))
    var toneFrequency: Double?

    @Option(
        help: ArgumentHelp(
            en: "Audio prompt level in dB relative to the programme's RMS. Default: \(Int(RhythmPrompt().relativeLevel)).",
            zh: "音频提示相对节目 RMS 的电平（dB）。默认：\(Int(RhythmPrompt().relativeLevel))。"))
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
                en:
                    "\(all) \(settingsGiven.count == 1 ? "shapes" : "shape") the explicit label; add --explicit to draw it, or drop \(first)",
                zh: "\(all) 用于设定显式标识；请加 --explicit 来绘制，或去掉 \(first)")
        }
        if let captionPosition, CaptionPlacement(rawValue: captionPosition) == nil {
            throw ValidationError(
                en: "--caption-position must be one of \(CaptionPlacement.listed), not '\(captionPosition)'",
                zh: "--caption-position 须为 \(CaptionPlacement.listed) 之一，不能是 '\(captionPosition)'")
        }
        if let promptPosition, PromptPosition(rawValue: promptPosition) == nil {
            throw ValidationError(
                en: "--prompt-position must be start, end or both, not '\(promptPosition)'",
                zh: "--prompt-position 须为 start、end 或 both，不能是 '\(promptPosition)'")
        }
        if let captionSize, !(0.05...0.5).contains(captionSize) {
            throw ValidationError(
                en: "--caption-size must be between 0.05 (the GB 45438 minimum) and 0.5",
                zh: "--caption-size 须在 0.05（GB 45438 的下限）和 0.5 之间")
        }
        if let captionDuration, Self.seconds(captionDuration) == nil {
            throw ValidationError(
                en: "--caption-duration must be a number of seconds from 2 up, or 'whole', not '\(captionDuration)'",
                zh: "--caption-duration 须为不少于 2 的秒数或 'whole'，不能是 '\(captionDuration)'")
        }
        if let jpegQuality, !(1...100).contains(jpegQuality) {
            throw ValidationError(en: "--jpeg-quality must be 1-100", zh: "--jpeg-quality 须为 1-100")
        }
        if let audioPrompt, AudioPromptKind(rawValue: audioPrompt) == nil {
            throw ValidationError(
                en: "--audio-prompt must be rhythm or spoken, not '\(audioPrompt)'",
                zh: "--audio-prompt 须为 rhythm 或 spoken，不能是 '\(audioPrompt)'")
        }
        if let toneFrequency, !(100...8000).contains(toneFrequency) {
            throw ValidationError(en: "--tone-frequency must be 100-8000 Hz", zh: "--tone-frequency 须为 100-8000 Hz")
        }
        if let toneLevel, !(-30...12).contains(toneLevel) {
            throw ValidationError(en: "--tone-level must be between -30 and 12 dB", zh: "--tone-level 须在 -30 到 12 dB 之间")
        }
        if let wording {
            do { _ = try PromptWording(wording) } catch { throw ValidationError("--explicit-text: " + CLILanguage.describe(error)) }
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

extension CaptionPlacement {
    /// Every placement's name, for help and errors.
    static var listed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
