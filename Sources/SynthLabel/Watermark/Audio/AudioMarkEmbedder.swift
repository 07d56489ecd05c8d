import Glibc

/// Adds the audio mark to a programme as it streams past, in the short-time spectrum of each
/// channel: each frame's bins in a band are scaled by 1 ± α as the chip of that band in the frame's
/// time slot says, and the difference (the inverse transform, overlap-added with a square-root Hann
/// window on both sides, which sums to exactly one) is what is added. With several channels, the
/// change is shared between their mix and each channel's own part (`split`), so a mono downmix
/// keeps the whole mark. Memory does not depend on length. Frames are held until their whole block
/// and the few slots after it have been read, so that each coded bit's strength can follow the
/// music's own lean on it (`InformedStrengths`), and each cell's tie to the music around it
/// (`AudioBinding`) can be worked out.
///
/// Strength follows the signal, cell by cell in each block: every band of every frame gets at least
/// 1.5 %, and the change the block's frames can take (about 0.09 % of each one's energy) is pooled
/// and spent on the block's quietest cells first, up to 20 % each. A change costs energy in
/// proportion to the cell's level, and the detector hears it as well in a quiet cell as in a loud
/// one, so quiet bands (the highs of most music, the lows of a thin voice) and quiet moments (a
/// consonant, a decay) carry most of the mark; loud ones, where a change would cost most, little.
/// ±20 % is a level change of about 1.7 dB per tenth of a second, inside the band's own content,
/// whose level moves by about 2 dB from one tenth of a second to the next anyway. Within a frame
/// the loud bands mask the change in the quiet ones; a quiet frame has no such cover, so no cell
/// gets more than its frame's own rule would give it with eight times the frame's share
/// (`frameShareLimit`), and a quiet frame's loudest bands stay below its quiet ones.
///
/// What a frame can take is steered by the SNR of the whole programme so far: where quiet bands are
/// already at 20 %, the frames that follow may spend more (up to twice the nominal), and where the
/// overlap of frames made the change add up to more than planned, less. So every programme ends
/// near 30.5 dB, as a steady one would, rather than between 30 and 33 dB as music did with a fixed
/// budget per frame.
///
/// The SNR is the file's: the change against the channels' own energy, both as the channels' mean
/// square. Where the channels are much louder than their mix (wide stereo, whose sides cancel in
/// the mix), the part common to every channel is made stronger in the mix, up to 6 dB
/// (`commonAllowance`), so a mono downmix still hears the change 24.5 dB under it; each channel's
/// own part takes the rest of the budget.
///
/// This file holds the stream and the block; `+Analysis` transforms and measures frames as they
/// arrive, `+Strengths` holds the rules for each cell's strength, `+Synthesis` turns a settled
/// frame back into samples.
struct AudioMarkEmbedder {
    /// The programme's SNR the change is steered to, unless the caller asks for another.
    static let defaultSNR = 30.5
    /// The SNRs a caller may ask for, as far as they were measured: six programmes asked for 24
    /// and for 40 dB ended within 0.1 dB of it, and at 40 dB only three of them read back even
    /// unattacked.
    static let snrRange = 24.0...40.0
    /// The change's energy in the samples over its plan in the frames, as seen on a steady
    /// programme (1.1 dB): frames of one slot change alike, so their overlaps add up.
    static let priorTurnout = 1.3

    let sampleRate: Int
    let channels: Int
    /// A frame's budget before steering, as a share of its energy, and the change's energy over
    /// the programme's that the steering aims at: `nominalBudget` at the default SNR.
    let budget: Float
    let size: Int
    let hop: Int
    let fft: RealFFT
    let window: [Float]
    /// The band of each bin, or -1 outside the bands.
    let bandOfBin: [Int]
    /// ±1 per block cell, row-major (band × slot), and the coded bit of each cell (-1: sync).
    let signs: [Float]
    let bits: [Int]
    let binding: AudioBinding
    let logFloor: Float

    /// A frame analysed and waiting until its block is settled.
    struct PendingFrame {
        var start: Int
        /// Counted from the start of the programme.
        var slot: Int
        /// The mix's spectrum (bins 0…size/2), then for a wide frame of several channels each
        /// channel's difference from it in turn (`analyseFrame`).
        var real: [Float]
        var imaginary: [Float]
        /// Each band's energy and mean log power, over the channels' mean power; empty for a
        /// silent frame.
        var energies: [Float]
        var levels: [Float]
        /// For several channels, each band's factors on the strength for the mix and for each
        /// channel's difference from it (`split`), in turn.
        var split: [Float] = []
        /// Each band's strength once the block is settled.
        var strengths: [Float] = []
        /// The frame's energy and its share of the block's change.
        var plan: (signal: Double, change: Double)
    }
    var pending: [PendingFrame] = []
    /// The last `AudioBinding.reach` slots of the block before, as the next block's left
    /// neighbours (nil where the programme has none).
    var previousSlotLevels = [[Float]?](repeating: nil, count: AudioBinding.reach)

