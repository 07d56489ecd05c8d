import CSndFile
import Glibc

/// Puts the rhythm or spoken prompt before and/or after the programme, through libsndfile.
///
/// The output keeps the input's container, encoding, sample rate and channel count. PCM is
/// read and written as 32-bit integers, so programme samples come out bit-exact; float files
/// go through doubles, also exact. Lossy formats (MP3, Vorbis, Opus) are decoded and
/// re-encoded by libsndfile's encoders at their default settings. Title, artist and the other
/// string tags libsndfile knows are copied; the implicit label is written afterwards by the
/// container adapter. Two passes over the input (loudness, then copy) keep memory flat.
struct AudioPromptWriter {
    var kind: AudioPromptKind
    var rhythm: RhythmPrompt
    var position: PromptPosition

    func apply(to file: FileSource, carrier: Carrier, path: String) throws(SynthLabelError) -> ExplicitLabel.Result {
        // A rhythm prompt already there (from either kind of run) is not doubled; the spoken
        // prompt is not recognised by ear, so a spoken rerun adds another.
        if let found = try? RhythmDetector(prompt: rhythm).detect(file).first {
            return .init(file: nil, caption: nil, summary: "rhythm prompt already \(found.position.phrase)")
        }
        // Pass 1 measures, pass 2 copies; each opens the file afresh (seeking Ogg and MP3 back
        // through libsndfile is slow on some streams).
        let measuring = try SoundFileReader(file, path: path)
        let info = measuring.info
        let channels = measuring.channels
        let block = 8192

        // Pass 1: programme loudness (RMS over all samples).
        var sumOfSquares = 0.0
        var count = 0
        var buffer = [Double](repeating: 0, count: block * channels)
        while case let read = measuring.read(into: &buffer, frames: block), read > 0 {
            for sample in buffer[0..<read * channels] { sumOfSquares += sample * sample }
            count += read * channels
        }
        let rms = count > 0 ? (sumOfSquares / Double(count)).squareRoot() : 0
        let amplitude = rhythm.amplitude(programmeRMS: rms)
        let input = try SoundFileReader(file, path: path)

        // Pass 2: prompt, programme, prompt into a temporary file libsndfile encodes.
        let output = try SoundFileWriter(like: info, carrier: carrier, path: path)
        output.copyStrings(from: input.handle)
        func writePrompt(pauseAfter: Bool) {
            let mono =
                kind == .rhythm
                ? rhythm.samples(sampleRate: Int(info.samplerate), amplitude: amplitude, pauseAfter: pauseAfter)
                : SpokenPrompt(relativeLevel: rhythm.relativeLevel, pause: rhythm.pause).samples(
                    sampleRate: Int(info.samplerate), programmeRMS: rms, pauseAfter: pauseAfter)
            var frames = [Double](repeating: 0, count: mono.count * channels)
            for (index, sample) in mono.enumerated() {
                for channel in 0..<channels { frames[index * channels + channel] = sample }
            }
            output.write(frames, frames: mono.count)
        }
        if position.includesStart { writePrompt(pauseAfter: true) }
        if input.isFloatingPoint {
            while case let read = input.read(into: &buffer, frames: block), read > 0 { output.write(buffer, frames: read) }
        } else {
            var integers = [Int32](repeating: 0, count: block * channels)
            while case let read = input.read(into: &integers, frames: block), read > 0 { output.write(integers, frames: read) }
        }
        if position.includesEnd { writePrompt(pauseAfter: false) }
        // The labelled file is read from the temporary one, which stays readable through its
        // open descriptor after its name is removed; it takes the original's permissions.
        let encoded = try output.finish(mode: file.mode)
        return .init(
            file: encoded, caption: nil,
            summary: kind == .rhythm
                ? "rhythm prompt ·− ·· \(position.phrase), \(Int(rhythm.frequency)) Hz, peak \(Int((20 * log10(amplitude)).rounded())) dBFS"
                : "spoken prompt \"人工智能生成\" \(position.phrase)")
    }
}
