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
struct AudioMarkEmbedder {
    static let weakest: Float = 0.015
    static let strongest: Float = 0.2
    /// The programme's SNR the change is steered to, unless the caller asks for another.
    static let defaultSNR = 30.5
    /// The SNRs a caller may ask for, as far as they were measured: six programmes asked for 24
    /// and for 40 dB ended within 0.1 dB of it, and at 40 dB only three of them read back even
    /// unattacked.
    static let snrRange = 24.0...40.0
    /// A frame's budget at the default SNR, as a share of its energy, before steering. The
    /// detector expects each cell's strength from it whatever SNR the mark was made at: six
    /// programmes marked at 24 and at 33.5 dB read back through it, unattacked and after MP3 at
    /// 64 kbit/s, and three wide-stereo ones marked at 27.5 dB under three keys, after Opus at
    /// 32 kbit/s, as through their own.
    static let nominalBudget: Float = 0.000_89
    /// The change's energy in the samples over its plan in the frames, as seen on a steady
    /// programme (1.1 dB): frames of one slot change alike, so their overlaps add up.
    static let priorTurnout = 1.3
    /// The most a frame's change may cost, as a multiple of its share of the block's budget.
    static let frameShareLimit: Float = 8
    /// The most a cell's change common to every channel may be, as a multiple of its strength
    /// (6 dB more in the mix): the channels' energy counts for at most 4× their mix's there.
    static let commonAllowance: Float = 2

    let sampleRate: Int
    let channels: Int
    /// A frame's budget before steering, as a share of its energy, and the change's energy over
    /// the programme's that the steering aims at: `nominalBudget` at the default SNR.
    private let budget: Float
    private let size: Int
    private let hop: Int
    private let fft: RealFFT
    private let window: [Float]
    /// The band of each bin, or -1 outside the bands.
    private let bandOfBin: [Int]
    /// ±1 per block cell, row-major (band × slot), and the coded bit of each cell (-1: sync).
    private let signs: [Float]
    private let bits: [Int]
    private let binding: AudioBinding
    private let logFloor: Float

    /// A frame analysed and waiting until its block is settled.
    private struct PendingFrame {
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
    private var pending: [PendingFrame] = []
    /// The last `AudioBinding.reach` slots of the block before, as the next block's left
    /// neighbours (nil where the programme has none).
    private var previousSlotLevels = [[Float]?](repeating: nil, count: AudioBinding.reach)

    /// Samples, the channels interleaved, from absolute frame index `inputStart`.
    private var input: [Float] = []
    private var inputStart = 0
    /// The change still being summed (interleaved as `input`), from absolute frame index
    /// `changeStart`; what is before `emitted` has been returned. (Both buffers drop their heads
    /// only once these are half of them, so the lag of a block costs no copying per call.)
    private var change: [Float] = []
    private var changeStart = 0
    private var emitted = 0
    /// Where the next frame starts (the first starts half a frame before the programme).
    private var frameStart: Int
    private typealias Scratch = (frame: [Float], real: [Float], imaginary: [Float], power: [Float])
    private var scratch: Scratch
    /// The programme and the change so far (final samples only, the channels' mean squares), as
    /// planned in the frames (all analysed, and those marked), and the steering of the budget.
    private var signalEnergy: Double = 0
    private var changeEnergy: Double = 0
    private var planned: (signal: Double, change: Double) = (0, 0)
    private var plannedMarked: (signal: Double, change: Double) = (0, 0)
    private var steering: Float = 1

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

    /// Each cell's α: `weakest` everywhere (all scaled down if even that exceeds the budget), then
    /// the rest of the budget to the quietest cells first, up to `strongest` (or each cell's cap).
    static func allocate(_ strengths: inout [Float], energies: [Float], budget: Float, caps: [Float]? = nil) {
        strengths.withUnsafeMutableBufferPointer { strengths in
            energies.withUnsafeBufferPointer { energies in
                guard let caps else { return allocate(strengths, energies: energies, budget: budget, caps: nil) }
                caps.withUnsafeBufferPointer { allocate(strengths, energies: energies, budget: budget, caps: $0) }
            }
        }
    }

