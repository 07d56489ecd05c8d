import Foundation
import SynthLabelCLI
import Testing

@testable import SynthLabel

/// Nothing claimed falsely: what the tool says about a file is what another look finds, its
/// messages name the real problem, and a flag that would do nothing is refused.
@Suite("honest reporting")
struct HonestReportingTests {
    let folder = TemporaryDirectory()
    let producer = Fixtures.producer

    // MARK: A watermark is claimed only where verify finds it

    @Test func aFileThatCannotCarryTheMarkIsLabelledWithoutItAndSaysSo() throws {
        _ = try Fixtures.synthlabel("keys", "generate", "--algorithm", "watermark", "--out", folder.file("mark"))
        let short = folder.file("short.wav")
        try Media.shell("ffmpeg -loglevel error -f lavfi -i 'sine=f=440:d=3' '\(short)'")
        let empty = folder.file("empty.wav")
        Fixtures.write(WAVFiles.pcm(bitsPerSample: 16, channels: 1, frames: 0), to: empty)
        let clear = folder.file("clear.png")
        try Media.shell(
            "python3 -c \"import sys; w=h=400; sys.stdout.write('P7\\nWIDTH %d\\nHEIGHT %d\\nDEPTH 4\\nMAXVAL 255\\nTUPLTYPE RGB_ALPHA\\nENDHDR\\n' % (w,h))\" > '\(clear).pam'"
                + " && python3 -c \"import sys; w=h=400; sys.stdout.buffer.write(bytes(b for y in range(h) for x in range(w) for b in ((x*5)%256,(y*3)%256,90,255 if x<6 and y<6 else 0)))\" >> '\(clear).pam'"
                + " && pamtopng '\(clear).pam' > '\(clear)'")
        let ledger = folder.file("ledger.sqlite")

        let run = try Fixtures.synthlabel(
            "label", short, empty, clear, Fixtures.sample("clouds.jpg"), "--producer", producer, "--output", folder.file("out"),
            "--watermark", "--watermark-key", folder.file("mark.key"), "--ledger", ledger, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let files = try #require(
            (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])
        var byName: [String: [String: Any]] = [:]
        for file in files { byName[((file["path"] as? String ?? "") as NSString).lastPathComponent] = file }
        for name in ["short.wav", "empty.wav", "clear.png"] {
            #expect(byName[name]?["watermark"] == nil, "\(name) claims a mark")
            #expect((byName[name]?["watermarkNote"] as? String)?.contains("did not read back") == true, "\(name)")
        }
        let payload = try #require(byName["clouds.jpg"]?["watermark"] as? String)

        // verify agrees with what label said, file by file.
        let verify = try Fixtures.synthlabel("verify", "--json", "--watermark-key", folder.file("mark.key"), folder.file("out"))
        let reports = try #require(
            (try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])
        for report in reports {
            let name = ((report["path"] as? String ?? "") as NSString).lastPathComponent
            let mark = report["watermark"] as? [String: Any]
            #expect((mark?["present"] as? Bool) == (name == "clouds.jpg"), "\(name): \(String(describing: mark))")
        }
        // A rerun finds each file already labelled as asked: a file that cannot carry the mark
        // is not labelled again (under a new ProduceID) for want of one.
        let rerun = try Fixtures.synthlabel(
            "label", short, empty, clear, Fixtures.sample("clouds.jpg"), "--producer", producer, "--output", folder.file("out"),
            "--watermark", "--watermark-key", folder.file("mark.key"), "--ledger", ledger)
        #expect(rerun.stdout.components(separatedBy: "already labelled:").count == 5, "\(rerun.stdout)")

