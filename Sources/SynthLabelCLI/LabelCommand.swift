import ArgumentParser
import Foundation
import SynthLabel

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: CLILanguage.text(en: "Write the GB 45438 metadata label into files.", zh: "向文件写入 GB 45438 元数据隐式标识。"),
        discussion: """
            Writes {"AIGC":{...}} where the TC260 guides say for each format: PNG iTXt XMP, \
            JPEG APP1 XMP and WebP XMP chunk (all with the IPTC DigitalSourceType), WAV 'AIGC' \
            chunk, MP3 ID3v2 TXXX:AIGC, FLAC and Ogg Vorbis/Opus comment AIGC=, Markdown front \
            matter (YAML, or TOML between +++ lines), plain text with --explicit or \
            --invisible-text. Pixels, samples and other metadata are kept byte for byte. \
            \(Carrier.listed(Carrier.allCases.filter { !$0.isWritable })) files are read by \
            'verify' and 'scan' but skipped here. A file keeps one label: labelling again \
            replaces it, and other label sites are folded into the canonical one. A label from \
            another producer is never replaced.

            Each file is written to a temporary file beside its destination and renamed into \
            place, so an error or a kill leaves the original as it was.

            Directories are walked first, whole: symbolic links are not followed (each is \
            reported), a folder that cannot be read is an error, and a file reached twice \
            (a repeated argument, overlapping folders, a hard link) is labelled once. With \
            --output DIR, a file found under a directory argument lands at the same relative \
            path under DIR; a file argument lands directly in DIR. Files that would land on one \
            output path are all refused before anything is written (--keep-paths keeps each \
            argument's own path under DIR instead). --in-place keeps each file's owner, group, \
            mode and extended attributes, and warns about other hard links, which keep the \
            original. Files of other types are skipped with a note.

            Ctrl-C (or SIGTERM) stops after the batch in hand with an 'interrupted after N of M' \
            line (exit 130/143); a second one stops at once. A closed standard output \
            ('label ... | head') ends the output, not the work.

            Every act is recorded in the ledger (see 'synthlabel ledger --help'): the file's \
            SHA-256 before and after, the label, who and when. Running the same command again \
            skips the files a recorded act already labelled as asked ("already labelled"), so \
            an interrupted run over a million files can simply be started again.

            Without --produce-id each file gets a fresh unique ID: 'SL' + the UTC time \
            (yyyyMMddTHHmmssZ) + 16 random hex digits, e.g. SL20261129T093000Z3F9A0C1B2D4E5F60.

            With --watermark (and --watermark-key KEY from 'keys generate --algorithm watermark'), \
            PNG and JPEG images also get an invisible mark in their pixels (PSNR >= 40 dB) that \
            survives recompression, resizing, cropping and colour changes, so 'verify \
            --watermark-key KEY' still finds it when a platform strips the metadata. Its 64-bit \
            payload is a keyed hash of producer and ProduceID, recorded in the ledger \
            ('ledger find --watermark HEX'). Images need at least 256 px on the short side; PNG \
            stays lossless, JPEG is re-encoded at its own quality and subsampling. The mark is \
            read back after embedding: a file that cannot carry it (mostly transparent, audio \
            under about 10 s, silence) is labelled without it and says why ('no watermark: ...'). WAV, FLAC, \
            Ogg and MP3 audio gets a mark in its spectrum (SNR >= 30 dB; same container, rate, \
            channels and bit depth) read back from music or speech, and from 10 s excerpts, \
            after MP3, Vorbis, AAC and Opus, resampling, filters, added noise, mono downmix or \
            +-2 % speed: 91-100 % of 35 programmes at the default 30.5 dB, the lowest after \
            MP3 and Opus at 32 kbit/s (see docs/watermark.md, "Not yet"). --watermark-snr trades quality \
            for strength: at 27.5 dB the mark is twice as strong and came back from all 35 \
            after every one of those attacks.

            With --explicit, the label people see or hear is added too (GB 45438 §5): a caption \
            with text 5.5 % of the shortest side on a dark backing in a corner of PNG and JPEG \
            images (EXIF orientation honoured), the rhythm prompt "short long short short" \
            (Morse ·− ·· for AI; 800 Hz, 120/360 ms) or the spoken "人工智能生成" before or \
            after WAV, FLAC, Ogg Vorbis/Opus and MP3 audio, a notice line in Markdown (after \
            the front matter) and plain .txt files. Plain text has no metadata, so --explicit \
            (and --invisible-text, a hidden copy of the label) is what labels it.

            Examples:
              synthlabel label out/ --producer 001191110102MACQD9K64018705 --output labelled/
              synthlabel label img.png --producer 001191110102MACQD9K64018705 --produce-id job-42 --in-place
              synthlabel label photo.jpg --producer 001191110102MACQD9K64018705 --explicit --caption-position top-left --output out/
              synthlabel label voice.wav --producer 001191110102MACQD9K64018705 --watermark --watermark-key mark.key --watermark-snr 27.5 --in-place
            """
    )

    @Argument(help: ArgumentHelp(CLILanguage.text(en: "Files or directories to label.", zh: "要添加标识的文件或目录。")))
    var paths: [String]

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "ContentProducer: the generation service's 27-character provider code (or name).",
                zh: "ContentProducer：生成服务的 27 位服务提供者编码（或名称）。")))
    var producer: String

    @Option(
        name: .customLong("produce-id"),
        help: ArgumentHelp(
            CLILanguage.text(
                en: "ProduceID: this content's unique ID. Default: a fresh one per file.", zh: "ProduceID：本内容的唯一编号。默认：每个文件新生成一个。")))
    var produceID: String?

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(en: "Label value: 1 AI-generated, 2 possibly, 3 suspected.", zh: "Label 取值：1 人工智能生成，2 可能为人工智能生成，3 疑似人工智能生成。")))
    var label: String = "1"

    @Flag(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Mark images as partly generated (IPTC compositeWithTrainedAlgorithmicMedia).",
                zh: "将图像标为部分生成（IPTC compositeWithTrainedAlgorithmicMedia）。")))
    var composite = false

    @OptionGroup(title: "Explicit labels") var explicit: ExplicitOptions

    @Flag(
        help: ArgumentHelp(
            CLILanguage.text(
                en: "Also embed the invisible watermark (GB 45438 §6.2) in PNG, JPEG, WAV, FLAC, Ogg and MP3, keyed by --watermark-key.",
                zh: "同时在 PNG、JPEG、WAV、FLAC、Ogg 和 MP3 中嵌入隐式水印（GB 45438 §6.2），密钥由 --watermark-key 指定。")))
    var watermark = false

    @OptionGroup(title: "Watermark") var watermarkKey: WatermarkKeyOption

    @Option(
        name: .customLong("watermark-snr"),
        help: ArgumentHelp(
            "The audio mark's SNR in dB, 24-40 (default 30.5): lower is stronger and survives harsher codecs, higher is fainter and reads back less often. Images keep their own strength.",
            valueName: "dB"))
    var watermarkSNR: Double?

    @OptionGroup var writing: WriteOptions

    func validate() throws {
        if watermark && watermarkKey.path == nil {
            throw ValidationError(
                "--watermark needs --watermark-key KEY (make one with 'synthlabel keys generate --algorithm watermark --out NAME')")
        }
        if !watermark && watermarkKey.path != nil {
            throw ValidationError("--watermark-key is used with --watermark; add it to embed the mark")
        }
        if let watermarkSNR {
            guard watermark else { throw ValidationError("--watermark-snr is used with --watermark; add it to embed the mark") }
            let range = Labeller.audioWatermarkSNRRange
            guard range.contains(watermarkSNR) else {
                throw ValidationError("--watermark-snr must be \(range.lowerBound)-\(range.upperBound) dB, not \(watermarkSNR)")
            }
        }
        guard let value = LabelValue(rawValue: label) else {
            throw ValidationError("--label must be 1 (AI-generated), 2 (possibly) or 3 (suspected), not '\(label)'")
        }
        let problems = AIGCLabel(label: value, contentProducer: producer, produceID: produceID ?? "SL0").validationProblems()
        guard problems.isEmpty else {
            throw ValidationError(problems.map(\.description).joined(separator: "; "))
        }
    }

    func run() throws {
        for problem in ProviderCode(producer).problems() {
            Output.diagnostic("warning: --producer: \(problem)")
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
            Output.diagnostic(
                "warning: --produce-id gave \(counts.done) files the same ProduceID; Annex E expects one per piece of content")
        }
        if counts.failed > 0 { throw ExitCode(1) }
    }
}
