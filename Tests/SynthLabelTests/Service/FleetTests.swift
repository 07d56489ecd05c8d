import Foundation
import Testing

@testable import SynthLabel

/// Two `synthlabel serve` processes sharing one PostgreSQL ledger, under concurrent load from a
/// Python client: every act is recorded exactly once, and a server killed mid-load loses no
/// act it answered and leaves no temporary file once restarted.
@Suite struct FleetTests {
    let folder = TemporaryDirectory()
    static let token = "fleet-token-0123456789"

    /// Posts `count` labels from `workers` threads, alternating between the ports, each with
    /// ProduceID PREFIX-i; a 503 (busy) is retried, as a client should. Prints the ProduceIDs
    /// answered 200 with their labelled bytes, and the failures.
    static let load = """
        import http.client, json, sys, threading, time
        ports, token, source, prefix = sys.argv[1].split(","), sys.argv[2], sys.argv[3], sys.argv[4]
        count, workers = int(sys.argv[5]), int(sys.argv[6])
        data = open(source, "rb").read()
        lock, ok, failed, cursor = threading.Lock(), [], [], [0]
        def work():
            while True:
                with lock:
                    index = cursor[0]; cursor[0] += 1
                if index >= count:
                    return
                produce_id = "%s-%d" % (prefix, index)
                for attempt in range(200):
                    try:
                        connection = http.client.HTTPConnection("127.0.0.1", int(ports[index % len(ports)]), timeout=30)
                        connection.request("POST", "/v1/label?produce_id=" + produce_id, body=data,
                                           headers={"Authorization": "Bearer " + token})
                        response = connection.getresponse()
                        body = response.read()
                        connection.close()
                    except OSError as error:
                        with lock: failed.append([produce_id, str(error)])
                        break
                    if response.status == 503:
                        time.sleep(0.05)
                        continue
                    with lock:
                        if response.status == 200 and response.getheader("SynthLabel-Produce-ID") == produce_id and body[:4] == b"\\x89PNG":
                            ok.append(produce_id)
                        else:
                            failed.append([produce_id, response.status])
                    break
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads: thread.start()
        for thread in threads: thread.join()
        print(json.dumps({"ok": ok, "failed": failed}))
        """

    struct LoadResult {
        var ok: [String]
        /// Each a ProduceID and what went wrong, as text.
        var failed: [String]
    }

    /// Two servers on one ledger, each with its own spool.
    func startFleet(ledger: String) throws -> [(process: Process, port: String, config: String)] {
        try (0..<2).map { index in
            let spool = folder.file("spool-\(index)")
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            let config = try ServerProcess.configuration(
                in: folder, token: Self.token, ledger: ledger, spool: spool, name: "server-\(index).yaml")
            let (process, port, _) = try ServerProcess.start(config: config, logIn: folder)
            return (process, port, config)
        }
    }

    func startLoad(ports: [String], prefix: String, count: Int) throws -> (Process, Pipe) {
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = [
            "python3", "-c", Self.load, ports.joined(separator: ","), Self.token, Fixtures.sample("gradient.png"), prefix, "\(count)", "8",
        ]
        let out = Pipe()
        client.standardOutput = out
        try client.run()
        return (client, out)
    }

    func finish(_ load: (Process, Pipe)) throws -> LoadResult {
        let data = load.1.fileHandleForReading.readDataToEndOfFile()
        load.0.waitUntilExit()
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return LoadResult(
            ok: object?["ok"] as? [String] ?? [], failed: (object?["failed"] as? [Any] ?? []).map { "\($0)" })
    }

    @Test func twoServersOnOneLedgerRecordEveryActExactlyOnce() throws {
        let database = try PostgresDatabase()
        let fleet = try startFleet(ledger: database.url)
        defer { for server in fleet { server.process.terminate() } }
        let result = try finish(try startLoad(ports: fleet.map(\.port), prefix: "FLEET", count: 240))
        #expect(result.ok.count == 240, "\(result.failed.prefix(5))")
        #expect(try database.value("SELECT count(*) FROM act") == "240")
        #expect(try database.value("SELECT count(DISTINCT produce_id) FROM act WHERE state = 'completed'") == "240")
        // Both servers recorded: their acts carry the same tool, and each its own share.
        #expect(try database.value("SELECT count(*) FROM act WHERE produce_id LIKE 'FLEET-%' AND tool = 'synthlabel serve'") == "240")
    }

    @Test func aServerKilledMidLoadLosesNoAnsweredActAndLeavesNoTemporaryFile() throws {
        let database = try PostgresDatabase()
        let fleet = try startFleet(ledger: database.url)
        defer { for server in fleet where server.process.isRunning { server.process.terminate() } }
        let load = try startLoad(ports: fleet.map(\.port), prefix: "KILL", count: 300)
        // Kill the first server once the fleet has recorded 60 acts, mid-load.
        let deadline = Date().addingTimeInterval(60)
        while (Int(try database.value("SELECT count(*) FROM act")) ?? 0) < 60 && Date() < deadline { usleep(20_000) }
        kill(fleet[0].process.processIdentifier, SIGKILL)
        fleet[0].process.waitUntilExit()
        let result = try finish(load)
        #expect(!result.failed.isEmpty, "requests to the killed server failed")
        #expect(result.ok.count > 150, "the other server went on answering")

        let recorded = try database.value("SELECT string_agg(produce_id, ',') FROM act WHERE state = 'completed'")
        let completed = Set(recorded.split(separator: ",").map(String.init))
        #expect(Set(result.ok).isSubset(of: completed), "every answered act is in the ledger")
        #expect(try database.value("SELECT count(*) - count(DISTINCT produce_id) FROM act") == "0", "no act twice")

        // Restarted on the same spool, the server sweeps what the kill left.
        let (again, _, _) = try ServerProcess.start(config: fleet[0].config, logIn: folder)
        defer { again.terminate() }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.file("spool-0")).filter { $0.hasSuffix(".synthlabel-tmp") }
        #expect(left.isEmpty, "\(left)")
    }
}
