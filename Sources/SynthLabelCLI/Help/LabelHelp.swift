import SynthLabel

extension CommandHelp {
    /// `synthlabel label --help`: where labels go, how files stay safe, the record, the watermark and the explicit label.
    static var label: String {
        CLILanguage.text(
            en: """
                Writes {"AIGC":{...}} where the TC260 guides say for each format: PNG iTXt XMP, \
                JPEG APP1 XMP, WebP XMP chunk, GIF XMP extension and TIFF tag 700 (all with the \
                IPTC DigitalSourceType), WAV 'AIGC' chunk, MP3 ID3v2 TXXX:AIGC, FLAC and Ogg \
                Vorbis/Opus comment AIGC=, MP4 mdta key, Matroska SimpleTag, AVI INFO entry, PDF \
                Info dictionary (an appended incremental update), Office docProps/custom.xml, \
                Markdown front matter (YAML, or TOML between +++ lines), plain text with --explicit \
                or --invisible-text ('synthlabel formats' lists them all). Pixels, samples and \
                other metadata are kept byte for byte. A file keeps one label: labelling again \
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
                the front matter) and plain .txt files, and a notice paragraph in Word documents. \
                Plain text has no metadata, so --explicit \
                (and --invisible-text, a hidden copy of the label) is what labels it.

                Examples:
                  synthlabel label out/ --producer 001191110102MACQD9K64018705 --output labelled/
                  synthlabel label img.png --producer 001191110102MACQD9K64018705 --produce-id job-42 --in-place
                  synthlabel label photo.jpg --producer 001191110102MACQD9K64018705 --explicit --caption-position top-left --output out/
                  synthlabel label voice.wav --producer 001191110102MACQD9K64018705 --watermark --watermark-key mark.key --watermark-snr 27.5 --in-place
                """,
            zh: """
                按 TC260 指南为各格式规定的位置写入 {"AIGC":{...}}：PNG 的 iTXt XMP、JPEG 的 APP1 XMP、WebP 的 XMP 块、\
                GIF 的 XMP 扩展和 TIFF 的 700 号标签（均附 IPTC DigitalSourceType）、WAV 的 'AIGC' 块、MP3 的 ID3v2 TXXX:AIGC、\
                FLAC 和 Ogg Vorbis/Opus 的注释 AIGC=、MP4 的 mdta 键、Matroska 的 SimpleTag、AVI 的 INFO 条目、\
                PDF 的 Info 字典（以追加的增量更新写入）、Office 的 docProps/custom.xml、Markdown 的前置元数据\
                （YAML，或 +++ 行之间的 TOML）；纯文本需用 --explicit 或 --invisible-text（'synthlabel formats' 列出全部格式）。\
                像素、采样和其他元数据逐字节保留。一个文件只保留一个标识：再次标识会替换它，其他位置的标识并入规定位置。\
                其他生成方的标识绝不替换。

                每个文件先写到目标旁的临时文件，再改名就位，因此出错或被终止时原文件保持原样。

                先完整遍历目录：不跟随符号链接（逐个报告），无法读取的文件夹算作错误，经两条途径到达的同一文件\
                （重复的参数、重叠的文件夹、硬链接）只标识一次。使用 --output DIR 时，目录参数下找到的文件落在 DIR 下\
                相同的相对路径，文件参数直接落在 DIR 中。会落到同一输出路径的文件在写入任何内容之前全部被拒绝\
                （--keep-paths 则在 DIR 下保留每个参数自身的路径）。--in-place 保留每个文件的属主、属组、权限和扩展属性，\
                并对其他硬链接给出警告（它们仍指向原文件）。其他类型的文件附说明跳过。

                Ctrl-C（或 SIGTERM）在手头这一批完成后停止，并显示“处理 N / M 个文件后中断”（退出状态 130/143）；\
                再按一次立即停止。标准输出被关闭（'label ... | head'）只结束输出，不中断工作。

                每次操作都记入日志（见 'synthlabel ledger --help'）：文件标识前后的 SHA-256、标识、操作人和时间。\
                再次运行同一命令会跳过已按要求标识过的文件（“此前已标识”），因此处理一百万个文件时被中断，重新运行即可。

                不给 --produce-id 时，每个文件获得一个新的唯一编号：'SL' + UTC 时间（yyyyMMddTHHmmssZ）+ 16 位随机十六进制数字，\
                例如 SL20261129T093000Z3F9A0C1B2D4E5F60。

                使用 --watermark（及由 'keys generate --algorithm watermark' 生成的 --watermark-key KEY）时，\
                PNG 和 JPEG 图像的像素中还会嵌入隐式水印（PSNR >= 40 dB），能经受重新压缩、缩放、裁剪和调色，\
                因此平台删去元数据后 'verify --watermark-key KEY' 仍能找到它。其 64 位载荷是生成方和 ProduceID 的带密钥散列，\
                记入日志（'ledger find --watermark HEX'）。图像短边至少需 256 像素；PNG 保持无损，JPEG 按其原有质量和\
                色度抽样重新编码。嵌入后会读回水印：无法承载水印的文件（大部分透明、短于约 10 秒的音频、静音）仍添加标识\
                但不含水印，并说明原因（“无水印：...”）。WAV、FLAC、Ogg 和 MP3 音频的水印嵌在频谱中（SNR >= 30 dB；\
                容器、采样率、声道和位深不变），可从音乐或语音及其 10 秒片段中读回，也能经受 MP3、Vorbis、AAC 和 Opus 编码、\
                重采样、滤波、加噪、缩混为单声道或 ±2% 变速：默认 30.5 dB 时 35 段节目读回 91-100%，\
                最差的是 32 kbit/s 的 MP3 和 Opus（见 docs/watermark.md 的 "Not yet" 一节）。--watermark-snr 在质量和\
                强度之间取舍：27.5 dB 时水印强一倍，上述每种攻击之后 35 段全部读回。

                使用 --explicit 时还会添加人能看到或听到的标识（GB 45438 第 5 章）：在 PNG 和 JPEG 图像一角的深色衬底上\
                写文字，字高为最短边的 5.5%（遵循 EXIF 方向）；在 WAV、FLAC、Ogg Vorbis/Opus 和 MP3 音频的开头或结尾\
                加节奏提示“短长短短”（摩尔斯码 ·− ·· 即 AI；800 Hz，120/360 毫秒）或语音“人工智能生成”；\
                在 Markdown（前置元数据之后）和纯文本 .txt 文件中加一行提示语，在 Word 文档中加一段提示。纯文本没有元数据，\
                因此只有 --explicit（以及隐藏一份标识的 --invisible-text）能为它添加标识。

                示例：
                  synthlabel label out/ --producer 001191110102MACQD9K64018705 --output labelled/
                  synthlabel label img.png --producer 001191110102MACQD9K64018705 --produce-id job-42 --in-place
                  synthlabel label photo.jpg --producer 001191110102MACQD9K64018705 --explicit --caption-position top-left --output out/
                  synthlabel label voice.wav --producer 001191110102MACQD9K64018705 --watermark --watermark-key mark.key --watermark-snr 27.5 --in-place
                """)
    }
}
