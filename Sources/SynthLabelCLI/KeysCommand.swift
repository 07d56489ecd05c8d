import ArgumentParser
import SynthLabel

/// `synthlabel keys`: key pairs for signed labels.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: CLILanguage.text(en: "Make key pairs for signed labels.", zh: "生成用于签名标识的密钥对。"),
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: CLILanguage.text(
                en: "Generate a key pair: NAME.key (private, PEM, mode 0600) and NAME.pub (public, PEM).",
                zh: "生成密钥对：NAME.key（私钥，PEM，权限 0600）和 NAME.pub（公钥，PEM）。"),
            discussion: """
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
                """
        )

        @Option(
            help: ArgumentHelp(
                CLILanguage.text(
                    en: "sm2 (default), ed25519, or watermark (a secret key for the invisible mark).",
                    zh: "sm2（默认）、ed25519，或 watermark（隐式水印的秘密密钥）。")))
        var algorithm: String = SignatureAlgorithm.sm2.rawValue

        @Option(
            help: ArgumentHelp(
                CLILanguage.text(
                    en: "Path and name for the pair, without extension: NAME.key and NAME.pub.",
                    zh: "密钥对的路径和名称（不带扩展名）：生成 NAME.key 和 NAME.pub。")))
        var out: String

        func validate() throws {
            guard SignatureAlgorithm(rawValue: algorithm).map(SignatureAlgorithm.signing.contains) == true || algorithm == "watermark"
            else {
                throw ValidationError("--algorithm must be sm2, ed25519 or watermark, not '\(algorithm)'")
            }
        }

        func run() throws {
            if algorithm == "watermark" {
                do {
                    let key = try WatermarkKey.generate(writingTo: out)
                    Output.line("wrote \(out).key (secret, mode 0600): \(key)")
                } catch {
                    Output.diagnostic("error: \(error)")
                    throw ExitCode(1)
                }
                return
            }
            let algorithm = SignatureAlgorithm(rawValue: algorithm) ?? .sm2
            do {
                let key = try KeyFile.generate(algorithm, writingTo: out)
                Output.line("wrote \(out).key (private, mode 0600) and \(out).pub: \(key.algorithm.rawValue) key \(key.keyID)")
            } catch {
                Output.diagnostic("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
