/// The audio mark on files, through libsndfile: WAV, FLAC, Ogg Vorbis/Opus and MP3 in, the
/// same container, encoding, rate and channels out. Integer PCM is read and written as
/// integers, so only the mark's change (rounded to the file's bit depth) differs; float and lossy
/// encodings go through doubles and libsndfile's encoders.
enum AudioWatermarker {
    static let carriers = Set(Carrier.allCases.filter { $0.profile.watermark && $0.profile.kind == .audio })
    private static let block = 8192
    /// An earlier mark is looked for in the first 7 windows (67 s), at the programme's own speed:
    /// a mark that takes longer to read than that, or one in a copy whose speed was changed, is
    /// not found, and marking over it would weaken it. Reading the whole of a long programme
    /// first, at every speed, would halve the speed of marking.
    static let earlierMarkWindows = 7

    /// `file` marked with the payload of `label` under `key`, at `snr` dB (unchanged when it
    /// already carries that very mark, at whatever SNR), and the payload in hex. A programme
    /// already marked for another label under this key is refused, as for images. Nil when the
    /// marked programme does not give the payload back, tied to it (too short, silent,
    /// noise-like, or too steady to tie to), so no mark is claimed that `verify` would not
    /// attribute; reading back stops at the first window that decodes, and the tie once it shows.
    static func mark(
        _ file: FileSource, carrier: Carrier, for label: AIGCLabel, key: WatermarkKey, snr: Double = AudioMarkEmbedder.defaultSNR,
        path: String
    ) throws(SynthLabelError) -> (FileSource, payload: String)? {
        let payload = key.payload(for: label)
        let layout = AudioBlock.chips(key: key)
        let earlier = try detect(file, layout: layout, path: path, windowLimit: earlierMarkWindows, thorough: false).0
        if try earlier.alreadyCarries(payload, path: path) {
            return (file, WatermarkDetection.hex(payload))
        }
        let input = try SoundFileReader(file, path: path)
        let output = try SoundFileWriter(like: input.info, carrier: carrier, path: path)
        output.copyStrings(from: input.handle)
        var embedder = AudioMarkEmbedder(
            layout: layout, binding: AudioBinding(key: key), payload: payload, sampleRate: input.sampleRate, channels: input.channels,
            snr: snr)
        if let bits = input.integerBits {
            // Whole steps of the file's own depth, held in the top bits of an Int32.
            let step = Int64(1) << (32 - bits)
            copyMarking(
                channels: input.channels, embedder: &embedder, zero: Int32(0), read: { input.read(into: &$0, frames: block) },
                grid: SampleGrid(lower: Double(Int32.min), upper: Double(Int64(Int32.max) - step + 1), step: Double(step)),
                write: { output.write($0, frames: $1) })
        } else {
            copyMarking(
                channels: input.channels, embedder: &embedder, zero: 0.0, read: { input.read(into: &$0, frames: block) },
                grid: SampleGrid(lower: -1, upper: 1), write: { output.write($0, frames: $1) })
        }
        let marked = try output.finish(mode: file.mode)
        guard
            let (readBack, alignment) = try? detect(
                marked, layout: layout, path: path, windowLimit: AudioMarkDetector.windowLimit, thorough: false),
            readBack.carries(payload), let alignment,
            let binding = try? readBinding(
                marked, binding: AudioBinding(key: key), near: alignment.speed, asWritten: true, payload: payload, layout: layout,
                path: path),
            binding.verdict == .confirmed
        else { return nil }
        return (marked, WatermarkDetection.hex(payload))
    }

    /// Streams the programme through the embedder: blocks come from `read`, and every sample
    /// goes to `write` with its change (made an offset on the file's `grid`) added, as soon as
    /// the embedder has that change.
    private static func copyMarking<Sample: MarkedSample>(
        channels: Int, embedder: inout AudioMarkEmbedder, zero: Sample, read: (inout [Sample]) -> Int,
        grid: SampleGrid, write: ([Sample], Int) -> Void
    ) {
        var buffer = [Sample](repeating: zero, count: block * channels)
        var scaled = [Float](repeating: 0, count: block * channels)
        // The samples waiting for their change, from `head` (dropped once that is half of them).
        var pending: [Sample] = []
        var head = 0
        func emit(_ change: [Float]) {
            var out = [Sample](repeating: zero, count: change.count)
            pending.withUnsafeBufferPointer { pending in
                out.withUnsafeMutableBufferPointer { out in
                    let waiting = UnsafeBufferPointer(rebasing: pending[head...])
                    change.withUnsafeBufferPointer { change in
                        for index in change.indices { out[index] = waiting[index].marked(by: change[index], on: grid) }
                    }
                }
            }
            head += out.count
            if head > pending.count / 2 {
                pending.removeFirst(head)
                head = 0
            }
            write(out, change.count / channels)
        }
        while case let frames = read(&buffer), frames > 0 {
            fullScale(buffer, count: frames * channels, into: &scaled)
            pending += buffer[0..<(frames * channels)]
            emit(scaled.withUnsafeBufferPointer { embedder.append(UnsafeBufferPointer(rebasing: $0[0..<(frames * channels)])) })
        }
        emit(embedder.finish())
    }

