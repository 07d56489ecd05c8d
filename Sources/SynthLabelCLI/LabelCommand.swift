import ArgumentParser
import Foundation
import SynthLabel

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: CLILanguage.text(en: "Write the GB 45438 metadata label into files.", zh: "向文件写入 GB 45438 元数据隐式标识。"),
        discussion: CommandHelp.label
    )

    @Argument(help: ArgumentHelp(en: "Files or directories to label.", zh: "要添加标识的文件或目录。"))
    var paths: [String]

    @Option(
        help: ArgumentHelp(
            en: "ContentProducer: the generation service's 27-character provider code (or name).",
            zh: "ContentProducer：生成服务的 27 位服务提供者编码（或名称）。"))
    var producer: String

    @Option(
        name: .customLong("produce-id"),
        help: ArgumentHelp(
            en: "ProduceID: this content's unique ID. Default: a fresh one per file.", zh: "ProduceID：本内容的唯一编号。默认：每个文件新生成一个。"))
    var produceID: String?

    @Option(
        help: ArgumentHelp(en: "Label value: 1 AI-generated, 2 possibly, 3 suspected.", zh: "Label 取值：1 人工智能生成，2 可能为人工智能生成，3 疑似人工智能生成。"))
    var label: String = "1"

    @Flag(
        help: ArgumentHelp(
            en: "Mark images as partly generated (IPTC compositeWithTrainedAlgorithmicMedia).",
            zh: "将图像标为部分生成（IPTC compositeWithTrainedAlgorithmicMedia）。"))
    var composite = false

    @OptionGroup(title: CLILanguage.text(en: "Explicit labels", zh: "显式标识")) var explicit: ExplicitOptions

    @Flag(
        help: ArgumentHelp(
            en: "Also embed the invisible watermark (GB 45438 §6.2) in PNG, JPEG, WAV, FLAC, Ogg and MP3, keyed by --watermark-key.",
            zh: "同时在 PNG、JPEG、WAV、FLAC、Ogg 和 MP3 中嵌入隐式水印（GB 45438 §6.2），密钥由 --watermark-key 指定。"))
    var watermark = false

    @OptionGroup(title: CLILanguage.text(en: "Watermark", zh: "隐式水印")) var watermarkKey: WatermarkKeyOption

    @Option(
        name: .customLong("watermark-snr"),
        help: ArgumentHelp(
            en:
                "The audio mark's SNR in dB, 24-40 (default 30.5): lower is stronger and survives harsher codecs, higher is fainter and reads back less often. Images keep their own strength.",
            zh: "音频水印的信噪比（dB），24-40（默认 30.5）：越低越强，能经受更狠的压缩；越高越隐蔽，读回的机会越少。图像水印强度不受影响。",
            valueName: "dB"))
    var watermarkSNR: Double?

    @OptionGroup var writing: WriteOptions

    @OptionGroup var language: LanguageOption

    func validate() throws {
        if watermark && watermarkKey.path == nil {
            throw ValidationError(
                en: "--watermark needs --watermark-key KEY (make one with 'synthlabel keys generate --algorithm watermark --out NAME')",
                zh: "--watermark 需要 --watermark-key KEY（可用 'synthlabel keys generate --algorithm watermark --out NAME' 生成）")
        }
        if !watermark && watermarkKey.path != nil {
            throw ValidationError(
                en: "--watermark-key is used with --watermark; add it to embed the mark", zh: "--watermark-key 须与 --watermark 同用；请加上它来嵌入水印")
        }
        if let watermarkSNR {
            guard watermark else {
                throw ValidationError(
                    en: "--watermark-snr is used with --watermark; add it to embed the mark",
                    zh: "--watermark-snr 须与 --watermark 同用；请加上它来嵌入水印")
            }
            let range = Labeller.audioWatermarkSNRRange
            guard range.contains(watermarkSNR) else {
                throw ValidationError(
                    en: "--watermark-snr must be \(range.lowerBound)-\(range.upperBound) dB, not \(watermarkSNR)",
                    zh: "--watermark-snr 须为 \(range.lowerBound)-\(range.upperBound) dB，不能是 \(watermarkSNR)")
            }
        }
        guard let value = LabelValue(rawValue: label) else {
            throw ValidationError(
                en: "--label must be 1 (AI-generated), 2 (possibly) or 3 (suspected), not '\(label)'",
                zh: "--label 须为 1（人工智能生成）、2（可能）或 3（疑似），不能是 '\(label)'")
        }
        let problems = AIGCLabel(label: value, contentProducer: producer, produceID: produceID ?? "SL0").validationProblems()
        guard problems.isEmpty else {
            throw ValidationError(problems.map(\.forPeople).joined(separator: CLILanguage.text(en: "; ", zh: "；")))
        }
    }

    func run() throws {
        for problem in ProviderCode(producer).problems() {
            Output.warning("--producer: \(problem)")
        }
        let value = LabelValue(rawValue: label) ?? .generated
        let producer = producer
        let fixedID = produceID
        let signingKey = try writing.signingKey()
        let wantsExplicit = explicit.settings != nil
        let markKey = try watermarkKey.load()
        let writing = writing
        let run = LabellingRun(
            paths: paths,
            options: writing,
            labeller: Labeller(
                sourceType: composite ? .compositeWithTrainedAlgorithmicMedia : .trainedAlgorithmicMedia,
                allowBreakingC2PA: writing.breakC2PA, explicit: explicit.settings, invisibleTextLabel: explicit.invisibleText,
                signingKey: signingKey, signatureFormat: writing.signatureFormat, watermarkKey: markKey,
                audioWatermarkSNR: watermarkSNR ?? Labeller.defaultAudioWatermarkSNR),
            verb: "labelled",
            detail: { "ProduceID \($0.produceID ?? "")" },
            request: { .produce(AIGCLabel(label: value, contentProducer: producer, produceID: fixedID ?? GeneratedID.produceID())) },
            isAskedFor: { act in
                act.action == .label && act.label.contentProducer == producer && act.label.label == value
                    && (fixedID == nil || act.label.produceID == fixedID) && writing.signsAlike(act, key: signingKey)
                    && (!wantsExplicit || act.explicit != nil)
                    && (markKey == nil || act.watermark != nil || act.watermarkNote != nil
                        || Carrier(rawValue: act.format)?.takesWatermark != true)
            },
            action: .label)
        let counts = try run.run()
        if fixedID != nil, counts.done > 1 {
            Output.warning(
                CLILanguage.text(
                    en: "--produce-id gave \(counts.done) files the same ProduceID; Annex E expects one per piece of content",
                    zh: "--produce-id 使 \(counts.done) 个文件的 ProduceID 相同；附录 E 要求每项内容一个"))
        }
        if counts.failed > 0 { throw ExitCode(1) }
    }
}
