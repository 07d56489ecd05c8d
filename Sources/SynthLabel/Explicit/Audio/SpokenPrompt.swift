import Glibc

/// The spoken audio prompt: "人工智能生成" read once by espeak-ng's Mandarin voice at about 137
/// characters per minute (GB 45438 §5 asks for 120–160), shipped as a 45 KB 16 kHz μ-law WAV
/// compiled into the library (`scripts/make-spoken-prompt.sh` remakes it).
///
/// It is resampled to the programme's rate with a windowed-sinc filter, and its RMS is set
/// `relativeLevel` dB from the programme's, like the rhythm prompt, peaks kept under −1 dBFS.
struct SpokenPrompt {
    var relativeLevel = -3.0
    var pause = 0.300

    /// The recording as stored, in −1…1 at `recordedRate`.
    static let recordedRate = 16000
    static let recording: [Double] = decodeMuLawWAV(PackageResources.SpokenPrompt_wav)

    func samples(sampleRate: Int, programmeRMS: Double, pauseAfter: Bool) -> [Double] {
        var voice = Resampler.resample(Self.recording, from: Self.recordedRate, to: sampleRate)
        let rms = (voice.reduce(0) { $0 + $1 * $1 } / Double(max(1, voice.count))).squareRoot()
        let target = min(0.25, max(0.005, max(programmeRMS, 1e-6) * pow(10, relativeLevel / 20)))
        let peak = voice.map(abs).max() ?? 1
        let gain = min(target / max(rms, 1e-9), 0.89 / max(peak, 1e-9))
        voice = voice.map { $0 * gain }
        let silence = [Double](repeating: 0, count: Int(pause * Double(sampleRate)))
        return pauseAfter ? voice + silence : silence + voice
    }

    /// The samples of a mono G.711 μ-law WAV (the format the asset is made in).
    static func decodeMuLawWAV(_ bytes: [UInt8]) -> [Double] {
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            if id == "data" {
                return bytes[(offset + 8)..<min(bytes.count, offset + 8 + size)].map(muLaw)
            }
            offset += 8 + size + (size & 1)
        }
        return []
    }

    /// ITU-T G.711 μ-law expansion to −1…1.
    static func muLaw(_ byte: UInt8) -> Double {
        let inverted = ~byte
        let exponent = Int((inverted >> 4) & 0x07)
        let mantissa = Int(inverted & 0x0F)
        let magnitude = ((mantissa << 3) + 0x84) << exponent - 0x84
        return Double(inverted & 0x80 != 0 ? -magnitude : magnitude) / 32768
    }
}

/// Sample-rate conversion by windowed-sinc interpolation (Blackman window, 16 zero crossings
/// each side, cutoff at the lower Nyquist frequency): plenty for a short voice prompt.
enum Resampler {
    static func resample(_ input: [Double], from inRate: Int, to outRate: Int) -> [Double] {
        guard inRate != outRate, !input.isEmpty, inRate > 0, outRate > 0 else { return input }
        let ratio = Double(inRate) / Double(outRate)
        let cutoff = min(1, 1 / ratio)  // relative to the input's Nyquist
        let halfWidth = 16 / cutoff
        let count = Int((Double(input.count) / ratio).rounded(.down))
        var output = [Double](repeating: 0, count: count)
        for index in 0..<count {
            let centre = Double(index) * ratio
            let first = max(0, Int((centre - halfWidth).rounded(.up)))
            let last = min(input.count - 1, Int((centre + halfWidth).rounded(.down)))
            guard first <= last else { continue }
            var sum = 0.0
            for source in first...last {
                let distance = Double(source) - centre
                let x = distance * cutoff
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let position = (distance + halfWidth) / (2 * halfWidth)
                let window = 0.42 - 0.5 * cos(2 * Double.pi * position) + 0.08 * cos(4 * Double.pi * position)
                sum += input[source] * sinc * window * cutoff
            }
            output[index] = sum
        }
        return output
    }
}
