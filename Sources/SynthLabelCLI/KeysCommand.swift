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
            discussion: CommandHelp.keysGenerate
        )

        @Option(
            help: ArgumentHelp(
                en: "sm2 (default), ed25519, or watermark (a secret key for the invisible mark).",
                zh: "sm2（默认）、ed25519，或 watermark（隐式水印的秘密密钥）。"))
        var algorithm: String = SignatureAlgorithm.sm2.rawValue

        @Option(
            help: ArgumentHelp(
                en: "Path and name for the pair, without extension: NAME.key and NAME.pub.",
                zh: "密钥对的路径和名称（不带扩展名）：生成 NAME.key 和 NAME.pub。"))
        var out: String

        @OptionGroup var language: LanguageOption

        func validate() throws {
            guard SignatureAlgorithm(rawValue: algorithm).map(SignatureAlgorithm.signing.contains) == true || algorithm == "watermark"
            else {
                throw ValidationError(
                    en: "--algorithm must be sm2, ed25519 or watermark, not '\(algorithm)'",
                    zh: "--algorithm 须为 sm2、ed25519 或 watermark，不能是 '\(algorithm)'")
            }
        }

        func run() throws {
            if algorithm == "watermark" {
                do {
                    let key = try WatermarkKey.generate(writingTo: out)
                    Output.line(
                        CLILanguage.text(en: "wrote \(out).key (secret, mode 0600): \(key)", zh: "已写入 \(out).key（秘密密钥，权限 0600）：\(key)"))
                } catch {
                    Output.error(CLILanguage.describe(error))
                    throw ExitCode(1)
                }
                return
            }
            let algorithm = SignatureAlgorithm(rawValue: algorithm) ?? .sm2
            do {
                let key = try KeyFile.generate(algorithm, writingTo: out)
                Output.line(
                    CLILanguage.text(
                        en: "wrote \(out).key (private, mode 0600) and \(out).pub: \(key.algorithm.rawValue) key \(key.keyID)",
                        zh: "已写入 \(out).key（私钥，权限 0600）和 \(out).pub：\(key.algorithm.rawValue) 密钥 \(key.keyID)"))
            } catch {
                Output.error(CLILanguage.describe(error))
                throw ExitCode(1)
            }
        }
    }
}
