import CSndFile
import Glibc

/// Finds the rhythm prompt ·− ·· in the first and last seconds of an audio file.
///
/// The tone's amplitude is tracked with a Goertzel filter at the prompt frequency (20 ms
/// windows, 5 ms hops); frames where the tone is both strong (above a third of the window's
/// loudest tone) and dominant (at least half the frame's energy) are "on". Four on-runs whose
/// lengths read short, long, short, short (long 2–4.5× short) with Morse-like gaps make a
/// match. Thresholds are relative, so level changes do not matter, and the 20 ms windows
/// tolerate the smearing and delay of lossy codecs (MP3 adds ~25 ms of padding at the start).
struct RhythmDetector {
    var prompt: RhythmPrompt
    /// Seconds read at each end: the prompt, its pause, and room for codec delay.
    var window = 4.0

    struct Match {
        var position: PromptPosition
        /// Seconds from the start of the window where the first tone begins.
        var offset: Double
        /// 0…1: how closely the durations fit the pattern.
        var confidence: Double
    }

    /// Reads the file through `SoundFileReader` (virtual I/O), so any path a `FileSource`
    /// opened works, whatever bytes its name holds.
    func detect(_ source: FileSource) throws(SynthLabelError) -> [Match] {
        let reader = try SoundFileReader(source, path: source.path)
        let info = reader.info
        let file = reader.handle
        let rate = reader.sampleRate
        let channels = reader.channels
        let frames = Int(window * Double(rate))
        var matches: [Match] = []
        let head = read(file, frames: frames, channels: channels)
        if let match = find(in: head, rate: rate) {
            matches.append(Match(position: .start, offset: match.offset, confidence: match.confidence))
        }
        guard head.count == frames else { return matches }  // the whole file fit in the head window
        // libsndfile seeks Ogg by bisection, which looped forever on a stream with odd padding
        // pages in our tests, so Ogg is read through to the end (bounded); WAV, FLAC and MP3
        // (mpg123's frame index) seek directly.
        let major = info.format & Int32(SF_FORMAT_TYPEMASK)
        let seekable = major != Int32(SF_FORMAT_OGG)
        var tail: [Double] = []
        var tailStart = 0.0
        if seekable, info.frames > sf_count_t(frames * 2), sf_seek(file, info.frames - sf_count_t(frames), SEEK_SET) >= 0 {
            tail = read(file, frames: frames, channels: channels)
        } else {
            // Keep the last two windows while reading on; stop after `sequentialLimit` seconds.
            var recent = head
            var readFrames = head.count
            while readFrames < Int(sequentialLimit * Double(rate)) {
                let next = read(file, frames: frames, channels: channels)
                if next.isEmpty { break }
                readFrames += next.count
                recent = Array((recent + next).suffix(frames * 2))
            }
            tail = Array(recent.suffix(frames))
            tailStart = Double(readFrames - tail.count) / Double(rate)
        }
        // The end prompt must lie beyond the start window, or a short file's start prompt counts twice.
        if let match = find(in: tail, rate: rate), tailStart + match.offset >= window || matches.isEmpty || seekable {
            matches.append(Match(position: .end, offset: match.offset, confidence: match.confidence))
        }
        return matches
    }

    /// Longest stretch of Ogg or MP3 audio read through to reach its end (one hour).
    var sequentialLimit = 3600.0

    private func read(_ file: OpaquePointer, frames: Int, channels: Int) -> [Double] {
        var interleaved = [Double](repeating: 0, count: frames * channels)
        let got = interleaved.withUnsafeMutableBufferPointer { sf_readf_double(file, $0.baseAddress, sf_count_t(frames)) }
        guard got > 0 else { return [] }
        var mono = [Double](repeating: 0, count: Int(got))
        for index in 0..<Int(got) {
            var sum = 0.0
            for channel in 0..<channels { sum += interleaved[index * channels + channel] }
            mono[index] = sum / Double(channels)
        }
        return mono
    }

    /// The pattern in mono samples, if present.
    func find(in samples: [Double], rate: Int, after minimumOffset: Double = 0) -> (offset: Double, confidence: Double)? {
        let windowLength = max(8, rate / 50)
        let hop = max(1, rate / 200)
        guard samples.count > windowLength else { return nil }
        let coefficient = 2 * cos(2 * Double.pi * prompt.frequency / Double(rate))
        var amplitudes: [Double] = []
        var tonal: [Bool] = []
        var start = 0
        while start + windowLength <= samples.count {
            var previous = 0.0
            var beforePrevious = 0.0
            var energy = 0.0
            for index in start..<start + windowLength {
                let sample = samples[index]
                energy += sample * sample
                let current = sample + coefficient * previous - beforePrevious
                beforePrevious = previous
                previous = current
            }
            let power = max(0, previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious)
            let amplitude = 2 * power.squareRoot() / Double(windowLength)
            amplitudes.append(amplitude)
            // A sine of amplitude A carries A²/2 per sample.
            tonal.append(energy > 0 && amplitude * amplitude / 2 >= 0.5 * energy / Double(windowLength))
            start += hop
        }
        guard let loudest = amplitudes.max(), loudest > 1e-4 else { return nil }
        let threshold = loudest / 3
        var runs: [(start: Int, length: Int)] = []
        for (index, amplitude) in amplitudes.enumerated() where amplitude >= threshold && tonal[index] {
            if let last = runs.last, index - (last.start + last.length) <= 2 {
                runs[runs.count - 1].length = index - last.start + 1
            } else {
                runs.append((index, 1))
            }
        }
        let seconds = Double(hop) / Double(rate)
        // A window straddling a tone's edge counts as on, so a run is about one window longer than the tone.
        let widen = Double(windowLength) / Double(rate)
        let durations = runs.map { max(0, Double($0.length) * seconds - widen + seconds) }
        guard runs.count >= 4 else { return nil }
        for first in 0...(runs.count - 4) {
            let d = Array(durations[first..<first + 4])
            let gaps = (0..<3).map { Double(runs[first + $0 + 1].start - runs[first + $0].start) * seconds - d[$0] }
            let unit = (d[0] + d[2] + d[3]) / 3
            guard unit > 0.02, Double(runs[first].start) * seconds >= minimumOffset - 0.5 else { continue }
            let shortsAgree = [d[0], d[2], d[3]].allSatisfy { $0 > unit * 0.6 && $0 < unit * 1.6 }
            let longRatio = d[1] / unit
            let gapsFit =
                gaps[0] > unit * 0.3 && gaps[0] < unit * 3 && gaps[2] > unit * 0.3 && gaps[2] < unit * 3
                && gaps[1] > gaps[0] * 0.8 && gaps[1] < unit * 6
            guard shortsAgree, longRatio >= 2, longRatio <= 4.5, gapsFit else { continue }
            let confidence = max(0, 1 - abs(longRatio - prompt.long / prompt.short) / 3)
            return (Double(runs[first].start) * seconds, min(1, 0.5 + confidence / 2))
        }
        return nil
    }
}
