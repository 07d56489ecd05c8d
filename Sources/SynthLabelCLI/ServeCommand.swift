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
        discussion: """
            Reads a YAML configuration: where to listen, the ledger (sqlite:PATH), the largest body, \
            how many files are worked on at once, and the bearer tokens with their roles (producer \
            with its ContentProducer codes and keys, platform with its propagator code, auditor).

            Endpoints: POST /v1/label, POST /v1/propagate, POST /v1/verify (the body is the file), \
            GET /v1/ledger/ID, GET /healthz, GET /readyz. Errors are JSON with a stable code. \
            SIGTERM or SIGINT lets requests in flight finish, then exits.

            Example:
              synthlabel serve --config service.yaml --listen 127.0.0.1:8080
              curl -H 'Authorization: Bearer …' --data-binary @cat.png \\
                   'http://127.0.0.1:8080/v1/label?producer=001191110102MACQD9K64018705' -o cat-labelled.png
            """)

    @Option(help: ArgumentHelp(CLILanguage.text(en: "The service's YAML configuration.", zh: "服务的 YAML 配置文件。")))
    var config: String

    @Option(
        help: ArgumentHelp(
            CLILanguage.text(en: "HOST:PORT to listen on, instead of the configuration's listen.", zh: "监听的 HOST:PORT，取代配置中的 listen。")))
    var listen: String?

    func run() throws {
        var configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.load(path: config)
            if let listen {
                configuration.listen = listen
                try configuration.check(path: "--listen")
            }
        } catch {
            Output.diagnostic("error: \(error)")
            throw ExitCode(2)
        }
        let service: LabellingService
        do { service = try LabellingService(configuration: configuration) } catch {
            Output.diagnostic("error: \(error)")
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
            Output.diagnostic("error: \(error)")
            throw ExitCode(2)
        }
    }
}

/// The server task's error, read after it ends.
private final class FailureBox: @unchecked Sendable {
    var error: String?
}
