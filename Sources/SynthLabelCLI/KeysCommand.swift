import ArgumentParser
import SynthLabel

/// `synthlabel keys`: key pairs for signed labels.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make key pairs for signed labels.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Generate a key pair: NAME.key (private, PEM, mode 0600) and NAME.pub (public, PEM).",
            discussion: """
                SM2 (GB/T 32918, signing with SM3 and the user ID 1234567812345678) is the \
                default; Ed25519 is the alternative. Existing files are never overwritten. \
                The private key is never printed; give NAME.pub to whoever verifies your labels \
                (verify --trust takes a folder of .pub files).

                Example:
                  synthlabel keys generate --out keys/studio
                """
        )

        @Option(help: "sm2 (default) or ed25519.")
        var algorithm: String = SignatureAlgorithm.sm2.rawValue

        @Option(help: "Path and name for the pair, without extension: NAME.key and NAME.pub.")
        var out: String

        func validate() throws {
            guard SignatureAlgorithm(rawValue: algorithm) != nil else {
                throw ValidationError("--algorithm must be sm2 or ed25519, not '\(algorithm)'")
            }
        }

        func run() throws {
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
