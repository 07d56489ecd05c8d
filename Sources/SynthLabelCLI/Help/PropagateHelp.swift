extension CommandHelp {
    /// `synthlabel propagate --help`: a platform's fields, and what happens to unlabelled files.
    static var propagate: String {
        CLILanguage.text(
            en: """
                The platform's step of Measures Art. 6. A file that carries a label keeps every \
                producer field (Label, ContentProducer, ProduceID, ReservedCode1) exactly and gains \
                ContentPropagator and PropagateID. A file without a label is refused unless the \
                uploader declared it AI-generated (--declared: Label "2") or traces were found \
                (--suspected: Label "3"); its ContentProducer is then --producer (default UNKNOWN) \
                and its ProduceID the PropagateID. A file keeps one label afterwards. Another \
                platform's propagation fields are never replaced, and a producer label that breaks \
                Annex E is refused rather than altered.

                Without --propagate-id each file gets 'PL' + the UTC time + 16 random hex digits.

                Example:
                  synthlabel propagate uploads/ --propagator 001191110105MA01ABCD2620001 --in-place --declared
                """,
            zh: """
                这是《办法》第六条中传播平台的一步。已带标识的文件原样保留每个生成方字段（Label、ContentProducer、\
                ProduceID、ReservedCode1），并加上 ContentPropagator 和 PropagateID。没有标识的文件会被拒绝，\
                除非上传者声明其为人工智能生成（--declared：Label "2"）或检测到生成痕迹（--suspected：Label "3"）；\
                此时其 ContentProducer 为 --producer（默认 UNKNOWN），ProduceID 即 PropagateID。处理后一个文件只保留一个标识。\
                其他平台的传播字段绝不替换；不符合附录 E 的生成方标识会被拒绝，而不是被改动。

                不给 --propagate-id 时，每个文件获得 'PL' + UTC 时间 + 16 位随机十六进制数字。

                示例：
                  synthlabel propagate uploads/ --propagator 001191110105MA01ABCD2620001 --in-place --declared
                """)
    }
}
