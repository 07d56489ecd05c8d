extension CommandHelp {
    /// `synthlabel keys generate --help`: signing keys and the watermark key.
    static var keysGenerate: String {
        CLILanguage.text(
            en: """
                SM2 (GB/T 32918, signing with SM3 and the user ID 1234567812345678) is the \
                default; Ed25519 is the alternative. Existing files are never overwritten. \
                The private key is never printed; give NAME.pub to whoever verifies your labels \
                (verify --trust takes a folder of .pub files).

                --algorithm watermark writes only NAME.key: 32 secret random bytes that choose \
                the invisible watermark's pattern (label --watermark --watermark-key NAME.key). \
                Whoever detects the mark needs the same key, so keep it among your services.

                Examples:
                  synthlabel keys generate --out keys/studio
                  synthlabel keys generate --algorithm watermark --out keys/mark
                """,
            zh: """
                默认算法为 SM2（GB/T 32918，以 SM3 和用户标识 1234567812345678 签名），也可选 Ed25519。\
                已有的文件绝不覆盖。私钥绝不打印；把 NAME.pub 交给核验您标识的一方（verify --trust 接受存放 .pub 文件的文件夹）。

                --algorithm watermark 只写 NAME.key：32 字节秘密随机数，决定隐式水印的图样\
                （label --watermark --watermark-key NAME.key）。检测水印需要同一把密钥，请只在自己的服务之间保存。

                示例：
                  synthlabel keys generate --out keys/studio
                  synthlabel keys generate --algorithm watermark --out keys/mark
                """)
    }
}
