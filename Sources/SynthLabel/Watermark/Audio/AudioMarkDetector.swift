import Glibc

/// Looks for the audio mark in a stream, blindly: no original, any excerpt, any sample rate, speed
/// changes up to ±3 %. Most music and speech decodes within 10–30 s (see docs/watermark.md, "Not
/// yet").
///
/// Each channel is cut into Hann frames (a quarter-frame hop), and the bins' log powers (half the
/// channels' mean power's, half their mix's: `addFrame`) are kept, as running sums over frequency,
/// for a window of two blocks (9.6 s). Each window is read for every speed on a 0.4 % grid (band
/// edges and slot lengths scaled alike, as resampling does) and four slot phases: each band's mean
/// log power per slot, less that of the slots either side and the band's mean (half each) and of
/// the bands two away, scaled to unit noise per band, weighted by the strength the embedder would
/// have given the cell, folded modulo the block. The sync chips (checkerboard groups of four,
/// `AudioBlock.chips`) are correlated at every cyclic slot offset; the best three candidates are
/// decoded, six in the first window (bands weighted by their sync cells, list Viterbi to a depth
/// `listPaths` sets, CRC). Slots are counted from the start of the stream, so each speed and
/// phase's folds also add up over the windows read so far, and their best three are decoded too: a
/// long programme gathers what one window cannot. Windows overlap by three and a half slots and
/// each slot goes into the totals once, so none is lost at a window's edge, and the stream's last
/// part, however short, adds its slots too.
struct AudioMarkDetector {
    static let windowBlocks = 2
    /// How far a window reaches back into the one before, in slots (at the slowest speed).
    static let windowOverlapSlots = 3.5
    static let speeds = (-8...8).map { 1 + speedStep * Double($0) }
    static let phases = 4
    static let leastWeight: Float = 0.3
    /// The slots either side's share of a cell's reference; the band's mean over the window has
    /// the rest.
    static let slotReference: Float = 0.5
    static let evidenceSpread = 6
    /// At most this many windows (about ten minutes) are read, each with up to six attempts.
    static let windowLimit = 64
    static let attemptLimit = windowLimit * 6
    /// How many of the best code words an attempt traces (`WatermarkCode.decode`): a word noise
    /// makes has that many chances of 2⁻³² to pass the CRC, so the depth goes where payloads are
    /// found. That is the first window's six candidates (a 10 s excerpt is one window), and the
    /// best of the running totals for the seven windows after; the others get 8, and past the
    /// eighth window every attempt gets 1.
    static func listPaths(window: Int, leadingTotal: Bool) -> Int {
        if window == 0 { return 256 }
        if window >= 8 { return 1 }
        return leadingTotal ? 256 : 8
    }
    /// The depth of every attempt when the detector is not `thorough`.
    static let quickListPaths = 8
    /// Every path every attempt of a file can trace, each a 2⁻³² chance: 9.2e-7.
    static let falsePositiveBound: Double = {
        let traces = (0..<windowLimit).reduce(0) { sum, window in
            let others = listPaths(window: window, leadingTotal: false)
            return sum + (window == 0 ? 6 * others : 5 * others + listPaths(window: window, leadingTotal: true))
        }
        return Double(traces) / 4_294_967_296
    }()

    let layout: ChipLayout
    let sampleRate: Int
    let channels: Int
    let windowLimit: Int
    /// `speeds`, or only 1 when the caller knows the programme is as it was written.
    private let searchedSpeeds: [Double]
    private let thorough: Bool
    private let size: Int
    private let hop: Int
    private let fft: RealFFT
    private let window: [Float]
    private let binHz: Double
    /// Running power sums cover bins lowBin…highBin.
    private let lowBin: Int
    private let highBin: Int
    private let framesPerWindow: Int
    /// The frames a window keeps of the one before, so that the slots at its end, which it could
    /// not read (the last lacks a neighbour, the one across the edge its frames), are read whole
    /// in the next; no slot of the stream is lost between windows.
    private let overlapFrames: Int
    private let logFloor: Float
    /// The band of each bin at the programme's own speed, for `bandEnergies`.
    private let bandOfBin: [Int]

