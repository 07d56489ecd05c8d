import Foundation
import Testing

@testable import SynthLabel

/// SynthLabel's older `SL1` record end to end (`label --sign --signature-format sl1`): written,
/// checked with `verify --trust`, and every tamper case gets the right message. The default
/// form, `SecurityData`, is tested in SecurityDataTests.
@Suite struct SignedLabelTests {
    let folder = TemporaryDirectory()

    func keyPair(_ algorithm: SignatureAlgorithm, _ name: String) throws -> (SigningKey, PublicKey) {
        let path = folder.file(name)
        if !FileManager.default.fileExists(atPath: path + ".key") { try KeyFile.generate(algorithm, writingTo: path) }
        return (try SigningKey(contentsOf: path + ".key"), try PublicKey(contentsOf: path + ".pub"))
    }

    func signedCopy(_ sample: String, _ algorithm: SignatureAlgorithm = .sm2) throws -> (path: String, key: PublicKey) {
        let (signing, publicKey) = try keyPair(algorithm, "producer-\(algorithm.rawValue)")
        let output = folder.file("signed-\(algorithm.rawValue)-" + sample)
        try Labeller(signingKey: signing, signatureFormat: .sl1).label(
            fileAt: Fixtures.sample(sample), with: Fixtures.label(id: "SIGNED-1"), writingTo: output)
        return (output, publicKey)
    }

    func finding(_ path: String, trusting keys: [PublicKey], _ check: Check = .producerSignature) throws -> Finding? {
        try Verifier(trustedKeys: keys).verify(fileAt: path).findings.first { $0.check == check }
    }

    @Test(
        arguments: ["gradient.png", "gradient.jpg", "chirp.wav", "chirp.mp3", "chirp.flac", "story.md"], [SignatureAlgorithm.sm2, .ed25519])
    func signedLabelsVerify(_ sample: String, _ algorithm: SignatureAlgorithm) throws {
        let (path, key) = try signedCopy(sample, algorithm)
        let report = try Verifier(trustedKeys: [key]).verify(fileAt: path)
        let record = try #require(report.label?[.reservedCode1])
        #expect(record.hasPrefix("SL1.\(algorithm.rawValue).\(key.keyID)."))
        #expect(report.findings.first { $0.check == .producerSignature }?.outcome == .pass)
        #expect(report.verdict == .compliant)
        // exiftool reads the same record from the file.
        if sample.hasSuffix(".png") { #expect(try Fixtures.exiftool("XMP-TC260:AIGC", path).contains(record)) }
    }

    @Test func aChangedLabelFieldIsASignatureInvalid() throws {
        let (path, key) = try signedCopy("gradient.png")
        var bytes = Fixtures.read(path)
        let id = Array("SIGNED-1".utf8)
        let at = try #require((0...(bytes.count - id.count)).first { Array(bytes[$0..<$0 + id.count]) == id })
        bytes[at + 7] = UInt8(ascii: "2")  // same length: only the field changes
        // The iTXt chunk's CRC must be redone, or the file would just be damaged.
        let chunks = Containers.pngChunks(bytes)
        var rebuilt = Array(bytes[0..<8])
        for chunk in chunks {
            rebuilt += chunk.type == "iTXt" ? PNGAdapter.makeChunk("iTXt", Array(chunk.bytes[8..<(chunk.bytes.count - 4)])) : chunk.bytes
        }
        Fixtures.write(rebuilt, to: path)
        let result = try finding(path, trusting: [key])
        #expect(result?.outcome == .fail && result?.message.hasPrefix("signature invalid") == true, "\(String(describing: result))")
        #expect(try Fixtures.report(path).verdict != .noncompliant)  // without --trust nothing can be said of the fields
    }

    @Test func changedSamplesTextOrAddedMetadataAreContentChanged() throws {
        // One sample byte flipped.
        let (wav, wavKey) = try signedCopy("chirp.wav")
        var samples = Fixtures.read(wav)
        samples[1000] ^= 0x01
        Fixtures.write(samples, to: wav)
        #expect(try finding(wav, trusting: [wavKey])?.message.hasPrefix("content changed") == true)
        // Text edited.
        let (markdown, markdownKey) = try signedCopy("story.md")
        Fixtures.write(
            Array(String(decoding: Fixtures.read(markdown), as: UTF8.self).replacingOccurrences(of: "fog", with: "mist").utf8), to: markdown
        )
        #expect(try finding(markdown, trusting: [markdownKey])?.message.hasPrefix("content changed") == true)
        // Metadata added elsewhere: a comment chunk after the image data.
        let (png, pngKey) = try signedCopy("gradient.png")
        Fixtures.write(
            Containers.png(Fixtures.read(png), inserting: Containers.textChunk("Comment", "added later"), before: "IEND"), to: png)
        let added = try finding(png, trusting: [pngKey])
        #expect(added?.outcome == .fail && added?.message.hasPrefix("content changed") == true)
        #expect(try Verifier(trustedKeys: [pngKey]).verify(fileAt: png).verdict == .noncompliant)
    }

    @Test func editedSignatureBytesAndOtherKeys() throws {
        let (path, key) = try signedCopy("story.md")
        let text = String(decoding: Fixtures.read(path), as: UTF8.self)
        let record = try #require(try Fixtures.report(path).label?[.reservedCode1])
        var characters = Array(record)
        characters[characters.count - 5] = characters[characters.count - 5] == "A" ? "B" : "A"
        Fixtures.write(Array(text.replacingOccurrences(of: record, with: String(characters)).utf8), to: path)
        #expect(try finding(path, trusting: [key])?.message.hasPrefix("signature invalid") == true)

        let (fresh, _) = try signedCopy("gradient.jpg")
        let (_, stranger) = try keyPair(.ed25519, "stranger")
        let unknown = try finding(fresh, trusting: [stranger])
        #expect(unknown?.outcome == .warn && unknown?.message.hasPrefix("unknown key") == true)
        #expect(try finding(fresh, trusting: [])?.message.contains("no trusted keys were given to check it") == true)
    }

    /// A platform's step leaves the producer's signature valid and adds its own.
    @Test(arguments: ["chirp.wav", "chirp.mp3", "chirp.flac", "gradient.png", "gradient.jpg", "story.md"])
    func propagationKeepsTheProducerSignature(_ sample: String) throws {
        let (path, producerKey) = try signedCopy(sample)
        let (platformSigning, platformKey) = try keyPair(.ed25519, "platform")
        let output = folder.file("propagated-" + sample)
        try Labeller(signingKey: platformSigning, signatureFormat: .sl1).label(
            fileAt: path, request: .propagate(Propagation(propagator: Fixtures.producer, propagateID: "PLAT-1")), writingTo: output)
        let report = try Verifier(trustedKeys: [producerKey, platformKey]).verify(fileAt: output)
        #expect(
            report.findings.first { $0.check == .producerSignature }?.outcome == .pass,
            "\(report.findings.filter { $0.check == .producerSignature })")
        #expect(report.findings.first { $0.check == .platformSignature }?.outcome == .pass)
        #expect(report.label?[.propagateID] == "PLAT-1")
    }

