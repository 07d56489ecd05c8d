/// The audio mark on files, through libsndfile: WAV, FLAC, Ogg Vorbis/Opus and MP3 in, the
/// same container, encoding, rate and channels out. Integer PCM is read and written as
/// integers, so only the mark's change (rounded to the file's bit depth) differs; float and lossy
/// encodings go through doubles and libsndfile's encoders.
enum AudioWatermarker {
    static let carriers: Set<Carrier> = [.wav, .flac, .ogg, .mp3]
    private static let block = 8192
    /// An earlier mark is looked for in the first 7 windows (67 s), at the programme's own speed:
    /// a mark that takes longer to read than that, or one in a copy whose speed was changed, is
    /// not found, and marking over it would weaken it. Reading the whole of a long programme
    /// first, at every speed, would halve the speed of marking.
    static let earlierMarkWindows = 7

    /// `file` marked with the payload of `label` under `key` (unchanged
    /// when it already carries that very mark), and the payload in hex. A programme already
    /// marked for another label under this key is refused, as for images.
    static func mark(_ file: FileSource, carrier: Carrier, for label: AIGCLabel, key: WatermarkKey, path: String) throws(SynthLabelError)
        -> (FileSource, payload: String)
    {
        let payload = key.payload(for: label)
        let layout = AudioBlock.chips(key: key)
        let earlier = try detect(file, layout: layout, path: path, windowLimit: earlierMarkWindows, thorough: false)
        if try earlier.alreadyCarries(payload, path: path) {
            return (file, WatermarkDetection.hex(payload))
        }
        let input = try SoundFileReader(file, path: path)
        let output = try SoundFileWriter(like: input.info, carrier: carrier, path: path)
        output.copyStrings(from: input.handle)
        var embedder = AudioMarkEmbedder(layout: layout, payload: payload, sampleRate: input.sampleRate, channels: input.channels)
        if let bits = input.integerBits {
            // Whole steps of the file's own depth, held in the top bits of an Int32.
            let step = Int64(1) << (32 - bits)
            copyMarking(
                channels: input.channels, embedder: &embedder, zero: Int32(0), read: { input.read(into: &$0, frames: block) },
                grid: SampleGrid(range: Int32.min...Int32(Int64(Int32.max) - step + 1), step: step),
                write: { output.write($0, frames: $1) })
        } else {
            copyMarking(
                channels: input.channels, embedder: &embedder, zero: 0.0, read: { input.read(into: &$0, frames: block) },
                grid: SampleGrid(range: -1...1), write: { output.write($0, frames: $1) })
        }
        return (try output.finish(mode: file.mode), WatermarkDetection.hex(payload))
    }

    /// Streams the programme through the embedder: blocks come from `read`, and every sample
    /// goes to `write` with its change (made an offset on the file's `grid`) added, as soon as
    /// the embedder has that change.
    private static func copyMarking<Sample: MarkedSample>(
        channels: Int, embedder: inout AudioMarkEmbedder, zero: Sample, read: (inout [Sample]) -> Int,
        grid: SampleGrid<Sample>, write: ([Sample], Int) -> Void
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
                    for (index, delta) in change.enumerated() {
                        out[index] = waiting[index].shifted(by: Sample.offset(delta, on: grid), within: grid.range)
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
    /// as a payload decodes.
    static func detect(_ file: FileSource, key: WatermarkKey, path: String) throws(SynthLabelError) -> WatermarkDetection {
        try detect(file, layout: AudioBlock.chips(key: key), path: path, windowLimit: AudioMarkDetector.windowLimit, thorough: true)
    }

    private static func detect(
        _ file: FileSource, layout: ChipLayout, path: String, windowLimit: Int, thorough: Bool
    ) throws(SynthLabelError)
        -> WatermarkDetection
    {
        let input = try SoundFileReader(file, path: path)
        let channels = input.channels
        var detector = AudioMarkDetector(
            layout: layout, sampleRate: input.sampleRate, channels: channels, windowLimit: windowLimit, thorough: thorough)
        var buffer = [Double](repeating: 0, count: block * channels)
        var scaled = [Float](repeating: 0, count: block * channels)
        while !detector.isDone, case let read = input.read(into: &buffer, frames: block), read > 0 {
            fullScale(buffer, count: read * channels, into: &scaled)
            scaled.withUnsafeBufferPointer { detector.append(UnsafeBufferPointer(rebasing: $0[0..<(read * channels)])) }
        }
        return detector.finish()
    }
}

/// The values a file's samples may take: within `range`, and for integer PCM whole steps of the
/// file's depth (doubles leave `step` at 1 and do not read it).
private struct SampleGrid<Sample: MarkedSample> {
    let range: ClosedRange<Sample>
    /// A step of the file's depth in the Int32's units, and how many make full scale's 1.
    let step: Int64
    let stepsPerUnit: Double

    init(range: ClosedRange<Sample>, step: Int64 = 1) {
        self.range = range
        self.step = step
        stepsPerUnit = 2_147_483_648 / Double(step)
    }
}

/// The samples the mark is read from and added to: integer PCM in the top bits of an Int32, or
/// doubles at full scale ±1. (Methods rather than closures, so that the per-sample loops are
/// specialised and inlined rather than calling through a function value.)
private protocol MarkedSample: Comparable {
    /// A change in the sample's own units.
    associatedtype Offset
    /// The sample at full scale ±1.
    var fullScale: Double { get }
    /// A change at full scale as an offset on `grid`.
    static func offset(_ change: Float, on grid: SampleGrid<Self>) -> Offset
    /// The sample with `offset` added, held within `range`.
    func shifted(by offset: Offset, within range: ClosedRange<Self>) -> Self
}

extension Int32: MarkedSample {
    var fullScale: Double { Double(self) / 2_147_483_648 }
    /// The nearest whole step, ties to even: adding and taking off 1.5 × 2⁵² rounds so (exactly,
    /// for anything under 2⁵¹) without calling the C library once per frame.
    fileprivate static func offset(_ change: Float, on grid: SampleGrid<Int32>) -> Int64 {
        let steps = Double(change) * grid.stepsPerUnit
        return Int64((steps + 0x1.8p52) - 0x1.8p52) * grid.step
    }
    /// In integers, which cannot trap or round, so the loop is as cheap as a copy.
    func shifted(by offset: Int64, within range: ClosedRange<Int32>) -> Int32 {
        Int32(truncatingIfNeeded: Swift.min(Int64(range.upperBound), Swift.max(Int64(range.lowerBound), Int64(self) + offset)))
    }
}

extension Double: MarkedSample {
    var fullScale: Double { self }
    fileprivate static func offset(_ change: Float, on grid: SampleGrid<Double>) -> Double { Double(change) }
    func shifted(by offset: Double, within range: ClosedRange<Double>) -> Double {
        Swift.min(range.upperBound, Swift.max(range.lowerBound, self + offset))
    }
}
