import Foundation
import Testing

@testable import SynthLabel

/// Paths, temporary folders, external tools and small builders shared by the tests.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = packageRoot.appendingPathComponent("samples").path
    static let exiftoolConfig = packageRoot.appendingPathComponent("support/exiftool/tc260.config").path
    static let producer = "001191110102MACQD9K64018705"

    static func sample(_ name: String) -> String { samples + "/" + name }

    static func label(id: String = "ID-1", producer: String = producer, value: LabelValue = .generated) -> AIGCLabel {
        AIGCLabel(label: value, contentProducer: producer, produceID: id)
    }

    static func read(_ path: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }

    static func write(_ bytes: [UInt8], to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// Labels `source` into `destination` with the library and returns the result.
    @discardableResult
    static func labelFile(_ source: String, to destination: String, with label: AIGCLabel = label()) throws -> LabelOutcome {
        try Labeller().label(fileAt: source, with: label, writingTo: destination)
    }

    /// Labels `path` into `output` signed by a new SM2 key, expects the signature to hold with
    /// its content binding, flips the byte in the middle of the file (its media, in any video
    /// container) and expects "content changed". `signed` looks at the signed file first.
    static func expectSignatureBindsTheMiddle(
        of path: String, writingTo output: String, keyName: String, signed check: () throws -> Void = {}
    ) throws {
        let key = try KeyFile.generate(.sm2, writingTo: keyName)
        try Labeller(signingKey: try SigningKey(contentsOf: keyName + ".key")).label(
            fileAt: path, with: label(id: "SIGNED"), writingTo: output)
        try check()
        let verifier = Verifier(trust: TrustStore(keys: [key]))
        let signed = try verifier.verify(fileAt: output).findings.first { $0.check == .producerSignature }
        #expect(signed?.outcome == .pass && signed?.message.contains("content binding holds") == true, "\(String(describing: signed))")
        var bytes = read(output)
        bytes[bytes.count / 2] ^= 0x01
        write(bytes, to: output)
        let changed = try verifier.verify(fileAt: output).findings.first { $0.check == .producerSignature }
        #expect(changed?.message.contains("content changed") == true, "\(String(describing: changed))")
    }

    /// The library error `body` throws; nil when it throws nothing, or something else.
    static func thrown(_ body: () throws -> Void) -> SynthLabelError? {
        do {
            try body()
            return nil
        } catch { return error as? SynthLabelError }
    }

    static func report(_ path: String) throws -> FileReport {
        try Verifier().verify(fileAt: path)
    }

    /// The built `synthlabel` binary, beside the test bundle; `SYNTHLABEL_BINARY` names another
    /// build (an earlier commit's, to show which tests it fails).
    static var binary: String {
        if let other = ProcessInfo.processInfo.environment["SYNTHLABEL_BINARY"], !other.isEmpty { return other }
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
        var directory = bundle.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("synthlabel").path) {
            directory = packageRoot.appendingPathComponent(".build/debug")
        }
        return directory.appendingPathComponent("synthlabel").path
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion; a missing program fails the test with a hint.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        // Labelling runs record to a ledger of the test run's own, never the user's.
        var variables = ProcessInfo.processInfo.environment
        variables["SYNTHLABEL_LEDGER"] = variables["SYNTHLABEL_LEDGER"] ?? testLedger
        // The tests read English unless they ask for Chinese, whatever the developer's locale.
        for name in ["LC_ALL", "LC_MESSAGES"] { variables[name] = nil }
        variables["LANG"] = "C.UTF-8"
        process.environment = variables.merging(environment) { $1 }
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs, so a chatty tool cannot block.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let result = Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
        if result.status == 127 {
            Issue.record("\(program) is not installed; run scripts/install-deps.sh")
        }
        return result
    }

    static func synthlabel(_ arguments: String...) throws -> Run {
        try run(binary, arguments)
    }

    /// The ledger the tests' labelling runs share unless a test names its own, removed (with
    /// SQLite's journal files) when the test process exits, so runs leave nothing behind.
    static let testLedger: String = {
        atexit {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(Fixtures.testLedgerPath + suffix) }
        }
        return testLedgerPath
    }()
    private static let testLedgerPath = NSTemporaryDirectory() + "synthlabel-tests-ledger-\(getpid()).sqlite"

    /// A 16-bit stereo 48 kHz PCM WAV with the canonical 44-byte header and `dataSize` bytes
    /// of deterministic noise, for tests that need a bigger file than the samples.
    static func pcmWAV(dataSize: Int) -> [UInt8] {
        var bytes = Array("RIFF".utf8)
        bytes.appendUInt32LE(UInt32(36 + dataSize))
        bytes += Array("WAVEfmt ".utf8)
        bytes.appendUInt32LE(16)
        bytes += [1, 0, 2, 0]  // PCM, two channels
        bytes.appendUInt32LE(48_000)
        bytes.appendUInt32LE(192_000)
        bytes += [4, 0, 16, 0]  // block align, bits per sample
        bytes += Array("data".utf8)
        bytes.appendUInt32LE(UInt32(dataSize))
        var state: UInt32 = 2_463_534_242
        bytes.reserveCapacity(bytes.count + dataSize)
        for _ in 0..<dataSize {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            bytes.append(UInt8(truncatingIfNeeded: state))
        }
        return bytes
    }

    /// zlib-compressed bytes made by Python's zlib (an independent compressor) from a Python
    /// expression that yields `bytes`.
    static func zlibCompressed(_ pythonBytes: String) throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "zlib-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = "import sys, zlib; open(sys.argv[1], 'wb').write(zlib.compress(\(pythonBytes), 9))"
        try run("python3", ["-c", script, path])
        return read(path)
    }

    /// exiftool's value for one tag, with the TC260 namespace known.
    static func exiftool(_ tag: String, _ path: String) throws -> String {
        try run("exiftool", ["-config", exiftoolConfig, "-s3", "-\(tag)", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A folder under the system temp directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "synthlabel-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// The file `name`, made by a shell `script` in which OUT stands for its path.
    func made(_ name: String, _ script: String) throws -> String {
        let output = file(name)
        try Media.shell(script.replacingOccurrences(of: "OUT", with: "'\(output)'"))
        return output
    }

    /// Copies a sample in and returns its new path.
    func copy(_ sample: String, as name: String? = nil) -> String {
        let target = file(name ?? (sample as NSString).lastPathComponent)
        try? FileManager.default.copyItem(atPath: sample, toPath: target)
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
