import Foundation
import Testing

@testable import SynthLabel

/// Signatures in the TC260 security guide's `SecurityData` form: what `label --sign` writes by
/// default, checked by OpenSSL's command line; what OpenSSL assembles, checked by us; every shape
/// real producers write; tampering; the producer registry; and StepFun's public examples.
@Suite struct SecurityDataTests {
    let folder = TemporaryDirectory()
    static let code = Fixtures.producer

    func keyPair(_ algorithm: SignatureAlgorithm, _ name: String) throws -> (SigningKey, PublicKey) {
        let path = folder.file(name)
        if !FileManager.default.fileExists(atPath: path + ".key") { try KeyFile.generate(algorithm, writingTo: path) }
        return (try SigningKey(contentsOf: path + ".key"), try PublicKey(contentsOf: path + ".pub"))
    }

    func signed(_ sample: String, _ algorithm: SignatureAlgorithm = .sm2, id: String = "SD-1") throws -> (path: String, key: PublicKey) {
        let (signing, publicKey) = try keyPair(algorithm, "producer-\(algorithm.rawValue)")
        let output = folder.file("\(algorithm.rawValue)-\(id)-" + sample)
        try Labeller(signingKey: signing).label(fileAt: Fixtures.sample(sample), with: Fixtures.label(id: id), writingTo: output)
        return (output, publicKey)
    }

    func finding(_ path: String, trust: TrustStore = TrustStore(), _ check: Check = .producerSignature) throws -> Finding? {
        try Verifier(trust: trust).verify(fileAt: path).findings.first { $0.check == check }
    }

    /// A Markdown file labelled with `reservedCode1` as given (written by someone else).
    func foreign(_ name: String, id: String = "ID-1", producer: String = code, reservedCode1: String) throws -> String {
        var label = Fixtures.label(id: id, producer: producer)
        label[.reservedCode1] = reservedCode1
        let path = folder.file(name)
        try Fixtures.labelFile(Fixtures.sample("story.md"), to: path, with: label)
        return path
    }

    /// Runs a shell script in the test folder (OpenSSL's command line, mostly).
    @discardableResult
    func shell(_ script: String) throws -> String { try Media.shell("cd '\(folder.path)'; " + script).stdout }

    func hex(ofFile name: String) -> String { Fixtures.read(folder.file(name)).hex.uppercased() }

    /// The A.1 message, as OpenSSL signs it in these tests.
    static func message(id: String, producer: String = code) -> String {
        #""Label":"1","ContentProducer":"\#(producer)","ProduceID":"\#(id)""#
    }

    /// A `SecurityData` value from entries written as JSON text.
    static func securityData(_ entries: [String], list: String = "PubSD") -> String {
        #"{"SecurityData":{"Type":"TC260PG","Version":1,"\#(list)":[\#(entries.joined(separator: ","))]}}"#
    }

    // MARK: What we write

    @Test(
        arguments: ["gradient.png", "gradient.jpg", "chirp.wav", "chirp.mp3", "chirp.flac", "story.md"], [SignatureAlgorithm.sm2, .ed25519])
    func everyCarrierSignsAndVerifies(_ sample: String, _ algorithm: SignatureAlgorithm) throws {
        let (path, key) = try signed(sample, algorithm)
        let report = try Fixtures.report(path)
        let value = try #require(report.label?[.reservedCode1])
        #expect(value.hasPrefix(#"{"SecurityData":{"Type":"TC260PG","Version":1,"PubSD":[{"Type":"DS","AlgID":"\#(algorithm.oid)""#))
        #expect(report.label?.validationProblems() == [], "the value stays inside Annex E's characters")
        // SM2 DER signatures are 70–72 bytes: a small file keeps the first made (see signedLargeFile).
        #expect(algorithm == .sm2 ? (909...917).contains(value.count) : value.count == 770, "\(value.count) characters")
        // Without trust: valid, with the file's own key only; the content binding holds.
        let own = try #require(report.findings.first { $0.check == .producerSignature })
        #expect(own.outcome == .warn && own.message.contains("embedded key only") && own.message.contains("Md signature valid"), "\(own)")
        #expect(report.verdict == .compliant)
        let trusted = try #require(try finding(path, trust: TrustStore(keys: [key])))
        #expect(trusted.outcome == .pass && trusted.message.contains("content binding holds"), "\(trusted)")
        // For auditors who require a trusted signature, the file's own key is not enough.
        #expect(try Verifier(requireSignature: true).verify(fileAt: path).verdict == .noncompliant)
        #expect(try Verifier(trust: TrustStore(keys: [key]), requireSignature: true).verify(fileAt: path).verdict == .compliant)
    }