    /// Samples, the channels interleaved, from absolute frame index `inputStart`.
    var input: [Float] = []
    var inputStart = 0
    /// The change still being summed (interleaved as `input`), from absolute frame index
    /// `changeStart`; what is before `emitted` has been returned. (Both buffers drop their heads
    /// only once these are half of them, so the lag of a block costs no copying per call.)
    var change: [Float] = []
    var changeStart = 0
    var emitted = 0
    /// Where the next frame starts (the first starts half a frame before the programme).
    var frameStart: Int
    typealias Scratch = (frame: [Float], real: [Float], imaginary: [Float], power: [Float])
    var scratch: Scratch
    /// The programme and the change so far (final samples only, the channels' mean squares), as
    /// planned in the frames (all analysed, and those marked), and the steering of the budget.
    var signalEnergy: Double = 0
    var changeEnergy: Double = 0
    var planned: (signal: Double, change: Double) = (0, 0)
    var plannedMarked: (signal: Double, change: Double) = (0, 0)
    var steering: Float = 1

    /// - snr: the programme's SNR to end near, in dB (`snrRange`): lower is stronger.
    init(layout: ChipLayout, binding: AudioBinding, payload: UInt64, sampleRate: Int, channels: Int = 1, snr: Double = Self.defaultSNR) {
        precondition(channels >= 1, "at least one channel")
        precondition(Self.snrRange.contains(snr), "an SNR within \(Self.snrRange) dB")
        self.sampleRate = sampleRate
        self.channels = channels
        budget = Self.nominalBudget * Float(pow(10, (Self.defaultSNR - snr) / 10))
        let size = AudioBlock.frameSize(sampleRate: sampleRate)
        self.size = size
        hop = size / 2
        fft = RealFFT(size: size)
        window = (0..<size).map { Float(sin(Double.pi * (Double($0) + 0.5) / Double(size))) }
        bandOfBin = AudioBlock.bandOfBin(size: size, sampleRate: sampleRate)
        signs = layout.cellSigns(coded: WatermarkCode.encode(payload))
        var bits = [Int](repeating: -1, count: AudioBlock.slots * AudioBlock.bandCount)
        for cell in layout.data { bits[cell.y * AudioBlock.slots + cell.x] = cell.bit ?? -1 }
        self.bits = bits
        self.binding = binding
        logFloor = Float(size * size) / 16 * 1e-10
        frameStart = -size / 2
        let bins = [Float](repeating: 0, count: size / 2 + 1)
        scratch = ([Float](repeating: 0, count: size), bins, bins, bins)
    }

    /// Takes the next samples (the channels interleaved, at full scale ±1); returns the change
    /// for the next samples of output, interleaved alike (fewer than given at first: the output
    /// lags by up to a block and `AudioBinding.reach` slots, 5.2 s).
    mutating func append(_ samples: UnsafeBufferPointer<Float>) -> [Float] {
        precondition(samples.count % channels == 0, "whole frames of every channel")
        input.append(contentsOf: samples)
        return process(final: false)
    }

    /// The change for every sample not yet returned.
    mutating func finish() -> [Float] { process(final: true) }

    private mutating func process(final: Bool) -> [Float] {
        let channels = channels
        let available = inputStart + input.count / channels
        while final ? frameStart < available : frameStart + size <= available {
            analyseFrame(available: available)
            frameStart += hop
            // A block is settled once the slots the binding looks at after it are whole: a frame
            // of the one after those has begun.
            while let first = pending.first, let last = pending.last,
                last.slot >= (first.slot / AudioBlock.slots + 1) * AudioBlock.slots + AudioBinding.reach
            {
                markBlock(available: available)
            }
        }
        if final { while !pending.isEmpty { markBlock(available: available) } }
        let ready = final ? available : max(emitted, pending.first?.start ?? frameStart)
        let count = (ready - emitted) * channels
        let from = min((emitted - changeStart) * channels, change.count)
        var out = Array(change[from..<min(from + count, change.count)])
        if out.count < count { out += [Float](repeating: 0, count: count - out.count) }
        emitted = ready
        let done = min((emitted - changeStart) * channels, change.count)
        if done > change.count / 2 {
            change.removeFirst(done)
            changeStart += done / channels
        }
        // Input before the next frame, and before the pending frames (steering reads it), is no
        // longer needed.
        let keepFrom = max(inputStart, min(pending.first?.start ?? frameStart, frameStart, available))
        if (keepFrom - inputStart) * channels > input.count / 2 {
            input.removeFirst((keepFrom - inputStart) * channels)
            inputStart = keepFrom
        }
        return out
    }

