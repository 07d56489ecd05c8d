import Foundation
import Testing

@testable import SynthLabel

/// The async entry points a server awaits: the file work runs on SynthLabel's own threads, many
/// calls at once give the same files as the blocking API, and errors arrive typed.
@Suite("async API")
struct AsyncAPITests {
    let folder = TemporaryDirectory()

    @Test func manyLabelsAtOnceGiveWhatTheBlockingCallGives() async throws {
        let samples = ["gradient.png", "clouds.jpg", "chirp.wav", "chirp.flac", "chirp.mp3", "story.md"]
        let labeller = Labeller()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, name) in (samples + samples).enumerated() {
                let label = AIGCLabel(contentProducer: "001191110102MACQD9K64018705", produceID: "ASYNC-\(index % samples.count)")
                let output = folder.file("\(index)-\(name)")
                group.addTask {
                    let outcome = try await labeller.label(fileAt: Fixtures.sample(name), with: label, writingTo: output)
                    #expect(outcome.destination == output)
                }
            }
            try await group.waitForAll()
        }
        for (index, name) in samples.enumerated() {
            let blocking = folder.file("blocking-\(name)")
            let label = AIGCLabel(contentProducer: "001191110102MACQD9K64018705", produceID: "ASYNC-\(index)")
            try Self.blockingLabel(labeller, Fixtures.sample(name), with: label, writingTo: blocking)
            #expect(Fixtures.read(folder.file("\(index)-\(name)")) == Fixtures.read(blocking), "\(name)")
            #expect(Fixtures.read(folder.file("\(index + samples.count)-\(name)")) == Fixtures.read(blocking), "\(name)")
            let report = try await Verifier().verify(fileAt: folder.file("\(index)-\(name)"))
            #expect(report.verdict == .compliant, "\(name)")
        }
    }

    /// The blocking call (in an async function, the async overload is the one chosen).
    static func blockingLabel(_ labeller: Labeller, _ path: String, with label: AIGCLabel, writingTo output: String) throws {
        try labeller.label(fileAt: path, with: label, writingTo: output)
    }

    @Test func anErrorArrivesTyped() async {
        do {
            _ = try await Verifier().verify(fileAt: folder.file("missing.png"))
            Issue.record("a missing file verified")
        } catch {
            guard case .cannotRead = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
    }
}