    /// The two carriers the samples lack: WebP (made by cwebp) and plain text's invisible label.
    @Test func webpAndPlainTextSignToo() throws {
        let (signing, key) = try keyPair(.sm2, "producer-sm2")
        let webp = folder.file("picture.webp")
        try Media.shell("cwebp -quiet '\(Fixtures.sample("gradient.png"))' -o '\(webp)'")
        let text = folder.file("plain.txt")
        Fixtures.write(Array("A plain paragraph of generated text.\n".utf8), to: text)
        for (source, labeller) in [(webp, Labeller(signingKey: signing)), (text, Labeller(invisibleTextLabel: true, signingKey: signing))] {
            let output = folder.file("signed-" + (source as NSString).lastPathComponent)
            try labeller.label(fileAt: source, with: Fixtures.label(id: "OTHER"), writingTo: output)
            let result = try finding(output, trust: TrustStore(keys: [key]))
            #expect(
                result?.outcome == .pass && result?.message.contains("content binding holds") == true,
                "\(source): \(String(describing: result))")
        }
    }

    /// A file over 16 MB is signed again until each SM2 signature has 71 bytes, so its label has
    /// the length the layout assumed and the file is hashed once; it still verifies.
    @Test func aLargeFileIsHashedOnce() throws {
        let path = folder.file("large.wav")
        Fixtures.write(Fixtures.pcmWAV(dataSize: 17 << 20), to: path)
        let (signing, key) = try keyPair(.sm2, "producer-sm2")
        let output = folder.file("large-signed.wav")
        try Labeller(signingKey: signing).label(fileAt: path, with: Fixtures.label(id: "LARGE"), writingTo: output)
        let report = try Verifier(trust: TrustStore(keys: [key])).verify(fileAt: output)
        #expect(report.label?[.reservedCode1]?.count == 913)
        #expect(report.findings.first { $0.check == .producerSignature }?.outcome == .pass)
    }

    @Test func unsignedLabelsFailOnlyWhenASignatureIsRequired() throws {
        let path = folder.file("plain.png")
        try Fixtures.labelFile(Fixtures.sample("gradient.png"), to: path)
        #expect(try Verifier().verify(fileAt: path).verdict == .compliant)
        let strict = try Verifier(requireSignature: true).verify(fileAt: path)
        #expect(strict.verdict == .noncompliant)
        #expect(strict.findings.contains { $0.check == .producerSignature && $0.outcome == .fail && $0.message.hasPrefix("unsigned") })
    }

    /// The label signature and the binding's, checked by OpenSSL alone from what the file holds.
    @Test(arguments: [SignatureAlgorithm.sm2, .ed25519])
    func openSSLVerifiesWhatWeWrite(_ algorithm: SignatureAlgorithm) throws {
        let (path, _) = try signed("story.md", algorithm, id: "OSSL-1")
        let value = try #require(try Fixtures.report(path).label?[.reservedCode1])
        let data = try #require(SecurityData(parsing: value))
        let key = try #require(data.entries.first { $0.type == "PubKey" }?.hex("KeyValue"))
        Fixtures.write(key, to: folder.file("key.der"))
        try shell("openssl pkey -pubin -inform DER -in key.der -out key.pem")
        let binding = try #require(data.binding)
        let messages = [("Md", Self.message(id: "OSSL-1")), ("Bnd", binding.compactJSON)]
        for (type, message) in messages {
            let signature = try #require(data.entries.first { $0.signedType == type }?.hex("Signature"))
            Fixtures.write(signature, to: folder.file("sig"))
            Fixtures.write(Array(message.utf8), to: folder.file("msg"))
            let verified =
                algorithm == .sm2
                ? try shell("openssl dgst -sm3 -verify key.pem -signature sig -sigopt distid:1234567812345678 msg")
                : try shell("openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in msg -sigfile sig")
            #expect(verified.contains("Verified") || verified.contains("Signature Verified Successfully"), "\(type): \(verified)")
            Fixtures.write(Array(message.replacingOccurrences(of: "OSSL-1", with: "OSSL-2").utf8), to: folder.file("msg"))
            if type == "Md" {
                #expect(throws: (any Error).self) {
                    try shell("openssl dgst -sm3 -verify key.pem -signature sig -sigopt distid:1234567812345678 msg")
                }
            }
        }
        // The binding's digest is SM3 (SHA-256 with Ed25519) of the file without the label: the
        // front matter's `AIGC:` line and its indented lines, up to the last one's line feed.
        let strip =
            #"import re,sys; t=open(sys.argv[1],'rb').read(); m=re.search(rb'^AIGC:\n(?:  .*\n)*  .*(?=\n)', t, re.M); sys.stdout.buffer.write(t[:m.start()]+t[m.end():])"#
        let body = try shell("python3 -c \"\(strip)\" '\(path)' | openssl dgst -\(algorithm == .sm2 ? "sm3" : "sha256") -r")
        #expect(binding.string("Hash")?.lowercased() == String(body.prefix(64)), "\(body)")
    }

    /// gmssl (PyPI), an SM2 implementation of its own, checks both signatures from the file.
    @Test func gmsslVerifiesWhatWeWrite() throws {
        let (path, _) = try signed("story.md", id: "GM-1")
        let script = #"""
            import json, sys, yaml
            from gmssl import sm2
            label = yaml.safe_load(open(sys.argv[1]).read().split("---")[1])["AIGC"]
            entries = json.loads(label["ReservedCode1"])["SecurityData"]["PubSD"]
            key = next(e for e in entries if e["Type"] == "PubKey")["KeyValue"][-128:]
            checker = sm2.CryptSM2(private_key="", public_key=key, asn1=True)
            binding = next(e for e in entries if e["Type"] == "Bnd")
            messages = {
                "Md": ",".join('"%s":"%s"' % (f, label[f]) for f in ("Label", "ContentProducer", "ProduceID")),
                "Bnd": json.dumps(binding, separators=(",", ":")),
            }
            for entry in entries:
                if entry["Type"] == "DS":
                    kind = entry["TBSData"]["Type"]
                    print(kind, checker.verify_with_sm3(entry["Signature"].lower(), messages[kind].encode()))
            """#
        Fixtures.write(Array(script.utf8), to: folder.file("gm.py"))
        let out = try shell("python3 gm.py '\(path)'")
        #expect(out == "Md True\nBnd True\n", "\(out)")
    }

    // MARK: What others write

    /// A label whose SecurityData OpenSSL's command line made (key, signature), verified here,
    /// and refused once one field changes.
    @Test func aLabelAssembledByOpenSSLVerifies() throws {
        try shell("openssl genpkey -algorithm SM2 -out k.pem && openssl pkey -in k.pem -pubout -outform DER -out pub.der")
        Fixtures.write(Array(Self.message(id: "OPENSSL-1").utf8), to: folder.file("msg"))
        try shell("openssl dgst -sm3 -sign k.pem -sigopt distid:1234567812345678 -out sig.der msg")
        let value = Self.securityData([
            #"{"Type":"DS","AlgID":"1.2.156.10197.1.501","TBSData":{"Type":"Md"},"Signature":"\#(hex(ofFile: "sig.der"))"}"#,
            #"{"Type":"PubKey","AlgID":"1.2.156.10197.1.501","KeyValue":"\#(hex(ofFile: "pub.der"))"}"#,
        ])
        let good = try foreign("openssl.md", id: "OPENSSL-1", reservedCode1: value)
        let result = try #require(try finding(good))
        #expect(result.outcome == .warn && result.message.contains("Md signature valid (sm2"), "\(result)")
        #expect(try Fixtures.report(good).verdict == .compliant)
        let changed = try foreign("changed.md", id: "OPENSSL-2", reservedCode1: value)
        let refused = try #require(try finding(changed))
        #expect(refused.outcome == .fail && refused.message.contains("signature invalid"), "\(refused)")
        #expect(try Fixtures.report(changed).verdict == .noncompliant)
        // The same key, given as trusted in DER, PEM and hex, makes it a pass.
        try shell("openssl pkey -in k.pem -pubout -out pub.pem && xxd -p pub.der | tr -d '\\n' > pub.hex")
        for name in ["pub.der", "pub.pem", "pub.hex"] {
            let trusted = try finding(good, trust: try TrustStore.load(folder.file(name)))
            #expect(trusted?.outcome == .pass, "\(name): \(String(describing: trusted))")
        }
    }

    /// The shapes real producers write: `PubSd`, lower-case hex, `LabelMataData`, MiniMax's
    /// `00`‖x key and `Bindings` entry signed as compact JSON, keys linked by `KeyID`, RSA
    /// with SHA-256, and a signature over bytes whose selection is not known.
    @Test func everyShapeProducersWriteIsRead() throws {
        // An SM2 key whose point has an even y, so that x alone names it (MiniMax's form).
        var x = ""
        for attempt in 0..<64 {
            try shell("openssl genpkey -algorithm SM2 -out m.pem && openssl pkey -in m.pem -pubout -outform DER -out m.der")
            let der = Fixtures.read(folder.file("m.der"))
            if der.last.map({ $0 & 1 == 0 }) == true {
                x = Array(der[(der.count - 64)..<(der.count - 32)]).hex
                break
            }
            #expect(attempt < 63)
        }
        func sign(_ text: String, key: String = "m.pem", digest: String = "-sm3 -sigopt distid:1234567812345678") throws -> String {
            Fixtures.write(Array(text.utf8), to: folder.file("msg"))
            try shell("openssl dgst \(digest) -sign \(key) -out sig.der msg")
            return hex(ofFile: "sig.der")
        }
        let sm2 = "1.2.156.10197.1.501"
        let bindings =
            #"{"Type":"Bindings","Binding":"0","BType":0,"AlgID":"1.2.156.10197.1.401","Hash":"\#(String(repeating: "AB", count: 32))"}"#
        let minimax = Self.securityData(
            [
                #"{"Type":"DS","AlgID":"\#(sm2)","TBSData":{"Type":"LabelMataData"},"Signature":"\#(try sign(Self.message(id: "MM-1")).lowercased())"}"#,
                #"{"Type":"PubKey","AlgID":"\#(sm2)","KeyValue":"00\#(x)"}"#, bindings,
                #"{"Type":"DS","AlgID":"\#(sm2)","TBSData":{"Type":"Bindings"},"Signature":"\#(try sign(bindings))"}"#,
            ], list: "PubSd")
        let mm = try #require(try finding(try foreign("minimax.md", id: "MM-1", reservedCode1: minimax)))
        #expect(mm.outcome == .warn, "\(mm)")
        #expect(mm.message.contains("LabelMataData signature valid") || mm.message.contains("content binding not checked"), "\(mm)")
        let mmMessages = try #require(SecurityData(parsing: minimax)).signatures.count
        #expect(mmMessages == 2)
        let strict = try Verifier(requireSignature: false).verify(fileAt: folder.file("minimax.md"))
        #expect(!strict.findings.contains { $0.outcome == .fail }, "\(strict.findings)")

        // Two keys, the signature naming the second by KeyID; then naming the first.
        try shell("openssl genpkey -algorithm SM2 -out other.pem && openssl pkey -in other.pem -pubout -outform DER -out other.der")
        let linked = { (keyID: String) in
            Self.securityData([
                #"{"Type":"PubKey","AlgID":"\#(sm2)","KeyID":"a","KeyValue":"\#(self.hex(ofFile: "other.der"))"}"#,
                #"{"Type":"PubKey","AlgID":"\#(sm2)","KeyID":"b","KeyValue":"\#(self.hex(ofFile: "m.der"))"}"#,
                #"{"Type":"DS","AlgID":"\#(sm2)","KeyID":"\#(keyID)","TBSData":{"Type":"Md"},"Signature":"\#(try sign(Self.message(id: "K-1")))"}"#,
            ])
        }
        #expect(
            try finding(try foreign("keyid-b.md", id: "K-1", reservedCode1: try linked("b")))?.message.contains("Md signature valid")
                == true)
        #expect(try finding(try foreign("keyid-a.md", id: "K-1", reservedCode1: try linked("a")))?.outcome == .fail)

        // RSA with SHA-256 over the A.1 message, as Honor signs; and its signature over
        // "Content", whose bytes nobody has documented: reported, not guessed.
        try shell(
            "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out r.pem && openssl pkey -in r.pem -pubout -outform DER -out r.der"
        )
        let rsa = "1.2.840.113549.1.1.11"
        let honor = Self.securityData(
            [
                #"{"Type":"DS","AlgID":"\#(rsa)","TBSData":{"Type":"Md"},"Signature":"\#(try sign(Self.message(id: "H-1"), key: "r.pem", digest: "-sha256"))"}"#,
                #"{"Type":"PubKey","AlgID":"\#(rsa)","KeyValue":"\#(hex(ofFile: "r.der"))"}"#,
            ], list: "PubSd")
        let h = try #require(try finding(try foreign("honor.md", id: "H-1", reservedCode1: honor)))
        #expect(h.outcome == .warn && h.message.contains("Md signature valid (rsa"), "\(h)")
        let content = Self.securityData([
            #"{"Type":"DS","AlgID":"\#(rsa)","TBSData":{"Type":"Content"},"Signature":"00"}"#,
            #"{"Type":"PubKey","AlgID":"\#(rsa)","KeyValue":"\#(hex(ofFile: "r.der"))"}"#,
        ])
        let c = try #require(try finding(try foreign("content.md", id: "H-1", reservedCode1: content)))
        #expect(c.outcome == .warn && c.message.contains("signed bytes are not known"), "\(c)")
        let unknown = Self.securityData([
            #"{"Type":"DS","AlgID":"1.2.3.4","TBSData":{"Type":"Md"},"Signature":"00"}"#,
            #"{"Type":"PubKey","AlgID":"1.2.3.4","KeyValue":"00"}"#,
        ])
        let u = try #require(try finding(try foreign("unknown.md", reservedCode1: unknown)))
        #expect(u.outcome == .warn && u.message.contains("unknown algorithm 1.2.3.4"), "\(u)")
    }

    // MARK: Tampering

    @Test func tamperingIsCaught() throws {
        let (a, key) = try signed("story.md", id: "TAMPER-A")
        let (b, _) = try signed("story.md", id: "TAMPER-B")
        let trust = TrustStore(keys: [key])
        let text = String(decoding: Fixtures.read(a), as: UTF8.self)
        func variant(_ name: String, _ change: (String) -> String) -> String {
            let path = folder.file(name)
            Fixtures.write(Array(change(text).utf8), to: path)
            return path
        }
        // A field.
        let field = variant("field.md") { $0.replacingOccurrences(of: "TAMPER-A", with: "TAMPER-C") }
        #expect(try finding(field, trust: trust)?.message.contains("signature invalid") == true)
        // A content byte.
        let content = variant("content.md") { $0.replacingOccurrences(of: "story", with: "storm") }
        let changed = try finding(content, trust: trust)
        #expect(changed?.outcome == .fail && changed?.message.contains("content changed") == true, "\(String(describing: changed))")
        // Another key swapped in (the same length), with or without trust.
        let (_, stranger) = try keyPair(.sm2, "stranger")
        let ours = key.der.hex.uppercased()
        let swapped = variant("key.md") { $0.replacingOccurrences(of: ours, with: stranger.der.hex.uppercased()) }
        #expect(try finding(swapped)?.outcome == .fail)
        // B's label signature moved into A.
        func labelSignature(_ path: String) throws -> String {
            let value = try #require(try Fixtures.report(path).label?[.reservedCode1])
            return try #require(SecurityData(parsing: value)?.entries.first { $0.signedType == "Md" }?.string("Signature"))
        }
        let (signatureA, signatureB) = (try labelSignature(a), try labelSignature(b))
        #expect(text.contains(signatureA))
        let moved = variant("moved.md") { $0.replacingOccurrences(of: signatureA, with: signatureB) }
        #expect(try finding(moved, trust: trust)?.outcome == .fail)
        // A WAV sample byte.
        let (wav, wavKey) = try signed("chirp.wav")
        var bytes = Fixtures.read(wav)
        bytes[200] ^= 0x01
        Fixtures.write(bytes, to: wav)
        #expect(try finding(wav, trust: TrustStore(keys: [wavKey]))?.message.contains("content changed") == true)
    }

    /// A platform's step signs `ReservedCode2` over the producer's fields and its own, and
    /// leaves the producer's signature valid.
    @Test func propagationKeepsTheProducerSignature() throws {
        let (path, producerKey) = try signed("gradient.png")
        let (platformSigning, platformKey) = try keyPair(.ed25519, "platform")
        let output = folder.file("propagated.png")
        try Labeller(signingKey: platformSigning).label(
            fileAt: path, request: .propagate(Propagation(propagator: "PLATFORM-CODE", propagateID: "P-1")), writingTo: output)
        let report = try Verifier(trust: TrustStore(keys: [producerKey, platformKey])).verify(fileAt: output)
        #expect(report.findings.first { $0.check == .producerSignature }?.outcome == .pass, "\(report.findings)")
        #expect(report.findings.first { $0.check == .platformSignature }?.outcome == .pass, "\(report.findings)")
    }

    // MARK: Trust

    @Test func aRegistryPinsKeysToProducers() throws {
        let (path, key) = try signed("gradient.png")
        try FileManager.default.copyItem(atPath: folder.file("producer-sm2.pub"), toPath: folder.file("ours.pub"))
        Fixtures.write(
            Array("# code, then keys\n\(Self.code)  ours.pub\nOTHERCODE \(key.der.hex)\n".utf8), to: folder.file("producers.txt"))
        let store = try TrustStore.load(folder.file("producers.txt"))
        #expect(store.keys.count == 1 && store.pins[Self.code] == [key.keyID] && store.pins["OTHERCODE"] == [key.keyID])
        #expect(try finding(path, trust: store)?.message.contains("pinned to \(Self.code)") == true)
        // The same key on a label naming another producer: valid, but not that producer's.
        let otherLabel = folder.file("other.png")
        let (signing, _) = try keyPair(.sm2, "producer-sm2")
        try Labeller(signingKey: signing).label(
            fileAt: Fixtures.sample("gradient.png"), with: Fixtures.label(id: "X", producer: "THIRDCODE"), writingTo: otherLabel)
        let unpinned = try finding(otherLabel, trust: store)
        #expect(
            unpinned?.outcome == .warn && unpinned?.message.contains("not pinned to THIRDCODE") == true, "\(String(describing: unpinned))")
        // The command line: the registry as --trust, with --require-signature.
        let pinned = try Fixtures.synthlabel("verify", path, "--trust", folder.file("producers.txt"), "--require-signature")
        #expect(pinned.status == 0, "\(pinned.stdout)")
        let strict = try Fixtures.synthlabel("verify", otherLabel, "--trust", folder.file("producers.txt"), "--require-signature")
        #expect(strict.status == 1 && strict.stdout.contains("not pinned"), "\(strict.stdout)")
        let scan = try Fixtures.synthlabel("scan", otherLabel, "--trust", folder.file("producers.txt"), "--require-signature", "--json")
        #expect(scan.stdout.contains("\"noncompliant\""), "\(scan.stdout)")
    }

    @Test func theExampleRegistryLoads() throws {
        let store = try TrustStore.load(Fixtures.packageRoot.appendingPathComponent("docs/producers.example.txt").path)
        #expect(store.keys.count == 1 && store.pins["001191310104MACE0YX63918020"]?.count == 1)
    }

    @Test func theCommandLineWritesEitherForm() throws {
        let keys = folder.file("cli")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        #expect(try Fixtures.synthlabel("keys", "generate", "--out", keys + "/studio").status == 0)
        for (format, prefix) in [("securitydata", #"{"SecurityData""#), ("sl1", "SL1.sm2.")] {
            let out = folder.file("cli-\(format)")
            let run = try Fixtures.synthlabel(
                "label", Fixtures.sample("gradient.png"), "--producer", Self.code, "--sign", keys + "/studio.key", "--signature-format",
                format, "--output", out, "--no-ledger")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try Fixtures.report(out + "/gradient.png").label?[.reservedCode1]?.hasPrefix(prefix) == true)
            #expect(try Fixtures.synthlabel("verify", out + "/gradient.png", "--trust", keys, "--require-signature").status == 0)
        }
        let bad = try Fixtures.synthlabel(
            "label", Fixtures.sample("gradient.png"), "--producer", Self.code, "--signature-format", "sl1", "--output", keys)
        #expect(bad.status == 2 && bad.stderr.contains("--sign"))
    }

    // MARK: StepFun's public examples

    /// Two Markdown exports StepFun (阶跃AI) published, their front matter rebuilt byte for byte
    /// from a public repository (Tests/Fixtures/stepfun). Both parse, their embedded key loads,
    /// and neither label signature verifies over the A.1 message: recorded in docs/signing.md.
    @Test(arguments: ["stepfun-142569260085903360.md", "stepfun-147392816552226816.md"])
    func stepFunsPublicExamplesParseButDoNotVerify(_ name: String) throws {
        let path = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/stepfun/" + name).path
        let report = try Fixtures.report(path)
        let value = try #require(report.label?[.reservedCode1])
        let data = try #require(SecurityData(parsing: value))
        let keyValue = try #require(data.entries.first { $0.type == "PubKey" }?.hex("KeyValue"))
        let key = try #require(PublicKey(keyValue: keyValue))
        #expect(key.algorithm == .sm2)
        for check in [Check.producerSignature, .platformSignature] {
            let result = try #require(report.findings.first { $0.check == check })
            #expect(result.outcome == .fail && result.message.contains("LabelMataData signature does not verify"), "\(result)")
        }
    }
}
