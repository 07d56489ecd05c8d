import Foundation

@testable import SynthLabel

/// `synthlabel serve` run as a process, as the serve and fleet tests start it.
enum ServerProcess {
    /// `synthlabel serve --config config` started, its output in a log in `folder`; port 0 in
    /// the configuration lets the system pick a free port, which the server's first log line names.
    static func start(config: String, logIn folder: TemporaryDirectory) throws -> (Process, port: String, log: String) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Fixtures.binary)
        server.arguments = ["serve", "--config", config]
        let log = folder.file("server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        server.standardOutput = server.standardError
        try server.run()
        var port: Substring?
        let deadline = Date().addingTimeInterval(20)
        while port == nil && Date() < deadline && server.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            port = text.firstRange(of: "listening on 127.0.0.1:").map { text[$0.upperBound...].prefix { $0.isNumber } }
            if port == nil { usleep(20_000) }
        }
        guard let port else {
            server.terminate()
            throw ServerDidNotStart(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        return (server, String(port), log)
    }

    /// A configuration file in `folder` with a producer token (and `more` token entries), the
    /// ledger and the spool given, listening on a free loopback port.
    static func configuration(
        in folder: TemporaryDirectory, token: String, more: [String] = [], ledger: String, spool: String,
        name: String = "service.yaml"
    ) throws -> String {
        let config = folder.file(name)
        let entries = ["{ token: \"\(token)\", role: producer, producers: [\"\(Fixtures.producer)\"] }"] + more
        try (["listen: 127.0.0.1:0", "ledger: \(ledger)", "spool: \(spool)", "tokens:"] + entries.map { "  - " + $0 })
            .joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    struct ServerDidNotStart: Error {
        var log: String
    }
}
