import ArgumentParser
import Foundation

/// The `synthlabel` command: label, verify and scan files for GB 45438 AI-content labels.
public struct SynthLabelCLI: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "synthlabel",
        abstract: "Label AI-generated files the way GB 45438-2025 requires, and check them.",
        discussion: """
            Writes the implicit metadata label of GB 45438-2025 Annex E ({"AIGC":{...}}) into \
            PNG, JPEG, WAV, MP3, FLAC and Markdown files without touching pixels, samples or \
            other metadata, and verifies labels in files made by any tool.

            Exit status: 0 success, 1 a file failed or is not compliant, 2 usage or I/O error.
            """,
        version: version,
        subcommands: [LabelCommand.self, PropagateCommand.self, VerifyCommand.self, ScanCommand.self, KeysCommand.self, LedgerCommand.self]
    )

    public init() {}

    /// Runs the command line; usage errors exit with status 2 (not ArgumentParser's 64).
    public static func main(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
