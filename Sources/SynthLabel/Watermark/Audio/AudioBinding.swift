/// The audio mark's second layer, which ties it to the programme it was made for, so that a mark
/// copied onto other audio does not attribute that audio to the mark's record.
///
/// The block (`AudioBlock`) repeats every 4.8 s, so its pattern can be estimated from a marked
/// programme by averaging each cell's level against its neighbours over the blocks, and imposed
/// on another. This layer does not repeat: every cell also changes by `relativeStrength` × its
/// strength × b, where b (±1, or 0 where the music holds still) is the sign of a keyed feature of
/// the music around the cell's group (the block's 2 × 2 groups, with their checkerboard signs, so
/// the detector reads this layer as strongly as the block's): the level of the group's three
/// bands a keyed two or three slots after the group, less as many slots before it, times a keyed
/// sign per group. Averaging over blocks or programmes cancels it, and other music gives the
/// same feature unrelated signs. The detector, once the payload has decoded, places the block
/// on the programme, computes the feature from the audio it has (levels a few tenths of a second
/// apart, which codecs, resampling and noise keep) and correlates it with every cell's residual:
/// a mark made for this programme correlates, a copied one does not.
struct AudioBinding: Sendable {
    /// The layer's chip against the block's (each cell changes by strength × (block chip + this
    /// × b)). Each block keeps its energy, so the block's own chips lose 1 − 1/√(1 + 0.35²), 6 %.
    static let relativeStrength: Float = 0.35
    /// How many slots from a cell its group's feature reads, at most: three past the group's
    /// other slot.
    static let reach = 4
    /// Below this change of level (natural log of power: 0.1 is 0.43 dB) the music holds too
    /// still to bind to: no chip.
    static let stillBelow: Float = 0.1
    /// The detector weighs a cell by its feature over this, within ±1: a feature near the
    /// threshold may have flipped on the way.
    static let softness: Float = 0.3
    static let groups = AudioBlock.bandCount * AudioBlock.slots / AudioBlock.groupCells

    /// Per group: the keyed sign and how many slots from the group the feature looks.
    let signs: [Float]
    let distances: [Int]

    init(key: WatermarkKey) {
        let random = key.stream("audio binding", count: Self.groups)
        signs = random.map { $0 & 1 == 1 ? 1 : -1 }
        distances = random.map { 2 + Int($0 >> 1 & 1) }
    }

    /// The feature of the block cell `cell` (band-major), given the mean log power of each band
    /// in the slot `step` slots from the cell's (nil where there is none): its group's, times
    /// the cell's checkerboard sign.
    func feature(cell: Int, level: (_ step: Int) -> [Float]?) -> Float? {
        let (group, checker) = AudioBlock.group(ofCell: cell)
        let slotInGroup = cell % 2
        let band = cell / AudioBlock.slots
        let lowest = band % 4 >= 2 ? band - 2 : band
        let distance = distances[group]
        guard let later = level(1 + distance - slotInGroup), let earlier = level(-distance - slotInGroup) else { return nil }
        let difference = (lowest...(lowest + 2)).reduce(Float(0)) { $0 + later[$1] - earlier[$1] } / 3
        return signs[group] * checker * difference
    }

    /// The embedder's chip for a feature: ±1, or 0 where the music holds still or there is none.
    static func chip(_ feature: Float?) -> Float {
        guard let feature, abs(feature) >= stillBelow else { return 0 }
        return feature > 0 ? 1 : -1
    }

    /// The detector's weight for a feature, within ±1.
    static func weight(_ feature: Float) -> Float { max(-1, min(1, feature / softness)) }

    /// The correlation of the layer with a programme, gathered window by window by the detector
    /// and summed by group. Each group's sum carries that group's keyed sign, which nothing but
    /// a mark made under the key follows; whatever the music, the total is then at most a sum of
    /// independent random signs times the groups' sums, so the chance that a mark not made for
    /// this programme reaches z is below exp(−z²/2) (Hoeffding), with no model of the music. The
    /// block's own chips pull on every cell too; their pull is measured per band and taken out,
    /// so it adds no noise.
    struct Tally: Sendable {
        /// Per group: the cells' values times their weights, and their block chips times their
        /// weights (each band's part apart, as the pull is taken out band by band).
        private var correlation = [Double](repeating: 0, count: AudioBinding.groups)
        private var chipCorrelation = [Double](repeating: 0, count: AudioBlock.bandCount * AudioBinding.groups)
        /// Per band: the values times the block chips, how many cells, and their weights' magnitudes.
        private var pull = [Double](repeating: 0, count: AudioBlock.bandCount)
        private var cells = [Double](repeating: 0, count: AudioBlock.bandCount)
        private var reach = [Double](repeating: 0, count: AudioBlock.bandCount)

        /// Adds one cell: its place in the block, its value as the detector reads it (its
        /// weighted residual), the block's chip there, and the weight of its feature.
        mutating func add(cell: Int, value: Float, chip: Float, weight: Float) {
            let band = cell / AudioBlock.slots
            let group = AudioBlock.group(ofCell: cell).group
            correlation[group] += Double(value * weight)
            chipCorrelation[band * AudioBinding.groups + group] += Double(chip * weight)
            pull[band] += Double(value * chip)
            cells[band] += 1
            reach[band] += Double(abs(weight))
        }

        /// The correlation as a z-score, and about the score a mark made for this programme
        /// would give: the layer's share of each band's measured pull over the weighted cells.
        var reading: (score: Double, expected: Double) {
            var byGroup = correlation
            var expected: Double = 0
            for band in 0..<AudioBlock.bandCount where cells[band] > 0 {
                let bandPull = pull[band] / cells[band]
                for group in 0..<AudioBinding.groups { byGroup[group] -= bandPull * chipCorrelation[band * AudioBinding.groups + group] }
                expected += Double(AudioBinding.relativeStrength) * max(0, bandPull) * reach[band]
            }
            let deviation = byGroup.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard deviation > 0 else { return (0, 0) }
            return (byGroup.reduce(0, +) / deviation, expected / deviation)
        }
    }
}
