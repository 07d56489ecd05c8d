extension CommandHelp {
    /// `synthlabel formats --help`: what the listing shows.
    static var formats: String {
        CLILanguage.text(
            en: """
                One line per format: whether label writes it and where the label goes, what else \
                is read, and which of signing (--sign), the explicit label (--explicit: caption, \
                audio prompt or notice) and the watermark (--watermark) it takes. Files are \
                recognised by their content; the extensions are where such files are usually found \
                (Markdown and text, which have no signature, go by them).

                Examples:
                  synthlabel formats
                  synthlabel formats --json | jq '.formats[] | select(.writes) | .format'
                """,
            zh: """
                每种格式一行：label 是否写入以及标识写在哪里，还读取什么，以及支持签名（--sign）、\
                显式标识（--explicit：图像文字、音频提示或提示语）和水印（--watermark）中的哪些。\
                文件按内容识别；扩展名只是这类文件通常的样子（Markdown 和纯文本没有文件签名，按扩展名识别）。

                示例：
                  synthlabel formats
                  synthlabel formats --json | jq '.formats[] | select(.writes) | .format'
                """)
    }
}
