import Foundation
import Testing

@testable import SynthLabel

@Suite("Propagation (Measures Art. 6)")
struct PropagationTests {
    let folder = TemporaryDirectory()
    static let platform = "001191110105MA01ABCD2620001"

    @discardableResult
    func propagate(_ path: String, _ propagation: Propagation) throws -> LabelOutcome {
        try Labeller().label(fileAt: path, request: .propagate(propagation), writingTo: path)
    }

    @Test(arguments: ["gradient.png", "gradient.jpg", "chirp.wav", "chirp.mp3", "chirp.flac", "story.md"])
    func keepsEveryProducerFieldAndAddsThePlatform(_ name: String) throws {
        let path = folder.copy(Fixtures.sample(name))
        var label = Fixtures.label(id: "gen-7")
        label[.reservedCode1] = "sig:ABC=="
        try Fixtures.labelFile(path, to: path, with: label)
        try propagate(path, Propagation(propagator: Self.platform, propagateID: "up-1"))
        let report = try Fixtures.report(path)
        #expect(report.sites.count == 1)
        #expect(report.verdict == .compliant)
        for field in AIGCLabel.Field.producerFields { #expect(report.label?[field] == label[field]) }
        #expect(report.label?[.contentPropagator] == Self.platform)
        #expect(report.label?[.propagateID] == "up-1")
    }

    @Test func unlabelledFilesNeedADeclarationOrSuspicion() throws {
        let path = folder.copy(Fixtures.sample("chirp.flac"))
        #expect {
            try propagate(path, Propagation(propagator: Self.platform, propagateID: "u"))
        } throws: { $0 as? SynthLabelError == .unlabelledNeedsDeclaration(path: path) }
        try propagate(path, Propagation(propagator: Self.platform, propagateID: "u", labelForUnlabelled: .possiblyGenerated))
        #expect(try Fixtures.report(path).label?.label == .possiblyGenerated)
        let other = folder.copy(Fixtures.sample("chirp.mp3"))
        try propagate(other, Propagation(propagator: Self.platform, propagateID: "s", labelForUnlabelled: .suspectedGenerated))
        let report = try Fixtures.report(other)
        #expect(report.label?.label == .suspectedGenerated)
        #expect(report.label?.contentProducer == "UNKNOWN")
        #expect(report.label?.produceID == "s")
    }

    @Test func anotherPlatformsFieldsAreNeverReplaced() throws {
        let path = folder.copy(Fixtures.sample("gradient.png"))
        try Fixtures.labelFile(path, to: path)
        try propagate(path, Propagation(propagator: "FIRSTPLATFORM", propagateID: "a"))
        let before = Fixtures.read(path)
        #expect {
            try propagate(path, Propagation(propagator: Self.platform, propagateID: "b"))
        } throws: { $0 as? SynthLabelError == .anotherPlatformsFields(path: path, propagator: "FIRSTPLATFORM") }
        #expect(Fixtures.read(path) == before)
        try propagate(path, Propagation(propagator: "FIRSTPLATFORM", propagateID: "a2"))  // the same platform may update
        #expect(try Fixtures.report(path).label?[.propagateID] == "a2")
    }

    @Test func anInvalidProducerLabelIsRefusedNotRepaired() throws {
        let bytes = Containers.png(
            Fixtures.read(Fixtures.sample("gradient.png")),
            inserting: Containers.textChunk("AIGC", #"{"AIGC":{"Label":"AIGC","ContentProducer":"V","ProduceID":"1"}}"#), before: "IDAT")
        let path = folder.file("vendor.png")
        Fixtures.write(bytes, to: path)
        #expect {
            try propagate(path, Propagation(propagator: Self.platform, propagateID: "x"))
        } throws: { error in
            guard case .invalidProducerLabel(path, let problems) = error as? SynthLabelError else { return false }
            return problems == [.badLabelValue("AIGC")]
        }
        #expect(Fixtures.read(path) == bytes)
    }

    @Test func theCommandLineShowsProducerAndPropagatorApart() throws {
        let path = folder.copy(Fixtures.sample("gradient.jpg"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "g1"))
        let run = try Fixtures.synthlabel("propagate", path, "--propagator", Self.platform, "--propagate-id", "p9", "--in-place")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "propagated: \(path) (JPEG, Label 1, ContentProducer \(Fixtures.producer), PropagateID p9)\n")
        let verify = try Fixtures.synthlabel("verify", path)
        #expect(verify.stdout.contains("  producer   Label=1 ContentProducer=\(Fixtures.producer) ProduceID=g1\n"))
        #expect(verify.stdout.contains("  propagator ContentPropagator=\(Self.platform) PropagateID=p9\n"))
        let refused = try Fixtures.synthlabel(
            "propagate", folder.copy(Fixtures.sample("chirp.wav")), "--propagator", Self.platform, "--in-place")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--declared"))
    }
}
