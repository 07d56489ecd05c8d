import Glibc

/// The audio explicit label of GB 45438 §5: the rhythm "short long short short", Morse ·− ··
/// for "AI", as a sine tone.
///
/// Defaults follow the figures an existing implementation uses (800 Hz, 120 ms short, 360 ms
/// long, 120 ms gaps; 360 ms between the two letters as Morse spaces them). Each tone rises and
/// falls over `fade` with a raised-cosine ramp so it never clicks. The level follows the
/// programme: the tone's RMS sits `relativeLevel` dB from the programme's RMS, kept between
/// −40 and −6 dBFS peak so it is audible over quiet material and never startling over loud.
public struct RhythmPrompt: Sendable, Equatable {
    /// The tone's frequency in Hz.
    public var frequency = 800.0
    /// A short tone, in seconds.
    public var short = 0.120
    /// A long tone, in seconds.
    public var long = 0.360
    /// Silence between the tones of a letter, in seconds.
    public var gap = 0.120
    /// Silence between the two letters, in seconds.
    public var letterGap = 0.360
    /// Each tone's fade in and out, in seconds.
    public var fade = 0.010
    /// Tone RMS relative to the programme RMS, in dB.
    public var relativeLevel = -3.0
    /// Silence between the prompt and the programme.
    public var pause = 0.300

    /// The default rhythm: 800 Hz, 120 ms and 360 ms tones.
    public init() {}

    /// (start, duration) of each tone in seconds from the prompt's start.
    var tones: [(start: Double, duration: Double)] {
        let first = 0.0
        let second = first + short + gap
        let third = second + long + letterGap
        let fourth = third + short + gap
        return [(first, short), (second, long), (third, short), (fourth, short)]
    }

    var duration: Double { tones.last.map { $0.start + $0.duration } ?? 0 }

    /// Peak amplitude (0…1) for a programme of the given RMS (0…1 full scale).
    func amplitude(programmeRMS: Double) -> Double {
        let rms = max(programmeRMS, 1e-6) * pow(10, relativeLevel / 20)
        return min(0.5, max(0.01, rms * 2.0.squareRoot()))
    }

    /// The prompt as mono samples (−1…1), followed by `pause` of silence when `pauseAfter`,
    /// or preceded by it when not.
    func samples(sampleRate: Int, amplitude: Double, pauseAfter: Bool) -> [Double] {
        let rate = Double(sampleRate)
        let pauseFrames = Int(pause * rate)
        var tone = [Double](repeating: 0, count: Int((duration * rate).rounded(.up)))
        let ramp = max(1, Int(fade * rate))
        for (start, length) in tones {
            let first = Int(start * rate)
            let count = Int(length * rate)
            for index in 0..<count where first + index < tone.count {
                let envelope: Double
                if index < ramp {
                    envelope = 0.5 - 0.5 * cos(Double.pi * Double(index) / Double(ramp))
                } else if index >= count - ramp {
                    envelope = 0.5 - 0.5 * cos(Double.pi * Double(count - 1 - index) / Double(ramp))
                } else {
                    envelope = 1
                }
                tone[first + index] = amplitude * envelope * sin(2 * Double.pi * frequency * Double(index) / rate)
            }
        }
        let silence = [Double](repeating: 0, count: pauseFrames)
        return pauseAfter ? tone + silence : silence + tone
    }
}
