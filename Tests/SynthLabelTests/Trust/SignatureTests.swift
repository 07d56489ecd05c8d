import Foundation
import Testing

@testable import SynthLabel

/// Keys, the signed record and its algorithms, checked against OpenSSL's command-line tool.
@Suite struct SignatureTests {
    let folder = TemporaryDirectory()
    let fields: [(name: String, value: String)] = [
        ("Label", "1"), ("ContentProducer", Fixtures.producer), ("ProduceID", "SIG-1"),
    ]

    func keyPair(_ algorithm: SignatureAlgorithm) throws -> (signing: SigningKey, public: PublicKey, name: String) {
        let name = folder.file("key-\(algorithm.rawValue)-\(UUID().uuidString.prefix(8))")
        let generated = try KeyFile.generate(algorithm, writingTo: name)
        let signing = try SigningKey(contentsOf: name + ".key")
        let publicKey = try PublicKey(contentsOf: name + ".pub")
        #expect(generated.keyID == signing.keyID && signing.keyID == publicKey.keyID)
        return (signing, publicKey, name)
    }

    @Test(arguments: SignatureAlgorithm.signing)
    func keysAreWrittenPrivatelyAndNeverPrinted(_ algorithm: SignatureAlgorithm) throws {
        let (signing, publicKey, name) = try keyPair(algorithm)
        let mode = try FileManager.default.attributesOfItem(atPath: name + ".key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(signing.keyID.count == 16 && signing.keyID.allSatisfy(\.isHexDigit))
        #expect(!"\(signing)".contains("PRIVATE") && "\(signing)".contains(signing.keyID))
        #expect(publicKey.algorithm == algorithm)
        // OpenSSL reads both files as the algorithm we say.
        let text = try Fixtures.run("openssl", ["pkey", "-in", name + ".key", "-noout", "-text"]).stdout
        #expect(text.contains(algorithm == .sm2 ? "Private-Key: (256 bit)" : "ED25519 Private-Key"), "\(text.prefix(80))")
        // A second generate never overwrites.
        #expect(throws: SynthLabelError.self) { try KeyFile.generate(algorithm, writingTo: name) }
    }

    @Test(arguments: SignatureAlgorithm.signing)
    func recordsSignVerifyAndDetectEveryTamper(_ algorithm: SignatureAlgorithm) throws {
        let (signing, publicKey, _) = try keyPair(algorithm)
        let digest = algorithm.digest.digest(Array("content".utf8))
        let record = try SignatureRecord.sign(fields: fields, contentDigest: digest, with: signing)
        let text = record.serialized
        #expect(text.count <= 300)
        // The record obeys Annex E's character set as a ReservedCode1 value.
        var label = AIGCLabel(contentProducer: Fixtures.producer, produceID: "SIG-1")
        label[.reservedCode1] = text
        #expect(label.validationProblems().isEmpty, "\(label.validationProblems())")
        #expect(text.count == SignatureRecord.placeholder(for: signing).serialized.count)

        let parsed = try #require(SignatureRecord(parsing: text))
        #expect(parsed == record)
        #expect(parsed.isValid(fields: fields, under: publicKey))
        var edited = fields
        edited[2].value = "SIG-2"
        #expect(!parsed.isValid(fields: edited, under: publicKey))  // a label field changed
        var otherDigest = parsed
        otherDigest.contentDigest[0] ^= 1
        #expect(!otherDigest.isValid(fields: fields, under: publicKey))  // content changed
        var flipped = parsed
        flipped.signature[10] ^= 0x40
        #expect(!flipped.isValid(fields: fields, under: publicKey))  // signature bytes edited
        let other = try keyPair(algorithm).public
        #expect(!parsed.isValid(fields: fields, under: other))  // a different key
        #expect(SignatureRecord(parsing: "vendor-hash:abc") == nil)  // someone else's value is not ours
    }

    /// OpenSSL's own tool checks an SM2 record from the documented format alone: the message
    /// lines, and r‖s wrapped back into the DER SEQUENCE its tools expect.
    @Test func opensslVerifiesAnSM2RecordIndependently() throws {
        let (signing, _, name) = try keyPair(.sm2)
        let digest = DigestAlgorithm.sm3.digest(Array("pixels".utf8))
        let record = try SignatureRecord.sign(fields: fields, contentDigest: digest, with: signing)
        let parsed = try #require(SignatureRecord(parsing: record.serialized))
        let message = folder.file("message.txt")
        let lines =
            ["SynthLabel signed label 1", "sm2", parsed.keyID] + fields.map { "\($0.name)=\($0.value)" }
            + [parsed.contentDigest.map { String(format: "%02x", $0) }.joined()]
        Fixtures.write(Array(lines.joined(separator: "\n").utf8), to: message)
        let signature = folder.file("signature.der")
        Fixtures.write(Self.der(r: Array(parsed.signature[0..<32]), s: Array(parsed.signature[32...])), to: signature)
        let run = try Fixtures.run(
            "openssl", ["dgst", "-sm3", "-verify", name + ".pub", "-sigopt", "distid:1234567812345678", "-signature", signature, message])
        #expect(run.stdout.contains("Verified OK"), "\(run.stdout) \(run.stderr)")
    }

    @Test func opensslVerifiesAnEd25519Record() throws {
        let (signing, _, name) = try keyPair(.ed25519)
        let record = try SignatureRecord.sign(fields: fields, contentDigest: [UInt8](repeating: 7, count: 32), with: signing)
        let message = folder.file("ed-message.txt")
        Fixtures.write(
            SignatureRecord.signedMessage(algorithm: .ed25519, keyID: signing.keyID, fields: fields, contentDigest: record.contentDigest),
            to: message)
        let signature = folder.file("ed-signature.bin")
        Fixtures.write(record.signature, to: signature)
        let run = try Fixtures.run(
            "openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", name + ".pub", "-rawin", "-in", message, "-sigfile", signature])
        #expect(run.stdout.contains("Signature Verified Successfully"), "\(run.stdout) \(run.stderr)")
    }