    private var input: [Float] = []
    private var prefixes: [Float] = []
    /// Per frame of the window, each band's energy (the mark hardly changes it) and the
    /// frame's; and then, per frame and band, the strength the embedder would have given the
    /// cell, as a share of its strongest.
    private var bandEnergies: [Float] = []
    private var frameEnergies: [Float] = []
    private var expectedStrengths: [Float] = []
    private var frames = 0
    /// The stream's frame the window's first frame is.
    private var firstFrame = 0
    private var windows = 0
    private var attempts = 0
    private var bestSync: Float = 0
    /// Per speed and phase, the folds of every window so far: slots are counted from the start
    /// of the stream, so the windows of a long file add up coherently.
    private var totals: [[Float]] = []
    /// Per speed and phase, the last slot (counted from the start of the stream) in `totals`,
    /// and how many are.
    private var totalledThrough: [Int] = []
    private var totalledCounts: [Int] = []
    private var found: UInt64?
    /// Where the payload's block lay, once one decoded.
    private(set) var alignment: Alignment?
    /// When reading the binding layer (`reading(binding:near:chips:)`), what to read and where
    /// (the phases tried; the score at which reading stops), what it has found so far, and the
    /// end of the last slot read (seconds into the stream).
    private var bindingRead: (binding: AudioBinding, chips: [Float], phases: [Int], enough: Double)?
    private var tally = AudioBinding.Tally()
    private var boundThrough = -Double.infinity
    private var bindingSettled = false
    /// A frame; the mix's spectrum, then for several channels each one's (`ChannelSpectra.mix`);
    /// and per bin the channels' mean power.
    private var scratch: (frame: [Float], real: [Float], imaginary: [Float], power: [Float])

    /// `thorough` false reads the programme at its own speed only, 17 times cheaper past the
    /// transform, with half the transforms (a half-frame hop) and with `quickListPaths` (a
    /// tenth of the decoding): enough to find a mark this tool wrote into this very file.
    init(layout: ChipLayout, sampleRate: Int, channels: Int = 1, windowLimit: Int = Self.windowLimit, thorough: Bool = true) {
        self.init(layout: layout, sampleRate: sampleRate, channels: channels, windowLimit: windowLimit, thorough: thorough, binding: nil)
    }

    /// A detector that reads the binding layer of a programme whose payload has decoded at
    /// `speed`, with the block's chips for that payload (`ChipLayout.cellSigns`). It reads up to
    /// `windowLimit` windows, every slot once; `finishBinding` then gives the binding.
    ///
    /// One window places the block well enough to decode, but not to read a whole programme by:
    /// a speed one step off the true one drifts by a quarter of a slot a minute. So each window
    /// is placed anew, at that speed and the steps either side and at every phase and offset,
    /// where the block's chips for the payload correlate best; the binding's keyed signs play no
    /// part in the choice, so the bound on its score holds. `asWritten` is for a programme this
    /// tool has just marked: its grid is known (the speed 1, the first phase), and reading stops
    /// once the mark shows tied (`WatermarkBinding.confirmedFrom`); otherwise at `bindingEnough`.
    static func reading(
        binding: AudioBinding, near speed: Double, asWritten: Bool = false, chips: [Float], layout: ChipLayout, sampleRate: Int,
        channels: Int, windowLimit: Int = Self.windowLimit
    ) -> Self {
        let enough = asWritten ? WatermarkBinding.confirmedFrom : Self.bindingEnough
        return Self(
            layout: layout, sampleRate: sampleRate, channels: channels, windowLimit: windowLimit, thorough: !asWritten,
            binding: (binding, chips, asWritten ? [0] : Array(0..<Self.phases), enough),
            speeds: asWritten ? [1] : [speed - Self.speedStep, speed, speed + Self.speedStep])
    }

    /// The binding's score at which reading stops: looked at after each of up to 64 windows, a
    /// mark not made for the programme reaches it at one of them with probability below
    /// 64·exp(−18), 1e-6, so stopping there adds next to nothing to the bound at 4.
    static let bindingEnough = 6.0

    /// The step between the speeds searched.
    static let speedStep = 0.004