    /// The first `count` samples at full scale ±1.
    private static func fullScale<Sample: MarkedSample>(_ samples: [Sample], count: Int, into scaled: inout [Float]) {
        samples.withUnsafeBufferPointer { samples in
            scaled.withUnsafeMutableBufferPointer { scaled in
                for index in 0..<count { scaled[index] = Float(samples[index].fullScale) }
            }
        }
    }

    /// Looks for the mark in the programme, reading it once, in blocks, and stopping as soon
    /// as a payload decodes; then, for a mark found, reads the programme again near the speed
    /// that found it, for the binding layer (`AudioBinding`): whether the mark was made for it.
    static func detect(_ file: FileSource, key: WatermarkKey, path: String) throws(SynthLabelError) -> WatermarkDetection {
        let layout = AudioBlock.chips(key: key)
        var (found, alignment) = try detect(file, layout: layout, path: path, windowLimit: AudioMarkDetector.windowLimit, thorough: true)
        guard let payload = found.payload, let alignment else { return found }
        found.binding = try readBinding(
            file, binding: AudioBinding(key: key), near: alignment.speed, payload: payload, layout: layout, path: path)
        return found
    }

    private static func detect(
        _ file: FileSource, layout: ChipLayout, path: String, windowLimit: Int, thorough: Bool
    ) throws(SynthLabelError) -> (WatermarkDetection, AudioMarkDetector.Alignment?) {
        let input = try SoundFileReader(file, path: path)
        var detector = AudioMarkDetector(
            layout: layout, sampleRate: input.sampleRate, channels: input.channels, windowLimit: windowLimit, thorough: thorough)
        stream(input, into: &detector)
        return (detector.finish(), detector.alignment)
    }

    /// The binding layer of a programme whose mark decoded to `payload` at `speed`.
    private static func readBinding(
        _ file: FileSource, binding: AudioBinding, near speed: Double, asWritten: Bool = false, payload: UInt64, layout: ChipLayout,
        path: String
    ) throws(SynthLabelError) -> WatermarkBinding {
        let input = try SoundFileReader(file, path: path)
        var reader = AudioMarkDetector.reading(
            binding: binding, near: speed, asWritten: asWritten, chips: layout.cellSigns(coded: WatermarkCode.encode(payload)),
            layout: layout, sampleRate: input.sampleRate, channels: input.channels)
        stream(input, into: &reader)
        return reader.finishBinding()
    }

    /// Feeds the programme to a detector, in blocks, until it is done or the programme ends.
    private static func stream(_ input: SoundFileReader, into detector: inout AudioMarkDetector) {
        let channels = input.channels
        var buffer = [Double](repeating: 0, count: block * channels)
        var scaled = [Float](repeating: 0, count: block * channels)
        while !detector.isDone, case let read = input.read(into: &buffer, frames: block), read > 0 {
            fullScale(buffer, count: read * channels, into: &scaled)
            scaled.withUnsafeBufferPointer { detector.append(UnsafeBufferPointer(rebasing: $0[0..<(read * channels)])) }
        }
    }
}

/// The values a file's samples may take: within `lower...upper`, and for integer PCM whole
/// steps of the file's depth (`step`, in the Int32's units; doubles leave it at 1 and do not read
/// it). Held as doubles, which represent every Int32 and every sum of one and a change exactly.
private struct SampleGrid {
    let lower: Double
    let upper: Double
    let step: Double
    /// How many steps make full scale's 1.
    let stepsPerUnit: Double

    init(lower: Double, upper: Double, step: Double = 1) {
        self.lower = lower
        self.upper = upper
        self.step = step
        stepsPerUnit = 2_147_483_648 / step
    }
}

/// The samples the mark is read from and added to: integer PCM in the top bits of an Int32, or
/// doubles at full scale ±1. (Methods rather than closures, so that the per-sample loops are
/// specialised and inlined rather than calling through a function value.)
private protocol MarkedSample {
    /// The sample at full scale ±1.
    var fullScale: Double { get }
    /// The sample with `change` (at full scale) added, on `grid`.
    func marked(by change: Float, on grid: SampleGrid) -> Self
}

/// 1.5 × 2⁵²: a double between it and twice it has a unit step, so adding it and taking it off
/// rounds to a whole number (ties to even), and its low 32 bits are then that number as an Int32.
private let wholeNumbers: Double = 0x1.8p52

extension Int32: MarkedSample {
    var fullScale: Double { Double(self) / 2_147_483_648 }
    /// The change as whole steps, added and held within the grid, all in doubles and without a
    /// conversion that could trap (or call the C library), so the loop vectorises.
    fileprivate func marked(by change: Float, on grid: SampleGrid) -> Int32 {
        let steps = (Double(change) * grid.stepsPerUnit + wholeNumbers) - wholeNumbers
        let sum = Swift.min(grid.upper, Swift.max(grid.lower, Double(self) + steps * grid.step))
        return Int32(truncatingIfNeeded: (sum + wholeNumbers).bitPattern)
    }
}

extension Double: MarkedSample {
    var fullScale: Double { self }
    fileprivate func marked(by change: Float, on grid: SampleGrid) -> Double {
        Swift.min(grid.upper, Swift.max(grid.lower, self + Double(change)))
    }
}
