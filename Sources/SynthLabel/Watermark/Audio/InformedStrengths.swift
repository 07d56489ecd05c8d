/// Informed embedding, block by block. The embedder knows the programme, so before it marks a block
/// it can read the block as the detector will: each coded bit's soft value from the music alone,
/// which is noise to the detector and as large as the mark itself. A bit the music already leans
/// towards needs less strength; one it leans against needs more. Each bit's cells are scaled by 1 −
/// λ·(music's lean ÷ the mark's nominal pull), within 0…2, and the block is then scaled back to the
/// energy it had, so the SNR does not change. Each block is settled alone, so any excerpt of whole
/// blocks gains, not only the whole file. Both the lean and the pull are read through the
/// detector's own residual, so the pull counts what a checkerboard group's cells add to each
/// other's reading.
enum InformedStrengths {
    static let cancellation: Float = 0.7
    static let largest: Float = 2
    /// No cell is changed by more than this, however much its bit needs.
    static let ceiling: Float = 0.3

    /// Per cell of a block (band-major, as `signs`), the factor on its strength.
    /// - levels: each band's mean log power in the block's slots, with the slot before the block
    ///   first and the one after it last (nil where the programme has none).
    /// - strengths: each cell's nominal strength (band-major).
    /// - signs: the ±1 each cell carries; bits: the coded bit of each cell, or -1 for sync.
    static func factors(levels: [[Float]?], strengths: [Float], signs: [Float], bits: [Int]) -> [Float] {
        let bands = AudioBlock.bandCount
        let slots = AudioBlock.slots
        precondition(levels.count == slots + 2)
        let residual = detectorResidual(levels)
        // The nominal mark as the detector reads it: a gain of 1 ± α moves a cell's log power by
        // about ±2α. The blocks either side are taken as unmarked.
        let mark: [[Float]?] = levels.indices.map { index in
            guard levels[index] != nil else { return nil }
            guard (1...slots).contains(index) else { return [Float](repeating: 0, count: bands) }
            return (0..<bands).map { band in 2 * strengths[band * slots + index - 1] * signs[band * slots + index - 1] }
        }
        let markResidual = detectorResidual(mark)
        // Each bit's lean from the music, and the pull of its nominal mark, weighted as the
        // detector weights them (inverse noise squared, expected strength).
        var lean = [Float](repeating: 0, count: WatermarkCode.codedBits)
        var pull = [Float](repeating: 0, count: WatermarkCode.codedBits)
        for band in 0..<bands {
            let magnitudes = (0..<slots).compactMap { residual[band * slots + $0].map(abs) }.sorted()
            guard !magnitudes.isEmpty else { continue }
            let noise = max(0.05, magnitudes[magnitudes.count / 2] * 1.4826)
            for slot in 0..<slots {
                let cell = band * slots + slot
                guard bits[cell] >= 0, let value = residual[cell], let marked = markResidual[cell] else { continue }
                let weight = strengths[cell] / AudioMarkEmbedder.strongest / (noise * noise)
                lean[bits[cell]] += weight * signs[cell] * max(-2.5 * noise, min(2.5 * noise, value))
                pull[bits[cell]] += weight * signs[cell] * marked
            }
        }
        let scale = (0..<WatermarkCode.codedBits).map { bit in
            pull[bit] > 0 ? max(0, min(largest, 1 - cancellation * lean[bit] / pull[bit])) : 1
        }
        return bits.map { $0 >= 0 ? scale[$0] : 1 }
    }

    /// The detector's residual of each cell (band-major; nil without both neighbouring slots):
    /// its level less a reference, half the mean of the slots either side and half the band's
    /// mean over the block, then less the same for the bands two away.
    private static func detectorResidual(_ levels: [[Float]?]) -> [Float?] {
        let bands = AudioBlock.bandCount
        let slots = AudioBlock.slots
        let inBlock = levels[1...slots].compactMap { $0 }
        let bandMeans = (0..<bands).map { band in inBlock.reduce(Float(0)) { $0 + $1[band] } / Float(max(1, inBlock.count)) }
        var change = [Float?](repeating: nil, count: slots * bands)
        for slot in 0..<slots {
            guard let before = levels[slot], let here = levels[slot + 1], let after = levels[slot + 2] else { continue }
            for band in 0..<bands {
                change[band * slots + slot] = AudioMarkDetector.change(
                    here[band], before: before[band], after: after[band], bandMean: bandMeans[band])
            }
        }
        var residual = [Float?](repeating: nil, count: slots * bands)
        for band in 0..<bands {
            for slot in 0..<slots {
                guard let own = change[band * slots + slot] else { continue }
                let below = band >= 2 ? change[(band - 2) * slots + slot] : nil
                let above = band + 2 < bands ? change[(band + 2) * slots + slot] : nil
                residual[band * slots + slot] = own - AudioMarkDetector.bandsTwoAway(below: below, above: above)
            }
        }
        return residual
    }
}