    private init(
        layout: ChipLayout, sampleRate: Int, channels: Int, windowLimit: Int, thorough: Bool,
        binding: (binding: AudioBinding, chips: [Float], phases: [Int], enough: Double)? = nil, speeds: [Double]? = nil
    ) {
        precondition(channels >= 1, "at least one channel")
        self.layout = layout
        self.channels = channels
        self.thorough = thorough
        bindingRead = binding
        searchedSpeeds = speeds ?? (thorough ? Self.speeds : [1])
        self.windowLimit = min(windowLimit, Self.windowLimit)
        self.sampleRate = sampleRate
        let size = AudioBlock.analysisFrameSize(sampleRate: sampleRate)
        self.size = size
        hop = thorough ? size / 4 : size / 2
        fft = RealFFT(size: size)
        window = (0..<size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }
        binHz = Double(sampleRate) / Double(size)
        let slowest = searchedSpeeds.min() ?? 1
        let fastest = searchedSpeeds.max() ?? 1
        lowBin = max(1, Int(AudioBlock.lowestHz * slowest / binHz) - 1)
        highBin = min(size / 2, Int((AudioBlock.highestHz * fastest / binHz).rounded(.up)) + 1)
        logFloor = Float(size * size) / 16 * 1e-10
        bandOfBin = AudioBlock.bandOfBin(size: size, sampleRate: sampleRate)
        framesPerWindow = Int(AudioBlock.seconds * Double(Self.windowBlocks) * Double(sampleRate) / Double(hop))
        let slowestSlot = AudioBlock.slotSeconds / Self.speeds[0]
        // The binding's features look `reach` slots either side of a cell, so its windows
        // overlap by as many more on each side.
        let overlapSlots = Self.windowOverlapSlots + (binding == nil ? 0 : 2 * Double(AudioBinding.reach))
        overlapFrames = Int((overlapSlots * slowestSlot * Double(sampleRate) / Double(hop)).rounded(.up))
        let bins = [Float](repeating: 0, count: size / 2 + 1)
        let parts = [Float](repeating: 0, count: (channels > 1 ? channels + 1 : 1) * (size / 2 + 1))
        scratch = ([Float](repeating: 0, count: size), parts, parts, bins)
    }

    /// How many slots the totals hold at the programme's own speed and the first phase.
    var totalledSlots: Int {
        guard let own = searchedSpeeds.firstIndex(of: 1), !totalledCounts.isEmpty else { return 0 }
        return totalledCounts[own * Self.phases]
    }

    /// The strongest sync correlation seen so far (a z-value: unit noise).
    var strongestSync: Float { bestSync }

    /// True once a payload has decoded or the window limit is reached (the rest of the stream
    /// need not be read).
    var isDone: Bool { found != nil || bindingSettled || windows >= windowLimit }

    /// Takes the next samples, the channels interleaved.
    mutating func append(_ samples: UnsafeBufferPointer<Float>) {
        guard !isDone else { return }
        precondition(samples.count % channels == 0, "whole frames of every channel")
        input.append(contentsOf: samples)
        var start = 0
        while (start + size) * channels <= input.count && !isDone {
            addFrame(at: start)
            start += hop
            if frames == framesPerWindow { analyseWindow() }
        }
        input.removeFirst(start * channels)
    }

    /// What the stream showed. The last part is read too: as a window of its own when it spans
    /// a block, and for the totals when it adds a slot to them.
    mutating func finish() -> WatermarkDetection {
        analyseRest()
        if let found {
            return WatermarkDetection(
                present: true, payload: found, confidence: 1 - Self.falsePositiveBound, scale: nil, attempts: attempts)
        }
        let traces = Double(min(0.49, max(0, (bestSync - 4) / 12)))
        return WatermarkDetection(present: false, payload: nil, confidence: traces, scale: nil, attempts: attempts)
    }

    /// What the binding layer showed, for a detector `reading(binding:…)`.
    mutating func finishBinding() -> WatermarkBinding {
        precondition(bindingRead != nil, "a detector reading the binding layer")
        analyseRest()
        let reading = tally.reading
        return WatermarkBinding(score: reading.score, expected: reading.expected)
    }

