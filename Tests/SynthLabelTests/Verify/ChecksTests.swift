import Foundation
import Testing

@testable import SynthLabel

/// A corpus that makes every check pass on one file and not pass on another.
@Suite("Checks")
struct ChecksTests {
    let folder = TemporaryDirectory()
    static let producer = Fixtures.producer

    /// The gradient PNG with extra chunks before IDAT (and optionally a damage step).
    func png(_ name: String, chunks: [[UInt8]], damage: (inout [UInt8]) -> Void = { _ in }) -> String {
        var bytes = Fixtures.read(Fixtures.sample("gradient.png"))
        for chunk in chunks { bytes = Containers.png(bytes, inserting: chunk, before: "IDAT") }
        damage(&bytes)
        let path = folder.file(name)
        Fixtures.write(bytes, to: path)
        return path
    }

    func text(_ json: String) -> [UInt8] { Containers.textChunk("AIGC", json) }

    static func json(label: String = "\"1\"", producer: String = producer, extra: String = "") -> String {
        #"{"AIGC":{"Label":\#(label),"ContentProducer":"\#(producer)","ProduceID":"X1"\#(extra)}}"#
    }

    func xmp(_ packet: String) -> [UInt8] {
        PNGAdapter.makeChunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array(packet.utf8))
    }

    /// (file, check, expected outcome) for every check's failing or warning side.
    func failingCorpus() -> [(String, Check, Outcome)] {
        let xmpWithoutSourceType = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/">
            <TC260:AIGC>{"Label":"1","ContentProducer":"\(Self.producer)","ProduceID":"X1"}</TC260:AIGC>
            </rdf:Description></rdf:RDF></x:xmpmeta>
            """
        let emptyXMP = xmpWithoutSourceType.replacingOccurrences(
            of: #"<TC260:AIGC>{"Label":"1","ContentProducer":"\#(Self.producer)","ProduceID":"X1"}</TC260:AIGC>"#, with: "<TC260:AIGC/>")
        return [
            (png("truncated.png", chunks: []) { $0.removeLast(30) }, .containerIntact, .error),
            (png("crc.png", chunks: []) { $0[20] ^= 1 }, .checksums, .error),
            (png("garbage.png", chunks: [text("not json at all")]), .labelParse, .fail),
            (png("empty.png", chunks: [text(#"{"AIGC":{}}"#)]), .emptyShell, .fail),
            (png("empty-xmp.png", chunks: [xmp(emptyXMP)]), .emptyShell, .fail),
            (png("missing.png", chunks: [text(#"{"AIGC":{"Label":"1","ContentProducer":"P"}}"#)]), .requiredFields, .fail),
            (png("vendor-value.png", chunks: [text(Self.json(label: "\"AIGC\""))]), .labelValue, .fail),
            (png("numeric.png", chunks: [text(Self.json(label: "1"))]), .valueType, .warn),
            (png("space.png", chunks: [text(Self.json(producer: "Some Vendor"))]), .characterSet, .fail),
            (
                png("long.png", chunks: [text(Self.json(extra: #","ReservedCode1":""# + String(repeating: "a", count: 3000) + "\""))]),
                .fieldLength, .warn
            ),
            (png("misspelt.png", chunks: [text(Self.json(extra: #","ReserveCode1":"h""#))]), .unknownField, .fail),
            (png("repeated.png", chunks: [text(Self.json(extra: #","ProduceID":"X2""#))]), .repeatedField, .fail),
            (png("duplicate.png", chunks: [text(Self.json()), text(Self.json())]), .duplicateSites, .fail),
            (png("disagree.png", chunks: [text(Self.json()), text(Self.json(label: "\"3\""))]), .disagreeingSites, .fail),
            (png("noncanonical.png", chunks: [text(Self.json())]), .canonicalSite, .warn),
            (png("name.png", chunks: [text(Self.json(producer: "SomeVendor"))]), .providerCode, .warn),
            (png("propagator.png", chunks: [text(Self.json(extra: #","ContentPropagator":"Platform""#))]), .propagatorCode, .warn),
            (png("no-dst.png", chunks: [xmp(xmpWithoutSourceType)]), .digitalSourceType, .warn),
            (png("c2pa.png", chunks: [PNGAdapter.makeChunk("caBX", Array("jumbc2pa".utf8))]), .c2paManifest, .warn),
            (pdfWithUnlocatedInfo(), .unreadParts, .warn),
            (captionRecordedButNotDrawn(), .caption, .fail),
            (labelledOnly("chirp.wav"), .audioPrompt, .warn),
            (labelledOnly("story.md"), .textNotice, .warn),
            (signed(platform: false), .producerSignature, .warn),  // no --trust: unknown key
            (signed(platform: true), .platformSignature, .warn),
            (watermarkedForAnotherLabel(), .imageWatermark, .fail),
            (audioWatermarkedForAnotherLabel(), .audioWatermark, .fail),
            (watermarkCopiedFromAnotherPicture(), .copiedWatermark, .fail),
        ]
    }

    static let watermarkKey = WatermarkKey(secret: [UInt8](repeating: 7, count: 32))

    /// A PNG whose watermark was made for one label and whose metadata now holds another.
    func watermarkedForAnotherLabel() -> String {
        let picture = folder.file("mark-source.png")
        let marked = folder.file("marked.png")
        let relabelled = folder.file("mark-relabelled.png")
        _ = try? Media.shell("ppmpat -anticamo -randomseed 4 320 288 | pnmtopng > '\(picture)'")
        _ = try? Labeller(watermarkKey: Self.watermarkKey).label(fileAt: picture, with: Fixtures.label(id: "A"), writingTo: marked)
        _ = try? Fixtures.labelFile(marked, to: relabelled, with: Fixtures.label(id: "B"))
        return relabelled
    }

    /// A picture carrying the exact change another picture's marking made (the strongest copy
    /// there is): the mark decodes at full strength, but its content-bound layer is the other
    /// picture's.
    func watermarkCopiedFromAnotherPicture() -> String {
        let source = folder.file("copy-source.png")
        let marked = folder.file("copy-marked.png")
        let victim = folder.file("copy-victim.png")
        let copied = folder.file("copied.png")
        _ = try? Media.shell("ppmpat -anticamo -randomseed 4 512 384 | pnmtopng > '\(source)'")
        _ = try? Media.texturedPicture(victim, pattern: "-camo", seed: 9, noiseSeed: 9, width: 512, height: 384, noiseDivisor: 5)
        _ = try? Labeller(watermarkKey: Self.watermarkKey).label(fileAt: source, with: Fixtures.label(id: "A"), writingTo: marked)
        guard let before = try? Media.picture(source), let after = try? Media.picture(marked), let target = try? Media.picture(victim)
        else { return copied }
        let samples = target.samples.indices.map {
            UInt8(max(0, min(255, Int(target.samples[$0]) + Int(after.samples[$0]) - Int(before.samples[$0]))))
        }
        Fixtures.write(Array("P6\n\(target.width) \(target.height)\n255\n".utf8) + samples, to: copied + ".ppm")
        _ = try? Media.shell("pnmtopng '\(copied).ppm' > '\(copied)'")
        return copied
    }

    /// The same for a WAV: a 40 s programme marked for one label, its metadata now holding another.
    func audioWatermarkedForAnotherLabel() -> String {
        let programme = folder.file("mark-source.wav")
        let marked = folder.file("marked.wav")
        let relabelled = folder.file("mark-relabelled.wav")
        AudioWatermarkTests.writeProgramme(to: programme, seconds: 40, sampleRate: 16000, seed: 8)
        _ = try? Labeller(watermarkKey: Self.watermarkKey).label(fileAt: programme, with: Fixtures.label(id: "A"), writingTo: marked)
        _ = try? Fixtures.labelFile(marked, to: relabelled, with: Fixtures.label(id: "B"))
        return relabelled
    }

    /// A PNG signed by a producer (and, with `platform`, by a platform too).
    func signed(platform: Bool) -> String {
        let keyName = folder.file("checks-key")
        if !FileManager.default.fileExists(atPath: keyName + ".key") { _ = try? KeyFile.generate(.ed25519, writingTo: keyName) }
        let key = try? SigningKey(contentsOf: keyName + ".key")
        let producerCopy = folder.file("signed-producer.png")
        _ = try? Labeller(signingKey: key).label(
            fileAt: Fixtures.sample("gradient.png"), with: Fixtures.label(id: "S"), writingTo: producerCopy)
        guard platform else { return producerCopy }
        let platformCopy = folder.file("signed-platform.png")
        _ = try? Labeller(signingKey: key).label(
            fileAt: producerCopy, request: .propagate(Propagation(propagator: Self.producer, propagateID: "P")), writingTo: platformCopy)
        return platformCopy
    }

    /// A metadata-only label: no caption, prompt or notice.
    func labelledOnly(_ name: String) -> String {
        let path = folder.file("labelled-only-" + name)
        _ = try? Fixtures.labelFile(Fixtures.sample(name), to: path)
        return path
    }

    /// A PNG whose XMP records a caption that its pixels do not show (painted over, say).
    func captionRecordedButNotDrawn() -> String {
        let path = folder.file("caption-gone.png")
        let record = CaptionRecord(text: "AI生成", box: .init(x: 10, y: 10, width: 60, height: 24), pixelSize: 14, textHeight: 13)
        let source = FileSource(bytes: Fixtures.read(Fixtures.sample("gradient.png")))
        let request = WriteRequest(label: Fixtures.label(id: "gone"), sourceType: .trainedAlgorithmicMedia, caption: record)
        let plan = try? PNGAdapter().plan(request, for: source)
        Fixtures.write(plan.flatMap { source.assembled($0) } ?? [], to: path)
        return path
    }

    /// A PDF whose cross-reference stream puts the Info dictionary in object stream 9, which
    /// the cross-reference data does not locate: the reader must say it did not see it.
    func pdfWithUnlocatedInfo() -> String {
        var text = "%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        let xrefAt = text.utf8.count
        // Rows of /W [1 2 1]: object 0 free, object 1 at offset 9, object 2 in stream 9.
        let rows: [UInt8] = [0, 0, 0, 0, 1, 0, 9, 0, 2, 0, 9, 0]
        text += "3 0 obj\n<< /Type /XRef /Size 3 /W [1 2 1] /Root 1 0 R /Info 2 0 R /Length \(rows.count) >>\nstream\n"
        var bytes = Array(text.utf8) + rows
        bytes += Array("\nendstream\nendobj\nstartxref\n\(xrefAt)\n%%EOF\n".utf8)
        let path = folder.file("unlocated.pdf")
        Fixtures.write(bytes, to: path)
        return path
    }

    @Test func everyCheckHasAFailingOrWarningFile() throws {
        let corpus = failingCorpus()
        let covered = Set(corpus.map(\.1))
        let alwaysPassing: Set<Check> = [.carrierDetected, .labelPresent]  // pass or skip only
        #expect(covered.union(alwaysPassing) == Set(Check.allCases))
        for (path, check, outcome) in corpus {
            let report =
                [.imageWatermark, .audioWatermark, .copiedWatermark].contains(check)
                ? try Verifier(watermarkKey: Self.watermarkKey).verify(fileAt: path) : try Fixtures.report(path)
            #expect(
                report.findings.contains { $0.check == check && $0.outcome == outcome },
                "\((path as NSString).lastPathComponent): \(report.findings.filter { $0.check == check })")
        }
    }

    @Test func verdictsFollowTheRule() throws {
        let corpus = Dictionary(uniqueKeysWithValues: failingCorpus().map { (($0.0 as NSString).lastPathComponent, $0.0) })
        #expect(try Fixtures.report(corpus["truncated.png"]!).verdict == .inconclusive)
        #expect(try Fixtures.report(corpus["vendor-value.png"]!).verdict == .noncompliant)
        #expect(try Fixtures.report(corpus["numeric.png"]!).verdict == .compliant)  // warnings do not count
        #expect(try Fixtures.report(Fixtures.sample("gradient.png")).verdict == .unlabelled)
    }

    @Test(arguments: ["gradient.png", "gradient.jpg", "chirp.wav", "chirp.mp3", "chirp.flac", "story.md"])
    func aLabelledFilePassesEveryCheckAndListsThemAll(_ name: String) throws {
        let output = folder.file(name)
        try Fixtures.labelFile(Fixtures.sample(name), to: output)
        let report = try Fixtures.report(output)
        #expect(Set(report.findings.map(\.check)) == Set(Check.allCases))
        // A metadata-only label adds no caption, prompt or notice; those checks warn about it.
        let explicitChecks: Set<Check> = [.caption, .audioPrompt, .textNotice]
        let objections = report.findings.filter { $0.outcome != .pass && $0.outcome != .skip && !explicitChecks.contains($0.check) }
        #expect(objections.isEmpty, "\(objections)")
        #expect(report.findings.first { $0.check == .labelPresent }?.outcome == .pass)
    }

    @Test func anUnlabelledFileSkipsTheLabelChecks() throws {
        let report = try Fixtures.report(Fixtures.sample("chirp.flac"))
        #expect(report.verdict == .unlabelled)
        for check in [Check.labelPresent, .requiredFields, .labelValue, .providerCode, .digitalSourceType] {
            #expect(report.findings.first { $0.check == check }?.outcome == .skip)
        }
        #expect(report.findings.first { $0.check == .checksums }?.outcome == .pass)  // FLAC's last frame CRC
    }
}
