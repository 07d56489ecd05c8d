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
        if let found = try? RhythmDetector(prompt: rhythm).detect(path: path).first {
            return .init(file: nil, caption: nil, summary: "rhythm prompt already \(found.position.phrase)")
        }
        var info = SF_INFO()
        // Pass 1 measures, pass 2 copies; each opens the file afresh (seeking Ogg and MP3 back
        // through libsndfile is slow on some streams).
        guard let measuring = sf_open(path, Int32(SFM_READ), &info) else {
            throw .damaged(path: path, FormatError(.corrupt, "libsndfile cannot decode it: \(String(cString: sf_strerror(nil)))"))
        }
        let channels = Int(info.channels)
        guard channels > 0, info.samplerate > 0 else {
            sf_close(measuring)
            throw .damaged(path: path, FormatError(.corrupt, "no channels or sample rate"))
        }
        let subtype = info.format & Int32(SF_FORMAT_SUBMASK)
        let floating = subtype == Int32(SF_FORMAT_FLOAT) || subtype == Int32(SF_FORMAT_DOUBLE)
        let block = 8192

        // Pass 1: programme loudness (RMS over all samples).
        var sumOfSquares = 0.0
        var count = 0
        var buffer = [Double](repeating: 0, count: block * channels)
        while true {
            let read = buffer.withUnsafeMutableBufferPointer { sf_readf_double(measuring, $0.baseAddress, sf_count_t(block)) }
            if read <= 0 { break }
            for sample in buffer[0..<Int(read) * channels] { sumOfSquares += sample * sample }
            count += Int(read) * channels
        }
        sf_close(measuring)
        let rms = count > 0 ? (sumOfSquares / Double(count)).squareRoot() : 0
        let amplitude = rhythm.amplitude(programmeRMS: rms)
        var inputInfo = SF_INFO()
        guard let input = sf_open(path, Int32(SFM_READ), &inputInfo) else {
            throw .damaged(path: path, FormatError(.corrupt, "libsndfile cannot decode it: \(String(cString: sf_strerror(nil)))"))
        }
        defer { sf_close(input) }

        // Pass 2: prompt, programme, prompt into a temporary file libsndfile encodes.
        let output = try SoundFileWriter(like: info, carrier: carrier, path: path)
        output.copyStrings(from: input)
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
        if floating {
            while true {
                let read = buffer.withUnsafeMutableBufferPointer { sf_readf_double(input, $0.baseAddress, sf_count_t(block)) }
                if read <= 0 { break }
                output.write(buffer, frames: Int(read))
            }
        } else {
            var integers = [Int32](repeating: 0, count: block * channels)
            while true {
                let read = integers.withUnsafeMutableBufferPointer { sf_readf_int(input, $0.baseAddress, sf_count_t(block)) }
                if read <= 0 { break }
                output.write(integers, frames: Int(read))
            }
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