    private mutating func analyseRest() {
        let fresh = windows == 0 ? frames : frames - overlapFrames
        let needed = windows == 0 ? AudioBlock.seconds : AudioBlock.slotSeconds
        if !isDone, Double(fresh * hop) / Double(sampleRate) >= needed { analyseWindow() }
    }

    /// Reads the frame at `start` (in frames of `input`): each channel transformed, and each bin's
    /// log power taken half from the channels' mean power and half from their mix's. The embedder
    /// changes both (`AudioMarkEmbedder.split`), and codecs keep one or the other better: MP3's and
    /// Vorbis's joint stereo the mix, Opus the channels' own levels.
    private mutating func addFrame(at start: Int) {
        let size = size
        let channels = channels
        var buffers = scratch
        scratch = ([], [], [], [])
        defer { scratch = buffers }
        input.withUnsafeBufferPointer { input in
            window.withUnsafeBufferPointer { window in
                buffers.frame.withUnsafeMutableBufferPointer { frame in
                    buffers.real.withUnsafeMutableBufferPointer { real in
                        buffers.imaginary.withUnsafeMutableBufferPointer { imaginary in
                            buffers.power.withUnsafeMutableBufferPointer { power in
                                ChannelSpectra.transform(
                                    input, channels: channels, from: start, range: 0..<size, window: window, fft: fft, frame: frame,
                                    real: real, imaginary: imaginary, power: power)
                            }
                        }
                    }
                }
            }
        }
        measureBands(buffers.power)
        // Running sums of each bin's log power (a floor about 100 dB under a full-scale tone):
        // a band's mean log power is not ruled by its loudest partial as its energy would be.
        var sum: Float = 0
        prefixes.append(0)
        for bin in lowBin...highBin {
            let own = log(buffers.power[bin] + logFloor)
            if channels > 1 {
                let mixPower = buffers.real[bin] * buffers.real[bin] + buffers.imaginary[bin] * buffers.imaginary[bin]
                sum += 0.5 * (own + log(mixPower + logFloor))
            } else {
                sum += own
            }
            prefixes.append(sum)
        }
        frames += 1
    }

    /// Keeps the frame's band energies and its own, for `expectStrengths`.
    private mutating func measureBands(_ power: [Float]) {
        var total: Float = 0
        let first = bandEnergies.count
        bandEnergies += repeatElement(0, count: AudioBlock.bandCount)
        for bin in 0...(size / 2) {
            total += power[bin]
            if bandOfBin[bin] >= 0 { bandEnergies[first + bandOfBin[bin]] += power[bin] }
        }
        frameEnergies.append(total)
    }

    /// The strengths the embedder's rule gives the window's cells at its nominal budget, the window
    /// taken as one block. A loud cell gets 1.5 %, a quiet one up to 20 %: weighting cells by
    /// these, rather than alike, raised the soft bits' SNR in 10 s excerpts of 14 programmes by a
    /// median of 1.4 dB (0.41 to 0.56). But a high-pass filter or added noise changes which cells
    /// look quiet, so no cell weighs less than `leastWeight` of the strongest.
    private mutating func expectStrengths() {
        let strengths = AudioMarkEmbedder.allocate(
            block: bandEnergies, shares: frameEnergies.map { AudioMarkEmbedder.nominalBudget * $0 })
        expectedStrengths = strengths.map { max(Self.leastWeight, $0 / AudioMarkEmbedder.strongest) }
    }

    /// The summed log power of a frame's bins below `hz` (from the lowest bin kept), and the
    /// (fractional) number of bins, interpolated between bins.
    private func logPower(frame: Int, below hz: Double) -> Float {
        let width = highBin - lowBin + 2
        let position = min(Double(width - 1), max(0, hz / binHz - Double(lowBin) + 0.5))
        let low = Int(position)
        let fraction = Float(position - Double(low))
        let base = frame * width
        let upper = min(low + 1, width - 1)
        return prefixes[base + low] * (1 - fraction) + prefixes[base + upper] * fraction
    }

    /// Where a payload's block lies on the stream: the speed the programme was read at, the
    /// phase of the slot grid (in quarters of a slot) and the sync's cyclic slot offset.
    struct Alignment: Sendable {
        var speed: Double
        var phase: Int
        var offset: Int
    }

