import Foundation

@testable import SynthLabel

/// Cuts and random damage of a labelled file, each verified and dry-run labelled: the test is that
/// this returns at all (no crash, hang or runaway allocation), and the lengths it reports.
enum DamageProbe {
    /// Probes every cut from `cutsFrom` on, every `step` bytes, then 200 copies with 1–6 random
    /// bytes changed within `damaging`. Returns the cut lengths judged compliant.
    static func run(
        _ bytes: [UInt8], named name: String, in folder: TemporaryDirectory, cutsFrom: Int = 0, step: Int, damaging: [Int], seed: UInt64
    ) -> [Int] {
        let path = folder.file("probe-" + name)
        func probe(_ candidate: [UInt8]) -> Verdict? {
            Fixtures.write(candidate, to: path)
            let verdict = try? Fixtures.report(path).verdict
            _ = try? Labeller().label(fileAt: path, with: Fixtures.label(), writingTo: folder.file("probe-out-" + name), dryRun: true)
            return verdict
        }
        var compliant: [Int] = []
        for length in stride(from: max(0, cutsFrom), to: bytes.count, by: max(1, step))
        where probe(Array(bytes.prefix(length))) == .compliant {
            compliant.append(length)
        }
        var generator = SplitMix(seed: seed)
        for _ in 0..<200 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                damaged[damaging[Int.random(in: 0..<damaging.count, using: &generator)]] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = probe(damaged)
        }
        return compliant
    }
}
