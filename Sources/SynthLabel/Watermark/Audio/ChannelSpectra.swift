/// The step the embedder and the detector share to read channels, interleaved as files hold
/// them, frame by frame: each channel windowed out of the samples and transformed, and the
/// channels' spectra summed into their mean power and their mix's spectrum.
enum ChannelSpectra {
    /// The spectra of one frame of `input` (interleaved `channels`, from frame `offset`), each
    /// channel windowed over `range` (`frame` is the work space; outside `range` it is left as it
    /// is) and transformed. One channel: its spectrum into part 0 of `real` and `imaginary`, and
    /// each bin's power into `power`. Several: each channel's into parts 1…channels, then their
    /// mix into part 0 and their mean power into `power` (`mix`).
    static func transform(
        _ input: UnsafeBufferPointer<Float>, channels: Int, from offset: Int, range: Range<Int>, window: UnsafeBufferPointer<Float>,
        fft: RealFFT, frame: UnsafeMutableBufferPointer<Float>, real: UnsafeMutableBufferPointer<Float>,
        imaginary: UnsafeMutableBufferPointer<Float>, power: UnsafeMutableBufferPointer<Float>
    ) {
        let bins = fft.size / 2 + 1
        for channel in 0..<channels {
            Self.window(input, channel: channel, of: channels, from: offset, range: range, window: window, into: frame)
            let part = channels > 1 ? channel + 1 : 0
            let slice = (part * bins)..<((part + 1) * bins)
            fft.forward(
                UnsafeBufferPointer(frame), real: UnsafeMutableBufferPointer(rebasing: real[slice]),
                imaginary: UnsafeMutableBufferPointer(rebasing: imaginary[slice]))
        }
        guard channels > 1 else {
            for bin in 0..<bins { power[bin] = real[bin] * real[bin] + imaginary[bin] * imaginary[bin] }
            return
        }
        mix(real: real, imaginary: imaginary, channels: channels, bins: bins, power: power)
    }

    /// Channel `channel` of `channels` in `input`, from frame `offset`, times `window`, into
    /// `frame` over `range` (the rest of `frame` is left as it is).
    private static func window(
        _ input: UnsafeBufferPointer<Float>, channel: Int, of channels: Int, from offset: Int, range: Range<Int>,
        window: UnsafeBufferPointer<Float>, into frame: UnsafeMutableBufferPointer<Float>
    ) {
        for index in range { frame[index] = input[(offset &+ index) &* channels &+ channel] * window[index] }
    }

    /// `real` and `imaginary` hold `channels` + 1 parts of `bins`: the mix's spectrum is written
    /// into part 0 from the channels' spectra in parts 1…channels, and each bin's mean power over
    /// the channels into `power`.
    static func mix(
        real: UnsafeMutableBufferPointer<Float>, imaginary: UnsafeMutableBufferPointer<Float>, channels: Int, bins: Int,
        power: UnsafeMutableBufferPointer<Float>
    ) {
        let share = 1 / Float(channels)
        for bin in 0..<bins {
            var binPower: Float = 0
            var mixReal: Float = 0
            var mixImaginary: Float = 0
            for part in 1...channels {
                let r = real[part &* bins &+ bin]
                let i = imaginary[part &* bins &+ bin]
                binPower += (r * r + i * i) * share
                mixReal += r
                mixImaginary += i
            }
            power[bin] = binPower
            real[bin] = mixReal * share
            imaginary[bin] = mixImaginary * share
        }
    }
}
