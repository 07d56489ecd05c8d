/// The steps the embedder and the detector share to read several channels, interleaved as
/// files hold them, frame by frame: one channel windowed out of the samples, and the channels'
/// spectra summed into their mean power and their mix's spectrum.
enum ChannelSpectra {
    /// Channel `channel` of `channels` in `input`, from frame `offset`, times `window`, into
    /// `frame` over `range` (the rest of `frame` is left as it is).
    static func window(
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
