import ArgumentParser
import Dispatch
import Logging
import SynthLabel
import SynthLabelService

/// `synthlabel serve`: the library over HTTP (see docs/service.md).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: CLILanguage.text(
            en: "Label, propagate and verify files over HTTP, recording every act in the ledger.", zh: "通过 HTTP 提供标识、传播和验证服务，并将每次操作记入日志。"),
        discussion: CommandHelp.serve)

    @Option(help: ArgumentHelp(en: "The service's YAML configuration.", zh: "服务的 YAML 配置文件。"))
    var config: String

    @Option(
        help: ArgumentHelp(en: "HOST:PORT to listen on, instead of the configuration's listen.", zh: "监听的 HOST:PORT，取代配置中的 listen。"))
    var listen: String?

    @OptionGroup var language: LanguageOption

    func run() throws {
        var configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.load(path: config)
            if let listen {
                configuration.listen = listen
                try configuration.check(path: "--listen")
            }
        } catch {
            Output.error(CLILanguage.describe(error))
            throw ExitCode(2)
        }
        let service: LabellingService
        do { service = try LabellingService(configuration: configuration) } catch {
            Output.error(CLILanguage.describe(error))
            throw ExitCode(2)
        }
        var logger = Logger(label: "synthlabel.serve")
        logger.logLevel = .info
        let application = service.application(logger: logger)
        // SIGTERM and SIGINT drain the requests in flight (ServiceLifecycle), not end the process at once.
        Interruption.handOver()
        // The command line is synchronous; the server runs on Swift's concurrency threads until
        // SIGTERM or SIGINT has drained it.
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await application.runService() } catch { failure.error = "\(error)" }
            finished.signal()
        }
        finished.wait()
        if let error = failure.error {
            Output.error(error)
            throw ExitCode(2)
        }
    }
}

/// The server task's error, read after it ends.
private final class FailureBox: @unchecked Sendable {
    var error: String?
}