    private static func allocate(
        _ strengths: UnsafeMutableBufferPointer<Float>, energies: UnsafeBufferPointer<Float>, budget: Float,
        caps: UnsafeBufferPointer<Float>?
    ) {
        let floorCost = weakest * weakest * energies.reduce(0, +)
        guard floorCost < budget else {
            let uniform = floorCost > 0 ? weakest * (budget / floorCost).squareRoot() : weakest
            for index in strengths.indices { strengths[index] = uniform }
            return
        }
        func top(_ cell: Int) -> Float { caps.map { max(weakest, $0[cell]) } ?? strongest }
        func raise(_ cell: Int) -> Float { (top(cell) * top(cell) - weakest * weakest) * energies[cell] }
        // Quietest first, without sorting every cell: energies are never negative, so their bit
        // patterns order as they do (and go about as their logarithm). The cells are counted
        // into as many buckets, evenly between the least and the most of those, each bucket's
        // raises summed, and only the bucket where the budget runs out is sorted (with the cell's
        // index in the low half of the key, ties keep the order of the cells).
        let count = energies.count
        let patterns = energies.map { $0.bitPattern }
        let least = patterns.min() ?? 0
        let scale = Double(count) / (Double(patterns.max() ?? 0) - Double(least) + 1)
        let buckets = patterns.map { Int(Double($0 - least) * scale) }
        var sums = [Float](repeating: 0, count: count)
        for cell in 0..<count { sums[buckets[cell]] += raise(cell) }
        var remaining = budget - floorCost
        var crossing = 0
        while crossing < count && sums[crossing] <= remaining {
            remaining -= sums[crossing]
            crossing += 1
        }
        var last: [UInt64] = []
        for cell in 0..<count {
            if buckets[cell] < crossing {
                strengths[cell] = top(cell)
            } else {
                strengths[cell] = weakest
                if buckets[cell] == crossing { last.append(UInt64(patterns[cell]) << 32 | UInt64(cell)) }
            }
        }
        for key in last.sorted() {
            let cell = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
            let raise = raise(cell)
            if raise <= remaining {
                strengths[cell] = top(cell)
                remaining -= raise
            } else {
                strengths[cell] = (weakest * weakest + remaining / energies[cell]).squareRoot()
                return
            }
        }
    }

    /// What `allocate` spends of `budget`: all of it, unless every band is at `strongest` first.
    static func spending(energies: [Float], budget: Float) -> Float {
        min(budget, strongest * strongest * energies.reduce(0, +))
    }

    /// The strengths of a block's cells, frame by frame (`energies` holds each frame's band
    /// energies in turn): the frames' shares of the budget pooled and spent over all the cells,
    /// each cell capped at what its frame's own rule gives it with `frameShareLimit` times its share.
    static func allocate(block energies: [Float], shares: [Float]) -> [Float] {
        let bands = AudioBlock.bandCount
        var caps = [Float](repeating: 0, count: energies.count)
        caps.withUnsafeMutableBufferPointer { caps in
            energies.withUnsafeBufferPointer { energies in
                for frame in shares.indices {
                    let range = (frame * bands)..<((frame + 1) * bands)
                    allocate(
                        UnsafeMutableBufferPointer(rebasing: caps[range]), energies: UnsafeBufferPointer(rebasing: energies[range]),
                        budget: frameShareLimit * shares[frame], caps: nil)
                }
            }
        }
        var strengths = [Float](repeating: 0, count: energies.count)
        allocate(&strengths, energies: energies, budget: shares.reduce(0, +), caps: caps)
        return strengths
    }