    private struct Candidate {
        var score: Float
        var folded: [Float]
        var alignment: Alignment
    }

    private mutating func analyseWindow() {
        expectStrengths()
        let bands = AudioBlock.bandCount
        defer {
            let dropped = max(0, frames - overlapFrames)
            prefixes.removeFirst(dropped * (highBin - lowBin + 2))
            bandEnergies.removeFirst(dropped * bands)
            frameEnergies.removeFirst(dropped)
            frames -= dropped
            firstFrame += dropped
            windows += 1
        }
        let frameSeconds = Double(hop) / Double(sampleRate)
        if totals.isEmpty {
            totals = [[Float]](repeating: [], count: searchedSpeeds.count * Self.phases)
            totalledThrough = [Int](repeating: -1, count: totals.count)  // slots count from 0
            totalledCounts = [Int](repeating: 0, count: totals.count)
        }
        var best: [Candidate] = []
        var bestTotal: [Candidate] = []
        // The first window has no running totals to decode yet, so all six of its attempts go to
        // its own candidates (a 10 s excerpt is one window).
        let kept = windows == 0 ? 6 : 3
        func keep(_ candidates: [Candidate], in list: inout [Candidate]) {
            list = Array((list + candidates).sorted { $0.score > $1.score }.prefix(kept))
        }
        if let bindingRead {
            if let (cells, alignment) = placeBlock(chips: bindingRead.chips, phases: bindingRead.phases) {
                readBinding(cells, at: alignment)
                bindingSettled = tally.reading.score >= bindingRead.enough
            }
            return
        }
        for (speedIndex, speed) in searchedSpeeds.enumerated() {
            let levels = bandLevels(speed: speed)
            let slotFrames = AudioBlock.slotSeconds / speed / frameSeconds
            for phase in 0..<Self.phases {
                let slot = speedIndex * Self.phases + phase
                guard let cells = cellResiduals(levels, slotOf: slotOf(speed: speed, phase: phase), slotFrames: slotFrames) else {
                    continue
                }
                let folded = fold(cells, after: totalledThrough[slot])
                let alignment = Alignment(speed: speed, phase: phase, offset: 0)
                if !folded.window.isEmpty { keep(syncCandidates(folded.window, alignment), in: &best) }
                guard let through = folded.freshSlots.last else { continue }
                totalledThrough[slot] = through
                totalledCounts[slot] += folded.freshSlots.count
                if totals[slot].isEmpty {
                    totals[slot] = folded.fresh
                } else {
                    for index in folded.fresh.indices { totals[slot][index] += folded.fresh[index] }
                    keep(syncCandidates(totals[slot], alignment), in: &bestTotal)
                }
            }
        }
        // This window alone (an excerpt, or a file whose parts were treated differently), then
        // all windows so far together.
        let candidates = best.map { ($0, leading: false) } + bestTotal.enumerated().map { ($1, leading: $0 == 0) }
        for (candidate, leading) in candidates where found == nil && attempts < Self.attemptLimit {
            bestSync = max(bestSync, candidate.score)
            attempts += 1
            let paths = thorough ? Self.listPaths(window: windows, leadingTotal: leading) : Self.quickListPaths
            found = WatermarkCode.decode(softBits(candidate.folded, offset: candidate.alignment.offset), paths: paths)
            if found != nil { alignment = candidate.alignment }
        }
    }

    /// Each frame's mean log power per band (frame-major), the band edges scaled by `speed`.
    private func bandLevels(speed: Double) -> [Float] {
        let bands = AudioBlock.bandCount
        var levels = [Float](repeating: 0, count: frames * bands)
        let widths = (0..<bands).map { Float((AudioBlock.edges[$0 + 1] - AudioBlock.edges[$0]) * speed / binHz) }
        for frame in 0..<frames {
            var below = logPower(frame: frame, below: AudioBlock.edges[0] * speed)
            for band in 0..<bands {
                let above = logPower(frame: frame, below: AudioBlock.edges[band + 1] * speed)
                levels[frame * bands + band] = (above - below) / widths[band]
                below = above
            }
        }
        return levels
    }