    @Test func unsupportedCarriersAreRefusedAndForeignValuesLeftAlone() throws {
        let (signing, _) = try keyPair(.sm2, "producer-sm2")
        let ogg = folder.file("music.ogg")
        try Media.shell("oggenc -Q -o '\(ogg)' '\(Fixtures.sample("chirp.wav"))'")
        #expect {
            try Labeller(signingKey: signing, signatureFormat: .sl1).label(
                fileAt: ogg, with: Fixtures.label(), writingTo: folder.file("x.ogg"))
        } throws: { $0 as? SynthLabelError == .signingUnsupported(path: ogg, format: .ogg) }
        var label = Fixtures.label(id: "FOREIGN")
        label[.reservedCode1] = "vendor-integrity-0001"
        let path = folder.file("foreign.png")
        try Fixtures.labelFile(Fixtures.sample("gradient.png"), to: path, with: label)
        let result = try finding(path, trusting: [])
        #expect(result?.outcome == .skip && result?.message.contains("vendor-integrity-0001") == true)
    }

    /// A WebP made by cwebp, signed and changed: the RIFF size is owned, the image data is not.
    @Test func webpSignaturesBindTheImage() throws {
        let webp = folder.file("picture.webp")
        try Media.shell("cwebp -quiet '\(Fixtures.sample("gradient.png"))' -o '\(webp)'")
        let (signing, publicKey) = try keyPair(.sm2, "producer-sm2")
        let output = folder.file("signed.webp")
        try Labeller(signingKey: signing, signatureFormat: .sl1).label(fileAt: webp, with: Fixtures.label(id: "W1"), writingTo: output)
        #expect(try finding(output, trusting: [publicKey])?.outcome == .pass)
        var bytes = Fixtures.read(output)
        let lossy: [UInt8] = Array("VP8 ".utf8)
        let lossless: [UInt8] = Array("VP8L".utf8)
        var vp8 = 12
        while vp8 + 4 < bytes.count && Array(bytes[vp8..<vp8 + 4]) != lossy && Array(bytes[vp8..<vp8 + 4]) != lossless { vp8 += 1 }
        #expect(vp8 + 40 < bytes.count)
        bytes[vp8 + 40] ^= 0x10  // inside the image data, which has no checksum
        Fixtures.write(bytes, to: output)
        #expect(try finding(output, trusting: [publicKey])?.message.hasPrefix("content changed") == true)
    }

    @Test func theCommandLineSignsAndVerifies() throws {
        let keys = folder.file("cli-keys")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        #expect(try Fixtures.synthlabel("keys", "generate", "--out", keys + "/studio").status == 0)
        let out = folder.file("cli-signed")
        let label = try Fixtures.synthlabel(
            "label", Fixtures.sample("gradient.png"), "--producer", Fixtures.producer, "--produce-id", "S1", "--sign", keys + "/studio.key",
            "--signature-format", "sl1", "--output", out)
        #expect(label.status == 0, "\(label.stderr)")
        let verify = try Fixtures.synthlabel("verify", out + "/gradient.png", "--trust", keys)
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("  signed     producer: signature valid: sm2 key "), "\(verify.stdout)")
        let scan = try Fixtures.synthlabel("scan", out, "--trust", keys, "--ndjson", "--fail-on", "noncompliant")
        #expect(scan.status == 0 && scan.stdout.contains("signature valid: sm2 key"), "\(scan.stdout)")
        let untrusted = try Fixtures.synthlabel("verify", out + "/gradient.png")
        #expect(untrusted.stdout.contains("unknown key") && untrusted.stdout.contains("no trusted keys were given"))
        let missing = try Fixtures.synthlabel(
            "label", Fixtures.sample("gradient.png"), "--producer", Fixtures.producer, "--sign", "/nonexistent.key", "--output", out)
        #expect(missing.status == 2 && missing.stderr.contains("--sign"))
    }
}