    /// Transforms the frame at `frameStart` and queues it with its bands' energies and mean log
    /// powers (of the channels' mean power), and its share of the budget (what its own rule
    /// would spend).
    ///
    /// With several channels, only the mix is transformed where the channels are at most
    /// `commonAllowance`² times as loud as their mix (nearly all stereo music: its sides are
    /// quieter than its middle): the whole change is then common to them, each band's energy is
    /// taken as the mix's times that ratio, and one transform each way is all the frame costs.
    /// Wider frames are transformed channel by channel, for each one's own part.
    private mutating func analyseFrame(available: Int) {
        let size = size
        let half = size / 2
        let bins = half + 1
        let channels = channels
        let centre = Double(frameStart + half) / Double(sampleRate)
        var frame = PendingFrame(
            start: frameStart, slot: Int((centre / AudioBlock.slotSeconds).rounded(.down)), real: [], imaginary: [], energies: [],
            levels: [], plan: (0, 0))
        let inputOffset = frameStart - inputStart
        // Zeros where the frame reaches before the programme or past what has been read.
        let before = max(0, -inputOffset)
        let inside = before..<max(before, min(size, available - frameStart))
        let share = 1 / Float(channels)
        var buffers = scratch
        scratch = ([], [], [], [])
        defer { scratch = buffers }
        // The mix, windowed, and for several channels the windowed energy of the mix and of the
        // channels (their mean square).
        var mixEnergy: Float = 0
        var channelEnergy: Float = 0
        input.withUnsafeBufferPointer { input in
            window.withUnsafeBufferPointer { window in
                buffers.frame.withUnsafeMutableBufferPointer { frame in
                    for index in 0..<inside.lowerBound { frame[index] = 0 }
                    for index in inside.upperBound..<size { frame[index] = 0 }
                    guard channels > 1 else {
                        for index in inside { frame[index] = input[inputOffset &+ index] * window[index] }
                        return
                    }
                    // Four samples at a time, each lane with its own sums: with one running sum
                    // every sample waited for the one before, and this loop took most of the
                    // frame's analysis. The range starts at 0 or half a frame (a multiple of four),
                    // so its fours end within the frame; samples past its end read as zeros.
                    precondition(inside.lowerBound % 4 == 0, "a frame starts at 0 or half a frame into its buffer")
                    var mixEnergies = SIMD4<Float>(repeating: 0)
                    var channelEnergies = SIMD4<Float>(repeating: 0)
                    let end = inside.upperBound
                    for first in stride(from: inside.lowerBound, to: end, by: 4) {
                        let windows = SIMD4(window[first], window[first &+ 1], window[first &+ 2], window[first &+ 3])
                        var sums = SIMD4<Float>(repeating: 0)
                        var squares = SIMD4<Float>(repeating: 0)
                        for channel in 0..<channels {
                            func sample(_ lane: Int) -> Float {
                                first &+ lane < end ? input[(inputOffset &+ first &+ lane) &* channels &+ channel] : 0
                            }
                            let samples = SIMD4(sample(0), sample(1), sample(2), sample(3))
                            sums += samples
                            squares += samples * samples
                        }
                        let mix = sums * share
                        let weights = windows * windows
                        mixEnergies += weights * mix * mix
                        channelEnergies += weights * squares * share
                        let windowed = mix * windows
                        for lane in 0..<4 { frame[first &+ lane] = windowed[lane] }
                    }
                    mixEnergy = mixEnergies.sum()
                    channelEnergy = channelEnergies.sum()
                }
            }
        }
        let wide = channels > 1 && channelEnergy > Self.commonAllowance * Self.commonAllowance * mixEnergy
        let width = channels > 1 && !wide && mixEnergy > 0 ? max(1, channelEnergy / mixEnergy) : 1
        // The mix's spectrum, then for a wide frame each channel's difference from it.
        let parts = wide ? channels + 1 : 1
        var spectra = (real: [Float](repeating: 0, count: parts * bins), imaginary: [Float](repeating: 0, count: parts * bins))
        spectra.real.withUnsafeMutableBufferPointer { spectrumReal in
            spectra.imaginary.withUnsafeMutableBufferPointer { spectrumImaginary in
                buffers.power.withUnsafeMutableBufferPointer { power in
                    guard wide else {
                        buffers.frame.withUnsafeBufferPointer { fft.forward($0, real: spectrumReal, imaginary: spectrumImaginary) }
                        for bin in 0..<bins {
                            power[bin] = (spectrumReal[bin] * spectrumReal[bin] + spectrumImaginary[bin] * spectrumImaginary[bin]) * width
                        }
                        return
                    }
                    input.withUnsafeBufferPointer { input in
                        window.withUnsafeBufferPointer { window in
                            buffers.frame.withUnsafeMutableBufferPointer { frame in
                                ChannelSpectra.transform(
                                    input, channels: channels, from: inputOffset, range: inside, window: window, fft: fft, frame: frame,
                                    real: spectrumReal, imaginary: spectrumImaginary, power: power)
                            }
                        }
                    }
                    for part in 1...channels {
                        for bin in 0..<bins {
                            spectrumReal[part &* bins &+ bin] -= spectrumReal[bin]
                            spectrumImaginary[part &* bins &+ bin] -= spectrumImaginary[bin]
                        }
                    }
                }
            }
        }
        var total: Float = 0
        var energies = [Float](repeating: 0, count: AudioBlock.bandCount)
        var logs = [Float](repeating: 0, count: AudioBlock.bandCount)
        var counts = [Float](repeating: 0, count: AudioBlock.bandCount)
        let logFloor = logFloor
        buffers.power.withUnsafeBufferPointer { power in
            bandOfBin.withUnsafeBufferPointer { bandOfBin in
                for bin in 0...half {
                    total += power[bin]
                    let band = bandOfBin[bin]
                    guard band >= 0 else { continue }
                    energies[band] += power[bin]
                    logs[band] += log(power[bin] + logFloor)
                    counts[band] += 1
                }
            }
        }
        if total > 0 {
            if channels > 1 {
                let mixEnergies = wide ? bandEnergies(real: spectra.real[0..<bins], imaginary: spectra.imaginary[0..<bins]) : []
                frame.split = (0..<AudioBlock.bandCount).flatMap { band in
                    wide ? Self.split(channels: energies[band], mix: mixEnergies[band]) : Self.split(channels: width, mix: 1)
                }
            }
            frame.real = spectra.real
            frame.imaginary = spectra.imaginary
            frame.energies = energies
            frame.levels = zip(logs, counts).map { $1 > 0 ? $0 / $1 : 0 }
            frame.plan = (Double(total), Double(Self.spending(energies: energies, budget: budget * steering * total)))
        }
        pending.append(frame)
        steer(planning: frame.plan)
    }