    /// Settles the first pending block (its cells' strengths, and their factors from the music
    /// as the detector will read it), then marks, adds up and counts its frames.
    private mutating func markBlock(available: Int) {
        let slots = AudioBlock.slots
        let bands = AudioBlock.bandCount
        let block = pending[0].slot / slots
        let count = pending.prefix { $0.slot / slots == block }.count
        let marked = (0..<count).filter { !pending[$0].levels.isEmpty }
        let strengths = Self.allocate(
            block: marked.flatMap { pending[$0].energies }, shares: marked.map { Float(pending[$0].plan.change) })
        for (position, index) in marked.enumerated() {
            pending[index].strengths = Array(strengths[(position * bands)..<((position + 1) * bands)])
        }
        // Mean log power per slot, from `reach` slots before the block to `reach` after it, and
        // strength per slot of the block.
        let reach = AudioBinding.reach
        var sums = [[Float]](repeating: [Float](repeating: 0, count: bands), count: slots + 2 * reach)
        var frameCounts = [Int](repeating: 0, count: slots + 2 * reach)
        var strengthSums = [Float](repeating: 0, count: slots * bands)
        for frame in pending where !frame.levels.isEmpty {
            let index = frame.slot - block * slots + reach
            guard index < slots + 2 * reach else { break }
            frameCounts[index] += 1
            for band in 0..<bands {
                sums[index][band] += frame.levels[band]
                if index >= reach && index < reach + slots { strengthSums[band * slots + index - reach] += frame.strengths[band] }
            }
        }
        var levels: [[Float]?] = (0..<(slots + 2 * reach)).map { index in
            frameCounts[index] > 0 ? sums[index].map { $0 / Float(frameCounts[index]) } : nil
        }
        levels.replaceSubrange(0..<reach, with: previousSlotLevels)
        previousSlotLevels = Array(levels[slots..<(slots + reach)])
        for band in 0..<bands {
            for slot in 0..<slots where frameCounts[slot + reach] > 0 {
                strengthSums[band * slots + slot] /= Float(frameCounts[slot + reach])
            }
        }
        let bound = (0..<(bands * slots)).map { cell in
            AudioBinding.chip(binding.feature(cell: cell) { step in levels[cell % slots + reach + step] })
        }
        let factors = InformedStrengths.factors(
            levels: Array(levels[(reach - 1)...(reach + slots)]), strengths: strengthSums, signs: signs, bits: bits)
        // The block keeps the energy of its nominal change (its frames' plans), binding layer and all.
        let boundShare = AudioBinding.relativeStrength * AudioBinding.relativeStrength
        let nominal = pending[0..<count].reduce(0) { $0 + $1.plan.change }
        var informed: Double = 0
        for frame in pending[0..<count] where !frame.levels.isEmpty {
            let slot = frame.slot % slots
            for band in 0..<bands {
                let cell = band * slots + slot
                let raised = min(InformedStrengths.ceiling, frame.strengths[band] * factors[cell])
                informed += Double(frame.energies[band] * raised * raised * (1 + boundShare * bound[cell] * bound[cell]))
            }
        }
        let rescale = informed > 0 ? Float((nominal / informed).squareRoot()) : 1
        for index in 0..<count {
            synthesize(pending[index], factors: factors, bound: bound, rescale: rescale)
            countFinished(by: pending[index].start, available: available)
            plannedMarked.signal += pending[index].plan.signal
            plannedMarked.change += pending[index].plan.change
        }
        pending.removeFirst(count)
    }

    /// Steers the next frames' budget towards `budget` for the programme as a whole: gently, so
    /// that it follows the music's level over seconds, not its notes. Frames are marked a block
    /// after they are planned, so the steering runs on the plan, corrected by how the samples
    /// marked so far turned out against their plan (the overlap of frames, the mix); before the
    /// first block is marked, by `priorTurnout`.
    mutating func steer(planning plan: (signal: Double, change: Double)) {
        planned.signal += plan.signal
        planned.change += plan.change
        guard planned.change > 0 else { return }
        var turnout = Self.priorTurnout
        if changeEnergy > 0, signalEnergy > 0, plannedMarked.change > 0 {
            turnout = (changeEnergy / signalEnergy) / (plannedMarked.change / plannedMarked.signal)
        }
        let room = Double(budget) * planned.signal / (planned.change * turnout)
        steering = Float(min(2, max(0.25, Double(steering) * pow(room, 0.05))))
    }
}
