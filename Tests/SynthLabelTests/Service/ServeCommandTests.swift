import Foundation
import Testing

@testable import SynthLabel

/// `synthlabel serve` as a process, called by a client in another language (Python's standard
/// library), then stopped with SIGTERM.
@Suite struct ServeCommandTests {
    let folder = TemporaryDirectory()

    static let client = """
        import json, sys, time, urllib.request, urllib.error
        base, token, source, target = sys.argv[1:5]
        for _ in range(200):  # the server is starting
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        request = urllib.request.Request(
            base + "/v1/label?produce_id=PY-1", data=open(source, "rb").read(), method="POST",
            headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(request) as response:
            open(target, "wb").write(response.read())
            headers = {k: response.headers[k] for k in ("SynthLabel-Produce-ID", "SynthLabel-SHA256", "Content-Type")}
        try:
            urllib.request.urlopen(urllib.request.Request(base + "/v1/label", data=b"x", method="POST"))
        except urllib.error.HTTPError as refusal:
            headers["refusal"] = [refusal.code, json.loads(refusal.read())["code"]]
        print(json.dumps(headers))
        """

    @Test func aPythonClientLabelsThroughTheServeCommandWhichStopsOnSIGTERM() throws {
        let token = "python-token-0123456789"
        let config = folder.file("service.yaml")
        try """
        listen: 127.0.0.1:0
        ledger: sqlite:\(folder.file("ledger.sqlite"))
        spool: \(folder.path)
        tokens:
          - { token: "\(token)", role: producer, producers: ["\(Fixtures.producer)"] }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let (server, listening, log) = try startServer(config: config)
        defer { if server.isRunning { server.terminate() } }

        let output = folder.file("from-python.png")
        let run = try Fixtures.run(
            "python3", ["-c", Self.client, "http://127.0.0.1:\(listening)", token, Fixtures.sample("gradient.png"), output])
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(answer["SynthLabel-Produce-ID"] as? String == "PY-1" && answer["Content-Type"] as? String == "image/png")
        #expect(answer["SynthLabel-SHA256"] as? String == (try FileDigest.sha256(ofFileAt: output)))
        #expect((answer["refusal"] as? [Any])?.last as? String == "unauthorized")
        #expect(try Fixtures.report(output).label?.produceID == "PY-1")

        kill(server.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while server.isRunning && Date() < deadline { usleep(50_000) }
        #expect(!server.isRunning, "SIGTERM stops the server")
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logged.contains("produce_id=PY-1") && logged.contains("status=401"), "\(logged)")
        #expect(!logged.contains(token), "the access log never holds a token")
        // Nothing is left in the spool.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".synthlabel-serve-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// `synthlabel serve --config config` started; port 0 in the configuration lets the system
    /// pick a free port, which the server's first log line names.
    func startServer(config: String) throws -> (Process, port: String, log: String) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Fixtures.binary)
        server.arguments = ["serve", "--config", config]
        let log = folder.file("server-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log, contents: nil)
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

    struct ServerDidNotStart: Error {
        var log: String
    }

    /// schemathesis (PyPI) generates requests from the served OpenAPI document, under each role's
    /// token, and checks every answer: no 5xx, statuses, content types, headers and bodies as
    /// the document says. Not asked: that every schema-valid body is accepted, since a file's
    /// validity is its format, which OpenAPI cannot state (arbitrary bytes are rightly 415).
    @Test func schemathesisFindsNothingOffTheDocument() throws {
        let config = folder.file("fuzz.yaml")
        let tokens = ["producer-token-0123456789", "platform-token-0123456789", "auditor-token-01234567890"]
        try """
        listen: 127.0.0.1:0
        ledger: sqlite:\(folder.file("fuzz-ledger.sqlite"))
        spool: \(folder.path)
        tokens:
          - { token: "\(tokens[0])", role: producer, producers: ["\(Fixtures.producer)"] }
          - { token: "\(tokens[1])", role: platform, propagator: "001191110102MACQD9K64018706" }
          - { token: "\(tokens[2])", role: auditor }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let (server, port, _) = try startServer(config: config)
        defer { server.terminate() }
        for token in tokens {
            // Through the python3 that installed it, whatever PATH holds.
            let run = try Fixtures.run(
                "python3",
                [
                    "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())",
                    "run", "http://127.0.0.1:\(port)/openapi.json", "-H", "Authorization: Bearer \(token)", "--checks", "all",
                    "--exclude-checks", "positive_data_acceptance", "--max-examples", "25", "--seed", "1",
                ])
            #expect(run.status == 0, "\(run.stdout.suffix(3000))")
        }
    }
}
