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
        let (server, listening, log) = try startServer(config: configuration(token: token))
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
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".synthlabel-tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    func startServer(config: String) throws -> (Process, port: String, log: String) {
        try ServerProcess.start(config: config, logIn: folder)
    }

    /// Uploads a file slowly (64 KiB every 20 ms, after printing "started"), then prints the status.
    static let slowClient = """
        import http.client, sys, time
        port, token, source = sys.argv[1:4]
        data = open(source, "rb").read()
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
        connection.putrequest("POST", "/v1/label?produce_id=SLOW-1")
        connection.putheader("Authorization", "Bearer " + token)
        connection.putheader("Content-Length", str(len(data)))
        connection.endheaders()
        print("started", flush=True)
        try:
            for start in range(0, len(data), 65536):
                connection.send(data[start:start + 65536])
                time.sleep(0.02)
            print(connection.getresponse().status, flush=True)
        except OSError as error:
            print("cut", error, flush=True)
        """

    /// A configuration with a producer token (and `more` token entries), a ledger
    /// (`ledger.sqlite`) and the spool in the test's folder.
    func configuration(token: String, more: [String] = []) throws -> String {
        try ServerProcess.configuration(
            in: folder, token: token, more: more, ledger: "sqlite:\(folder.file("ledger.sqlite"))", spool: folder.path)
    }

    /// A 4 MB WAV (silence), big enough that its upload takes about a second.
    func bigWAV() throws -> String {
        let path = folder.file("big.wav")
        _ = try Media.shell("ffmpeg -v error -f lavfi -i anullsrc=r=48000:cl=stereo -t 22 -c:a pcm_s16le '\(path)'")
        return path
    }

    /// The slow client started on a 4 MB WAV, and 0.3 s into its upload; its output to read.
    func startSlowUpload(port: String, token: String) throws -> (Process, FileHandle) {
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", "-c", Self.slowClient, port, token, try bigWAV()]
        let out = Pipe()
        client.standardOutput = out
        try client.run()
        let reader = out.fileHandleForReading
        #expect(String(decoding: reader.availableData, as: UTF8.self).hasPrefix("started"))
        usleep(300_000)
        return (client, reader)
    }

    func spoolFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".synthlabel-tmp") }
    }

    @Test func sigtermLetsAnUploadInFlightFinish() throws {
        let token = "drain-token-0123456789"
        let (server, port, _) = try startServer(config: configuration(token: token))
        defer { if server.isRunning { server.terminate() } }
        let (client, reader) = try startSlowUpload(port: port, token: token)
        kill(server.processIdentifier, SIGTERM)
        client.waitUntilExit()
        let answer = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        #expect(answer.contains("200"), "the request in flight was answered: \(answer)")
        let deadline = Date().addingTimeInterval(15)
        while server.isRunning && Date() < deadline { usleep(50_000) }
        #expect(!server.isRunning)
        #expect(try Ledger(path: folder.file("ledger.sqlite")).acts(produceID: "SLOW-1").first?.state == .completed)
        #expect(try spoolFiles().isEmpty)
    }

    @Test func aKilledServerLeavesNothingAfterItsRestart() throws {
        let token = "kill-token-0123456789"
        let config = try configuration(token: token)
        let (server, port, _) = try startServer(config: config)
        let (client, _) = try startSlowUpload(port: port, token: token)
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        client.waitUntilExit()
        #expect(try spoolFiles().count == 1, "the body being received was left behind by the kill")
        // A new server sweeps it; the ledger holds no act for the upload that never finished.
        let (again, _, _) = try startServer(config: config)
        defer { again.terminate() }
        #expect(try spoolFiles().isEmpty)
        #expect(try Ledger(path: folder.file("ledger.sqlite")).acts(produceID: "SLOW-1").isEmpty)
    }

    /// schemathesis (PyPI) generates requests from the served OpenAPI document, under each role's
    /// token, and checks every answer: no 5xx, statuses, content types, headers and bodies as
    /// the document says. Not asked: that every schema-valid body is accepted, since a file's
    /// validity is its format, which OpenAPI cannot state (arbitrary bytes are rightly 415).
    @Test func schemathesisFindsNothingOffTheDocument() throws {
        let tokens = ["producer-token-0123456789", "platform-token-0123456789", "auditor-token-01234567890"]
        let config = try configuration(
            token: tokens[0],
            more: [
                "{ token: \"\(tokens[1])\", role: platform, propagator: \"001191110102MACQD9K64018706\" }",
                "{ token: \"\(tokens[2])\", role: auditor }",
            ])
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
