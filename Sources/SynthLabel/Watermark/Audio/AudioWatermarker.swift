/// The audio mark on files, through libsndfile: WAV, FLAC, Ogg Vorbis/Opus and MP3 in, the
/// same container, encoding, rate and channels out (experimental: not yet used by `label` or
/// `verify`, whose detector does not yet decode music and speech reliably). Integer PCM is read and written as integers, so
/// only the mark's change (rounded to the file's bit depth) differs; float and lossy encodings
/// go through doubles and libsndfile's encoders.
enum AudioWatermarker {
    static let carriers: Set<Carrier> = [.wav, .flac, .ogg, .mp3]
    private static let block = 8192

    /// `file` marked with the payload of `label` under `key` (unchanged
    /// when it already carries that very mark), and the payload in hex. A programme already
    /// marked for another label under this key is refused, as for images.
    static func mark(_ file: FileSource, carrier: Carrier, for label: AIGCLabel, key: WatermarkKey, path: String) throws(SynthLabelError)
        -> (FileSource, payload: String)
    {
        let payload = key.payload(for: label)
        let layout = AudioBlock.chips(key: key)
        // Any earlier mark is in every block: the first two windows tell.
        if try detect(file, layout: layout, path: path, windowLimit: 2).alreadyCarries(payload, path: path) {
            return (file, WatermarkDetection.hex(payload))
        }
        let input = try SoundFileReader(file, path: path)
        let output = try SoundFileWriter(like: input.info, carrier: carrier, path: path)
        output.copyStrings(from: input.handle)
        var embedder = AudioMarkEmbedder(layout: layout, payload: payload, sampleRate: input.sampleRate)
        let channels = input.channels
        var mix = [Float](repeating: 0, count: block)
        if let bits = input.integerBits {
            // Whole steps of the file's own depth, held in the top bits of an Int32.
            let step = Double(Int64(1) << (32 - bits))
            let lowest = Double(Int32.min), highest = Double(Int32.max) - step + 1
            var buffer = [Int32](repeating: 0, count: block * channels)
            var pending: [Int32] = []
            func emit(_ change: [Float]) {
                var out = [Int32](repeating: 0, count: change.count * channels)
                for (frame, delta) in change.enumerated() {
                    let shift = (Double(delta) * 2_147_483_648 / step).rounded() * step
                    for channel in 0..<channels {
                        let index = frame * channels + channel
                        out[index] = Int32(min(highest, max(lowest, Double(pending[index]) + shift)))
                    }
                }
                pending.removeFirst(out.count)
                output.write(out, frames: change.count)
            }
            while case let read = input.read(into: &buffer, frames: block), read > 0 {
                for frame in 0..<read {
                    var sum: Double = 0
                    for channel in 0..<channels { sum += Double(buffer[frame * channels + channel]) }
                    mix[frame] = Float(sum / Double(channels) / 2_147_483_648)
                }
                pending += buffer[0..<(read * channels)]
                emit(mix.withUnsafeBufferPointer { embedder.append(UnsafeBufferPointer(rebasing: $0[0..<read])) })
            }
            emit(embedder.finish())
        } else {
            var buffer = [Double](repeating: 0, count: block * channels)
            var pending: [Double] = []
            func emit(_ change: [Float]) {
                var out = [Double](repeating: 0, count: change.count * channels)
                for (frame, delta) in change.enumerated() {
                    for channel in 0..<channels {
                        let index = frame * channels + channel
                        out[index] = min(1, max(-1, pending[index] + Double(delta)))
                    }
                }
                pending.removeFirst(out.count)
                output.write(out, frames: change.count)
            }
            while case let read = input.read(into: &buffer, frames: block), read > 0 {
                for frame in 0..<read {
                    var sum: Double = 0
                    for channel in 0..<channels { sum += buffer[frame * channels + channel] }
                    mix[frame] = Float(sum / Double(channels))
                }
                pending += buffer[0..<(read * channels)]
                emit(mix.withUnsafeBufferPointer { embedder.append(UnsafeBufferPointer(rebasing: $0[0..<read])) })
            }
            emit(embedder.finish())
        }
        return (try output.finish(mode: file.mode), WatermarkDetection.hex(payload))
    }

    /// Looks for the mark in the programme, reading it once, in blocks, and stopping as soon
    /// as a payload decodes.
    static func detect(_ file: FileSource, key: WatermarkKey, path: String) throws(SynthLabelError) -> WatermarkDetection {
        try detect(file, layout: AudioBlock.chips(key: key), path: path, windowLimit: AudioMarkDetector.windowLimit)
    }

    private static func detect(_ file: FileSource, layout: ChipLayout, path: String, windowLimit: Int) throws(SynthLabelError)
        -> WatermarkDetection
    {
        let input = try SoundFileReader(file, path: path)
        var detector = AudioMarkDetector(layout: layout, sampleRate: input.sampleRate, windowLimit: windowLimit)
        let channels = input.channels
        var buffer = [Double](repeating: 0, count: block * channels)
        var mix = [Float](repeating: 0, count: block)
        while !detector.isDone, case let read = input.read(into: &buffer, frames: block), read > 0 {
            for frame in 0..<read {
                var sum: Double = 0
                for channel in 0..<channels { sum += buffer[frame * channels + channel] }
                mix[frame] = Float(sum / Double(channels))
            }
            mix.withUnsafeBufferPointer { detector.append(UnsafeBufferPointer(rebasing: $0[0..<read])) }
        }
        return detector.finish()
    }
}