    /// The slot (counted from the start of the stream, fractional) of each frame of the window,
    /// at `speed` and slot phase `phase`.
    private func slotOf(speed: Double, phase: Int) -> (Int) -> Double {
        let frameSeconds = Double(hop) / Double(sampleRate)
        let start = Double(firstFrame * hop + size / 2) / Double(sampleRate)
        let shift = Double(phase) / Double(Self.phases)
        return { frame in (start + Double(frame) * frameSeconds) * speed / AudioBlock.slotSeconds - shift }
    }

    /// The window's cells on the grid where the block's `chips` correlate best with them, among
    /// the searched speeds, every phase and every cyclic offset; nil when the window is too short.
    private func placeBlock(chips: [Float], phases: [Int]) -> (Cells, Alignment)? {
        let frameSeconds = Double(hop) / Double(sampleRate)
        let bands = AudioBlock.bandCount
        let slots = AudioBlock.slots
        var best: (score: Float, cells: Cells, alignment: Alignment)?
        for speed in searchedSpeeds {
            let levels = bandLevels(speed: speed)
            for phase in phases {
                let slotFrames = AudioBlock.slotSeconds / speed / frameSeconds
                guard let cells = cellResiduals(levels, slotOf: slotOf(speed: speed, phase: phase), slotFrames: slotFrames) else {
                    continue
                }
                let folded = fold(cells, after: -1).fresh
                for offset in 0..<slots {
                    var score: Float = 0
                    for band in 0..<bands {
                        for slot in 0..<slots { score += chips[band * slots + slot] * folded[band * slots + (slot + offset) % slots] }
                    }
                    if score > best?.score ?? -.infinity {
                        best = (score, cells, Alignment(speed: speed, phase: phase, offset: offset))
                    }
                }
            }
        }
        return best.map { ($0.cells, $0.alignment) }
    }

    /// Adds the window's slots not yet read to the binding's tally: each cell whose feature can
    /// be computed (its band's neighbourhood has frames `reach` slots either side), at its place
    /// in the block. A slot is new when it starts after the last one read ended (give or take
    /// half a slot: windows may be placed a little differently).
    private mutating func readBinding(_ cells: Cells, at alignment: Alignment) {
        guard let (binding, chips, _, _) = bindingRead else { return }
        let bands = AudioBlock.bandCount
        let slots = AudioBlock.slots
        let reach = AudioBinding.reach
        let slotLevels: [[Float]?] = (0..<cells.count).map { slot in
            cells.slotCount[slot] > 0 ? Array(cells.logs[(slot * bands)..<((slot + 1) * bands)]) : nil
        }
        let shift = Double(alignment.phase) / Double(Self.phases)
        func seconds(_ slot: Int) -> Double { (Double(cells.first + slot) + shift) * AudioBlock.slotSeconds / alignment.speed }
        guard reach < cells.count - reach else { return }
        for slot in reach..<(cells.count - reach) where cells.valid[slot] && seconds(slot) >= boundThrough - AudioBlock.slotSeconds / 2 {
            let position = ((cells.first + slot - alignment.offset) % slots + slots) % slots
            for band in 0..<bands {
                let cell = band * slots + position
                guard let feature = binding.feature(cell: cell, level: { slotLevels[slot + $0] }) else { continue }
                tally.add(cell: cell, value: cells.values[slot * bands + band], chip: chips[cell], weight: AudioBinding.weight(feature))
            }
            boundThrough = seconds(slot + 1)
        }
    }

    /// A window's cells on one slot grid: each slot's mean log power per band (slot-major), how
    /// many frames it has, whether it can be read (it and the slots either side nearly whole),
    /// and each readable cell's value (`cellResiduals`).
    private struct Cells {
        /// The first slot, counted from the start of the stream, and how many.
        var first: Int
        var count: Int
        var logs: [Float]
        var slotCount: [Int]
        var valid: [Bool]
        var values: [Float]
    }