        // The ledger holds the one payload that exists, and no other.
        let recorded = try Fixtures.run("sqlite3", [ledger, "SELECT watermark FROM act WHERE watermark IS NOT NULL"])
        #expect(recorded.stdout.split(separator: "\n").map(String.init) == [payload], "\(recorded.stdout) \(recorded.stderr)")
    }

    @Test func aWebPAskedForAMarkIsToldPlainlyThatItGetsNone() throws {
        _ = try Fixtures.synthlabel("keys", "generate", "--algorithm", "watermark", "--out", folder.file("mark"))
        let webp = folder.file("pic.webp")
        try Media.shell("cwebp -quiet '\(Fixtures.sample("gradient.png"))' -o '\(webp)'")
        let run = try Fixtures.synthlabel(
            "label", webp, "--producer", producer, "--in-place", "--no-ledger", "--watermark", "--watermark-key", folder.file("mark.key"))
        #expect(run.status == 0)
        #expect(run.stdout.contains("no watermark: WebP images are not watermarked yet"), "\(run.stdout)")
    }

    // MARK: verify and scan agree on audio libsndfile cannot decode

    @Test func unusualPCMDepthsAreCompliantEverywhereAndNotCalledDamaged() throws {
        for bits in [36, 45, 64] {
            let path = folder.file("odd-\(bits).wav")
            Fixtures.write(WAVFiles.pcm(bitsPerSample: bits, channels: 3, frames: 4000), to: path)
            try Fixtures.labelFile(path, to: path)
            let verify = try Fixtures.synthlabel("verify", "--json", path)
            #expect(verify.status == 0, "\(bits) bits: \(verify.stdout)")
            let checks = try #require(
                ((try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])?["files"] as? [[String: Any]])?
                    .first?["checks"] as? [[String: String]])
            let prompt = try #require(checks.first { $0["check"] == "explicit.audio-prompt" })
            #expect(prompt["outcome"] == "skip" && prompt["message"]?.contains("cannot decode") == true, "\(prompt)")
            let scan = try Fixtures.synthlabel("scan", "--explicit", "--ndjson", path)
            #expect(scan.stdout.contains("\"verdict\":\"compliant\""), "\(scan.stdout)")

            let explicit = try Fixtures.synthlabel(
                "label", path, "--producer", producer, "--explicit", "--output", folder.file("x\(bits)"), "--no-ledger")
            #expect(explicit.status == 1)
            #expect(
                !explicit.stderr.contains("damaged") && explicit.stderr.contains("libsndfile cannot decode its samples"),
                "\(explicit.stderr)")
        }
    }

    // MARK: Messages name the real problem

    @Test func messagesNameTheRealProblem() throws {
        var rf64 = Array("RF64".utf8) + [UInt8](repeating: 0xFF, count: 4) + Array("WAVE".utf8)
        rf64 += [UInt8](repeating: 0, count: 88 - rf64.count)
        Fixtures.write(rf64, to: folder.file("small.wav"))
        let rf = try Fixtures.synthlabel("verify", folder.file("small.wav"))
        #expect(rf.stdout.contains("RF64/BW64") && !rf.stdout.contains("4 GiB") && !rf.stdout.contains("damaged"), "\(rf.stdout)")

        Fixtures.write([], to: folder.file("empty.png"))
        let empty = try Fixtures.synthlabel("label", folder.file("empty.png"), "--producer", producer, "--in-place", "--no-ledger")
        #expect(empty.stdout.contains("empty.png: the file is empty (0 bytes)"), "\(empty.stdout)")

        Fixtures.write([1, 2, 3], to: folder.file("plain"))
        let output = folder.file("plain") + "/sub"
        let unwritable = try Fixtures.synthlabel("label", Fixtures.sample("gradient.png"), "--producer", producer, "--output", output)
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("\(output): cannot create the folder: Not a directory"), "\(unwritable.stderr)")
    }

    // MARK: Flags that would do nothing are errors

    @Test func explicitSettingsWithoutExplicitAreRefused() throws {
        for flag in [
            ["--explicit-text", "AI生成"], ["--caption-position", "top-left"], ["--caption-size", "0.08"], ["--jpeg-quality", "80"],
            ["--prompt-position", "end"], ["--audio-prompt", "spoken"], ["--tone-frequency", "900"], ["--tone-level=-6"],
        ] {
            let run = try Fixtures.run(
                Fixtures.binary, ["label", Fixtures.sample("gradient.png"), "--producer", producer, "--output", folder.file("o")] + flag)
            #expect(run.status == 2, "\(flag)")
            let name = flag[0].split(separator: "=")[0]
            #expect(run.stderr.contains("\(name) shapes the explicit label; add --explicit"), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("o/gradient.png")))
        }
    }

    // MARK: Help that holds

    @Test func helpExamplesPassTheToolsOwnChecks() throws {
        for command in ["label", "propagate", "verify", "scan", "ledger", "keys"] {
            let help = try Fixtures.synthlabel(command, "--help").stdout
            let words = help.split(whereSeparator: \.isWhitespace).map(String.init)
            // The example codes, not the placeholders (<producer>) of the usage lines.
            for (flag, code) in zip(words, words.dropFirst())
            where (flag == "--producer" || flag == "--propagator") && code.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) {
                #expect(ProviderCode(code).problems().isEmpty, "\(command) --help: \(flag) \(code): \(ProviderCode(code).problems())")
            }
        }
        #expect(try Fixtures.synthlabel("propagate", "--help").stdout.contains("--propagator 0011"))  // the example is checked
        let top = try Fixtures.synthlabel("--help").stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for carrier in Carrier.allCases {
            #expect(top.contains(carrier.displayName), "top-level help does not name \(carrier.displayName)")
        }
    }
}