    @Test func digestsMatchOpenSSL() throws {
        let path = folder.file("digest-input.bin")
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        Fixtures.write(bytes, to: path)
        for (algorithm, name) in [(DigestAlgorithm.sm3, "-sm3"), (.sha256, "-sha256")] {
            var hasher = Hasher256(algorithm)
            for start in stride(from: 0, to: bytes.count, by: 4096) { hasher.update(Array(bytes[start..<min(start + 4096, bytes.count)])) }
            let ours = hasher.finish().map { String(format: "%02x", $0) }.joined()
            let theirs = try Fixtures.run("openssl", ["dgst", name, "-r", path]).stdout.split(separator: " ").first.map(String.init)
            #expect(ours == theirs, "\(algorithm)")
        }
    }

    @Test func base64URLRoundTripsAndRejectsOtherAlphabets() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ length) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        #expect(Base64URL.decode("ab+c") == nil)
        #expect(Base64URL.decode("abcde") == nil)
    }

    @Test func theCommandLineGeneratesKeysAndRefusesToOverwrite() throws {
        let name = folder.file("cli-key")
        let run = try Fixtures.synthlabel("keys", "generate", "--algorithm", "ed25519", "--out", name)
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("wrote \(name).key (private, mode 0600) and \(name).pub: ed25519 key "))
        #expect(!run.stdout.contains("PRIVATE KEY") && !run.stderr.contains("PRIVATE KEY"))
        let again = try Fixtures.synthlabel("keys", "generate", "--out", name)
        #expect(again.status == 1 && again.stderr.contains("never overwritten"))
        #expect(try Fixtures.synthlabel("keys", "generate", "--algorithm", "rsa", "--out", name).status == 2)
    }

    /// ASN.1 DER SEQUENCE { INTEGER r, INTEGER s } from 32-byte big-endian values.
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ value: [UInt8]) -> [UInt8] {
            var trimmed = Array(value.drop { $0 == 0 })
            if trimmed.isEmpty { trimmed = [0] }
            if trimmed[0] & 0x80 != 0 { trimmed.insert(0, at: 0) }
            return [0x02, UInt8(trimmed.count)] + trimmed
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }
}