    /// Per-slot mean log power of each band, less that of the slots either side and of the bands
    /// two away, scaled to unit noise per band and weighted by what its chip is worth; nil when
    /// the window holds fewer than three slots.
    private func cellResiduals(_ levels: [Float], slotOf: (Int) -> Double, slotFrames: Double) -> Cells? {
        let bands = AudioBlock.bandCount
        let first = Int(slotOf(0).rounded(.up))
        let last = Int(slotOf(frames - 1).rounded(.down)) - 1
        guard last - first >= 2 else { return nil }
        let count = last - first + 1
        var sums = [Float](repeating: 0, count: count * bands)
        var weights = [Float](repeating: 0, count: count * bands)
        var slotCount = [Int](repeating: 0, count: count)
        for frame in 0..<frames {
            let slot = Int(slotOf(frame).rounded(.down)) - first
            guard slot >= 0, slot < count else { continue }
            slotCount[slot] += 1
            for band in 0..<bands {
                sums[slot * bands + band] += levels[frame * bands + band]
                weights[slot * bands + band] += expectedStrengths[frame * bands + band]
            }
        }
        let full = Int(0.75 * slotFrames)
        let usable = slotCount.map { $0 >= full }
        var logs = sums
        for slot in 0..<count where slotCount[slot] > 0 {
            for band in 0..<bands { logs[slot * bands + band] /= Float(slotCount[slot]) }
        }
        // Each cell less a reference: half the mean of the slots either side, half the band's mean
        // over the window. A held note cancels, the chip, which changes from slot to slot, stays.
        var valid = [Bool](repeating: false, count: count)
        for slot in 1..<max(1, count - 1) { valid[slot] = usable[slot - 1] && usable[slot] && usable[slot + 1] }
        var bandMeans = [Float](repeating: 0, count: bands)
        let validCount = Float(max(1, valid.reduce(0) { $1 ? $0 + 1 : $0 }))
        for slot in 0..<count where valid[slot] {
            for band in 0..<bands { bandMeans[band] += logs[slot * bands + band] / validCount }
        }
        var change = [Float](repeating: 0, count: count * bands)
        for slot in 0..<count where valid[slot] {
            for band in 0..<bands {
                let index = slot * bands + band
                change[index] = Self.change(logs[index], before: logs[index - bands], after: logs[index + bands], bandMean: bandMeans[band])
            }
        }
        // Then less the same change two bands either side: a syllable or a drum hit moves a whole
        // region of the spectrum at once, and cancels too. The bands right next door share part of
        // the cell's own chip through the window's leakage, so they are skipped.
        var residual = change
        for slot in 0..<count where valid[slot] {
            let row = slot * bands
            for band in 0..<bands {
                let below = band >= 2 ? change[row + band - 2] : nil
                let above = band + 2 < bands ? change[row + band + 2] : nil
                residual[row + band] = change[row + band] - Self.bandsTwoAway(below: below, above: above)
            }
        }
        var values = [Float](repeating: 0, count: count * bands)
        for band in 0..<bands {
            // The noise from the median magnitude (at least 0.05); outliers clipped so they
            // cannot drown the band. Each cell is then weighted as its chip is worth (maximum-
            // ratio combining): by the inverse noise again and by the cell's expected strength.
            let magnitudes = (0..<count).filter { valid[$0] }.map { abs(residual[$0 * bands + band]) }.sorted()
            guard !magnitudes.isEmpty else { continue }
            let noise = max(0.05, magnitudes[magnitudes.count / 2] * 1.4826)
            for slot in 0..<count where valid[slot] {
                let index = slot * bands + band
                let weight = weights[index] / Float(slotCount[slot]) / noise
                values[index] = weight * max(-2.5, min(2.5, residual[index] / noise))
            }
        }
        return Cells(first: first, count: count, logs: logs, slotCount: slotCount, valid: valid, values: values)
    }

    /// A window's cell values folded into one block (band × slots): all its slots (empty unless
    /// they span a block), and for the running totals only those past slot `after`, with the
    /// list of them.
    private func fold(_ cells: Cells, after: Int) -> (window: [Float], fresh: [Float], freshSlots: [Int]) {
        let bands = AudioBlock.bandCount
        let slots = AudioBlock.slots
        var folded = [Float](repeating: 0, count: bands * slots)
        var fresh = folded
        // Slots from this index on are new to the totals.
        let firstFresh = max(0, after + 1 - cells.first)
        let freshSlots = (0..<cells.count).filter { cells.valid[$0] && $0 >= firstFresh }.map { cells.first + $0 }
        for slot in 0..<cells.count where cells.valid[slot] {
            for band in 0..<bands {
                let value = cells.values[slot * bands + band]
                folded[band * slots + (cells.first + slot) % slots] += value
                if slot >= firstFresh { fresh[band * slots + (cells.first + slot) % slots] += value }
            }
        }
        return (cells.count > slots ? folded : [], fresh, freshSlots)
    }

