import ArgumentParser
import Foundation
import SynthLabel

/// The `synthlabel` command: label, verify and scan files for GB 45438 AI-content labels.
public struct SynthLabelCLI: ParsableCommand {
    /// The version `--version` prints and the ledger records.
    public static let version = "0.1.0"

    /// The command, its help and its subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "synthlabel",
        abstract: CLILanguage.text(
            en: "Label AI-generated files the way GB 45438-2025 requires, and check them.", zh: "按 GB 45438-2025 的要求为人工智能生成文件添加标识，并进行核验。"),
        discussion: CommandHelp.root,
        version: version,
        subcommands: [
            LabelCommand.self, PropagateCommand.self, VerifyCommand.self, ScanCommand.self, KeysCommand.self, LedgerCommand.self,
            FormatsCommand.self, ServeCommand.self,
        ]
    )

    /// `synthlabel --lang zh --help`; each subcommand takes `--lang` too.
    @OptionGroup var language: LanguageOption

    /// The command, to be parsed (`main` does it).
    public init() {}

    /// Runs the command line; usage errors exit with status 2 (not ArgumentParser's 64).
    /// Without `arguments`, the process's own are read as bytes (`PathBytes`), so a file name
    /// that is not UTF-8 reaches the commands intact.
    public static func main(_ arguments: [String]? = nil) -> Never {
        Interruption.install()
        DecoderNoise.install()
        do {
            var command = try parseAsRoot(arguments ?? rawArguments())
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(ArgumentParserWords.translated(fullMessage(for: error)))
                Foundation.exit(0)
            }
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            Output.standardError(ArgumentParserWords.translated(fullMessage(for: error)) + "\n")
            Foundation.exit(2)
        }
    }

    /// The command-line arguments after the program name, byte for byte.
    static func rawArguments() -> [String] {
        (1..<Int(CommandLine.argc)).compactMap { index in
            CommandLine.unsafeArgv[index].map { argument in
                PathBytes.string(
                    UnsafeBufferPointer(start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument)))
            }
        }
    }
}
