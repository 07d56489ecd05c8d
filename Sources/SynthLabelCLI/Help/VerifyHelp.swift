extension CommandHelp {
    /// `synthlabel verify --help`: the verdicts, signatures and watermarks.
    static var verify: String {
        CLILanguage.text(
            en: """
                For each file: the label fields, every place a label was found, the findings \
                (check id, outcome, reason) and a verdict:
                  compliant      a label that follows GB 45438 Annex E
                  noncompliant   a label that breaks a rule (bad value, missing or unknown field, \
                bad characters, duplicate or disagreeing sites, a broken signature, a recorded \
                caption that is gone)
                  inconclusive   the file is damaged or truncated, so the answer cannot be trusted
                  unlabelled     no label found
                Explicit labels found (a caption SynthLabel drew, the rhythm prompt ·− ··, a text \
                notice) get a line of their own; a missing one is a warning. Signatures (the TC260 \
                SecurityData object, or SynthLabel's SL1 record) are checked: valid by a trusted or \
                pinned key (--trust), valid with the file's own embedded key only (integrity, not \
                identity), invalid, content changed, or an unknown algorithm or shape. With \
                --require-signature, anything short of a valid signature by a trusted key is \
                noncompliant. With --watermark-key, PNG and \
                JPEG pixels and WAV, FLAC, Ogg and MP3 samples are searched for the invisible \
                watermark (--json: "watermark": {present, confidence, payload}); a mark found in a \
                file whose metadata label is gone still shows it is AI-generated, and its payload \
                names the record ('synthlabel ledger find --watermark HEX').

                Examples:
                  synthlabel verify labelled/ --trust keys/
                  synthlabel verify uploads/ --trust keys/producers.txt --require-signature
                  synthlabel verify upload.jpg --watermark-key keys/mark.key --json

                Directories are walked (symbolic links are not followed, and are reported). Exit \
                status: 0 when every file is compliant, 1 when any is not, 2 on usage or I/O errors \
                or when no file of a supported format was found.
                """,
            zh: """
                对每个文件给出：标识字段、找到标识的每个位置、检查结果（检查编号、结果、原因）和结论：
                  合规（compliant）        标识符合 GB 45438 附录 E
                  不合规（noncompliant）   标识违反某条规则（取值错误、字段缺失或未知、字符不当、位置重复或不一致、\
                签名失效、记录过的图像文字已消失）
                  无法判定（inconclusive） 文件损坏或被截断，结论不可信
                  未标识（unlabelled）     未找到标识
                找到的显式标识（SynthLabel 绘制的图像文字、节奏提示 ·− ··、文本提示语）单独占一行；缺少时给出警告。\
                签名（TC260 的 SecurityData 对象，或 SynthLabel 的 SL1 记录）会被核验：由受信任或已绑定的密钥（--trust）\
                签名有效、仅凭文件自带的密钥有效（证明完整性而非身份）、无效、内容已改动，或算法、结构未知。\
                使用 --require-signature 时，凡不是受信任密钥的有效签名都判为不合规。使用 --watermark-key 时，\
                会在 PNG 和 JPEG 像素以及 WAV、FLAC、Ogg 和 MP3 采样中查找隐式水印（--json："watermark": {present, \
                confidence, payload}）；元数据标识已被删去的文件中找到水印，仍能表明它是人工智能生成的，\
                其载荷指向对应记录（'synthlabel ledger find --watermark HEX'）。

                示例：
                  synthlabel verify labelled/ --trust keys/
                  synthlabel verify uploads/ --trust keys/producers.txt --require-signature
                  synthlabel verify upload.jpg --watermark-key keys/mark.key --json

                会遍历目录（不跟随符号链接，并逐个报告）。退出状态：全部文件合规为 0，有任一不合规为 1，\
                用法或输入输出错误、或找不到受支持格式的文件为 2。
                """)
    }
}