    /// A cell's level less its reference: half the mean of the slots either side
    /// (`slotReference`), half the band's mean.
    static func change(_ level: Float, before: Float, after: Float, bandMean: Float) -> Float {
        level - slotReference * 0.5 * (before + after) - (1 - slotReference) * bandMean
    }

    /// What is taken off a cell's change for the bands two away: their mean, or the one there is.
    static func bandsTwoAway(below: Float?, above: Float?) -> Float {
        below.map { low in above.map { 0.5 * (low + $0) } ?? low } ?? above ?? 0
    }

    /// The best cyclic slot offset of the sync chips in a folded block, and the two next best,
    /// each scored as a z-value (unit noise), on the grid of `alignment` (whose offset is
    /// ignored). The sum of each group of four is one term: the music's residuals in a group
    /// are correlated, and the checkerboard adds them up.
    private func syncCandidates(_ folded: [Float], _ alignment: Alignment) -> [Candidate] {
        guard !folded.isEmpty else { return [] }
        let slots = AudioBlock.slots
        var scored: [Candidate] = []
        for offset in 0..<slots {
            var sum: Float = 0
            var squares: Float = 0
            for group in stride(from: 0, to: layout.sync.count, by: AudioBlock.groupCells) {
                var term: Float = 0
                for cell in layout.sync[group..<(group + AudioBlock.groupCells)] {
                    term += cell.chip * folded[cell.y * slots + (cell.x + offset) % slots]
                }
                sum += term
                squares += term * term
            }
            if squares > 0 {
                var aligned = alignment
                aligned.offset = offset
                scored.append(Candidate(score: sum / squares.squareRoot(), folded: folded, alignment: aligned))
            }
        }
        return Array(scored.sorted { $0.score > $1.score }.prefix(3))
    }

    /// Each coded bit's cells summed, each band weighted by what the sync cells of the bands around
    /// it (±`evidenceSpread`) show of the mark there: their mean signed value over the bands' power
    /// (maximum-ratio combining again, now measured). So the bands an attack emptied, a codec's
    /// dropped highs or a filter's cut, count for little.
    private func softBits(_ folded: [Float], offset: Int) -> [Float] {
        let slots = AudioBlock.slots
        let bands = AudioBlock.bandCount
        var evidence = [Float](repeating: 0, count: bands)
        var syncCells = [Float](repeating: 0, count: bands)
        var power = [Float](repeating: 0, count: bands)
        for cell in layout.sync {
            evidence[cell.y] += cell.chip * folded[cell.y * slots + (cell.x + offset) % slots]
            syncCells[cell.y] += 1
        }
        for band in 0..<bands {
            for slot in 0..<slots { power[band] += folded[band * slots + slot] * folded[band * slots + slot] }
        }
        var gains = (0..<bands).map { band in
            let near = max(0, band - Self.evidenceSpread)...min(bands - 1, band + Self.evidenceSpread)
            let cells = near.reduce(Float(0)) { $0 + syncCells[$1] }
            let meanPower = near.reduce(Float(0)) { $0 + power[$1] } / Float(near.count * slots)
            guard cells > 0, meanPower > 0 else { return Float(0) }
            return max(0, near.reduce(Float(0)) { $0 + evidence[$1] } / cells) / meanPower
        }
        if !gains.contains(where: { $0 > 0 }) { gains = [Float](repeating: 1, count: bands) }
        var soft = [Float](repeating: 0, count: WatermarkCode.codedBits)
        for cell in layout.data {
            guard let bit = cell.bit else { continue }
            soft[bit] += gains[cell.y] * cell.chip * folded[cell.y * slots + (cell.x + offset) % slots]
        }
        return soft
    }
}