    /// The bands' energies of a spectrum (bins 0…size/2).
    private func bandEnergies(real: ArraySlice<Float>, imaginary: ArraySlice<Float>) -> [Float] {
        var energies = [Float](repeating: 0, count: AudioBlock.bandCount)
        for (bin, (r, i)) in zip(real, imaginary).enumerated() where bandOfBin[bin] >= 0 { energies[bandOfBin[bin]] += r * r + i * i }
        return energies
    }

    /// How a cell's change of strength α is shared, for channels of mean power `channels` and a
    /// mix of power `mix` in the band: α·(common·mix + own·(channel − mix)). The part common to
    /// every channel is as strong as the channels allow, up to `commonAllowance`; each channel's
    /// own part, its difference from the mix, takes the rest of the cell's energy, α² times the
    /// channels' power. So joint-stereo codecs (MP3, Vorbis), which keep the mix better than the
    /// sides, keep the common part, and Opus at low rates, which keeps wide stereo's channels
    /// better than its mix, keeps some of the channels' own.
    static func split(channels: Float, mix: Float) -> [Float] {
        // The channels' mean power is the mix's plus their mean square difference from it.
        guard channels > mix else { return [1, 0] }
        guard channels > commonAllowance * commonAllowance * mix else { return [(channels / mix).squareRoot(), 0] }
        let own = ((channels - commonAllowance * commonAllowance * mix) / (channels - mix)).squareRoot()
        return [commonAllowance, own]
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

    /// Adds a frame's change to `change`: the bands scaled by ±strength (the block's chip, plus
    /// the binding layer's `bound` chip at its relative strength), inverse-transformed and
    /// windowed; a silent frame is left unchanged. With several channels, the mix's change is
    /// common to all and each channel's own part is added to it, where any band has one (only
    /// in wide stereo); two channels' own parts are each other's negation.
    private mutating func synthesize(_ pendingFrame: PendingFrame, factors: [Float], bound: [Float], rescale: Float) {
        guard !pendingFrame.levels.isEmpty else { return }
        let size = size
        let bins = size / 2 + 1
        let channels = channels
        let slot = pendingFrame.slot % AudioBlock.slots
        // Per bin, the factor on the mix's spectrum (the only one, for one channel) and on each
        // channel's difference from it.
        var common = [Float](repeating: 0, count: bins)
        var own = [Float](repeating: 0, count: bins)
        var hasOwn = false
        let split = pendingFrame.split
        var gains = [Float](repeating: 0, count: AudioBlock.bandCount)
        for band in gains.indices {
            let cell = band * AudioBlock.slots + slot
            let strength = min(InformedStrengths.ceiling, pendingFrame.strengths[band] * factors[cell] * rescale)
            gains[band] = strength * (signs[cell] + AudioBinding.relativeStrength * bound[cell])
        }
        for bin in 0..<bins where bandOfBin[bin] >= 0 {
            let band = bandOfBin[bin]
            guard channels > 1 else {
                common[bin] = gains[band]
                continue
            }
            common[bin] = gains[band] * split[2 * band]
            own[bin] = gains[band] * split[2 * band + 1]
            hasOwn = hasOwn || own[bin] != 0
        }
        let frameStart = pendingFrame.start
        let needed = (frameStart + size - changeStart) * channels
        if change.count < needed { change += [Float](repeating: 0, count: needed - change.count) }
        let first = max(0, emitted - frameStart)
        let offset = frameStart - changeStart
        // The scratch buffers are taken out of `self` for the frame, so that the loops below
        // run on plain pointers.
        var buffers = scratch
        scratch = ([], [], [], [])
        defer { scratch = buffers }
        let mixPart = transform(pendingFrame, part: 0, factors: common, buffers: &buffers)
        let ownParts = !hasOwn ? 0 : channels == 2 ? 1 : channels
        let parts = (0..<ownParts).map { transform(pendingFrame, part: 1 + $0, factors: own, buffers: &buffers) }
        let scale = 1 / Float(size)
        mixPart.withUnsafeBufferPointer { mixPart in
            window.withUnsafeBufferPointer { window in
                change.withUnsafeMutableBufferPointer { change in
                    // Stereo, by far the most common, in one pass over both channels, which the
                    // compiler vectorises (channel by channel, the strided adds took twice as
                    // long): the second channel's own part is the first's negated.
                    if channels == 2 && ownParts == 0 {
                        for index in first..<size {
                            let common = mixPart[index] * window[index] * scale
                            change[(offset &+ index) &* 2] += common
                            change[(offset &+ index) &* 2 &+ 1] += common
                        }
                        return
                    }
                    if channels == 2 {
                        parts[0].withUnsafeBufferPointer { part in
                            for index in first..<size {
                                let common = mixPart[index] * window[index] * scale
                                let own = part[index] * window[index] * scale
                                change[(offset &+ index) &* 2] += common + own
                                change[(offset &+ index) &* 2 &+ 1] += common - own
                            }
                        }
                        return
                    }
                    for channel in 0..<channels {
                        guard ownParts > 0 else {
                            for index in first..<size {
                                change[(offset &+ index) &* channels &+ channel] += mixPart[index] * window[index] * scale
                            }
                            continue
                        }
                        parts[channel].withUnsafeBufferPointer { part in
                            for index in first..<size {
                                change[(offset &+ index) &* channels &+ channel] += (mixPart[index] + part[index]) * window[index] * scale
                            }
                        }
                    }
                }
            }
        }
    }

    /// The inverse transform of one part of a frame's spectra (a channel's difference from the
    /// mix, or the mix) scaled bin by bin by `factors`.
    private func transform(_ frame: PendingFrame, part: Int, factors: [Float], buffers: inout Scratch) -> [Float] {
        let bins = size / 2 + 1
        buffers.real.withUnsafeMutableBufferPointer { real in
            buffers.imaginary.withUnsafeMutableBufferPointer { imaginary in
                frame.real.withUnsafeBufferPointer { spectrumReal in
                    frame.imaginary.withUnsafeBufferPointer { spectrumImaginary in
                        factors.withUnsafeBufferPointer { factors in
                            let base = part * bins
                            for bin in 0..<bins {
                                real[bin] = spectrumReal[base &+ bin] * factors[bin]
                                imaginary[bin] = spectrumImaginary[base &+ bin] * factors[bin]
                            }
                        }
                    }
                }
                buffers.frame.withUnsafeMutableBufferPointer { samples in
                    fft.inverse(real: real, imaginary: imaginary, into: samples)
                }
            }
        }
        return buffers.frame
    }

    /// Counts the samples a marked frame finished (no later frame reaches them): the channels'
    /// mean squares, of the programme and of the change.
    private mutating func countFinished(by frameStart: Int, available: Int) {
        let finished = max(frameStart, 0)..<min(frameStart + hop, available)
        guard !finished.isEmpty else { return }
        let channels = channels
        let share = 1 / Double(channels)
        // The channels are interleaved, so the frames' samples lie one after another.
        let inputRange = ((finished.lowerBound - inputStart) * channels)..<((finished.upperBound - inputStart) * channels)
        // A silent frame adds nothing, and may leave `change` short of it.
        let changeEnd = min(change.count, (finished.upperBound - changeStart) * channels)
        let changeRange = min(changeEnd, (finished.lowerBound - changeStart) * channels)..<changeEnd
        signalEnergy += input.withUnsafeBufferPointer { Self.sumOfSquares(UnsafeBufferPointer(rebasing: $0[inputRange])) } * share
        changeEnergy += change.withUnsafeBufferPointer { Self.sumOfSquares(UnsafeBufferPointer(rebasing: $0[changeRange])) } * share
    }

    /// In doubles, four sums at a time: one running sum would wait on each addition.
    private static func sumOfSquares(_ values: UnsafeBufferPointer<Float>) -> Double {
        var sums: (Double, Double, Double, Double) = (0, 0, 0, 0)
        var index = 0
        while index + 4 <= values.count {
            let a = Double(values[index])
            let b = Double(values[index + 1])
            let c = Double(values[index + 2])
            let d = Double(values[index + 3])
            sums.0 += a * a
            sums.1 += b * b
            sums.2 += c * c
            sums.3 += d * d
            index += 4
        }
        while index < values.count {
            let value = Double(values[index])
            sums.0 += value * value
            index += 1
        }
        return (sums.0 + sums.1) + (sums.2 + sums.3)
    }

    /// Steers the next frames' budget towards `budget` for the programme as a whole: gently, so
    /// that it follows the music's level over seconds, not its notes. Frames are marked a block
    /// after they are planned, so the steering runs on the plan, corrected by how the samples
    /// marked so far turned out against their plan (the overlap of frames, the mix); before the
    /// first block is marked, by `priorTurnout`.
    private mutating func steer(planning plan: (signal: Double, change: Double)) {
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
