import Glibc

/// Synthesis: a settled frame's change inverse-transformed, overlap-added, and counted.
extension AudioMarkEmbedder {
    /// Adds a frame's change to `change`: the bands scaled by ±strength (the block's chip, plus
    /// the binding layer's `bound` chip at its relative strength), inverse-transformed and
    /// windowed; a silent frame is left unchanged. With several channels, the mix's change is
    /// common to all and each channel's own part is added to it, where any band has one (only
    /// in wide stereo); two channels' own parts are each other's negation.
    mutating func synthesize(_ pendingFrame: PendingFrame, factors: [Float], bound: [Float], rescale: Float) {
        guard !pendingFrame.levels.isEmpty else { return }
        let size = size
        let bins = size / 2 + 1
        let channels = channels
        let slot = pendingFrame.slot % AudioBlock.slots
        // Per bin, the factor on the mix's spectrum (the only one, for one channel) and on each
        // channel's difference from it.
        var common = [Float](repeating: 0, count: bins)
        var own = [Float](repeating: 0, count: bins)
        var hasOwn = false
        let split = pendingFrame.split
        var gains = [Float](repeating: 0, count: AudioBlock.bandCount)
        for band in gains.indices {
            let cell = band * AudioBlock.slots + slot
            let strength = min(InformedStrengths.ceiling, pendingFrame.strengths[band] * factors[cell] * rescale)
            gains[band] = strength * (signs[cell] + AudioBinding.relativeStrength * bound[cell])
        }
        for bin in 0..<bins where bandOfBin[bin] >= 0 {
            let band = bandOfBin[bin]
            guard channels > 1 else {
                common[bin] = gains[band]
                continue
            }
            common[bin] = gains[band] * split[2 * band]
            own[bin] = gains[band] * split[2 * band + 1]
            hasOwn = hasOwn || own[bin] != 0
        }
        let frameStart = pendingFrame.start
        let needed = (frameStart + size - changeStart) * channels
        if change.count < needed { change += [Float](repeating: 0, count: needed - change.count) }
        let first = max(0, emitted - frameStart)
        let offset = frameStart - changeStart
        // The scratch buffers are taken out of `self` for the frame, so that the loops below
        // run on plain pointers.
        var buffers = scratch
        scratch = ([], [], [], [])
        defer { scratch = buffers }
        let mixPart = transform(pendingFrame, part: 0, factors: common, buffers: &buffers)
        let ownParts = !hasOwn ? 0 : channels == 2 ? 1 : channels
        let parts = (0..<ownParts).map { transform(pendingFrame, part: 1 + $0, factors: own, buffers: &buffers) }
        let scale = 1 / Float(size)
        mixPart.withUnsafeBufferPointer { mixPart in
            window.withUnsafeBufferPointer { window in
                change.withUnsafeMutableBufferPointer { change in
                    // Stereo, by far the most common, in one pass over both channels, which the
                    // compiler vectorises (channel by channel, the strided adds took twice as
                    // long): the second channel's own part is the first's negated.
                    if channels == 2 && ownParts == 0 {
                        for index in first..<size {
                            let common = mixPart[index] * window[index] * scale
                            change[(offset &+ index) &* 2] += common
                            change[(offset &+ index) &* 2 &+ 1] += common
                        }
                        return
                    }
                    if channels == 2 {
                        parts[0].withUnsafeBufferPointer { part in
                            for index in first..<size {
                                let common = mixPart[index] * window[index] * scale
                                let own = part[index] * window[index] * scale
                                change[(offset &+ index) &* 2] += common + own
                                change[(offset &+ index) &* 2 &+ 1] += common - own
                            }
                        }
                        return
                    }
                    for channel in 0..<channels {
                        guard ownParts > 0 else {
                            for index in first..<size {
                                change[(offset &+ index) &* channels &+ channel] += mixPart[index] * window[index] * scale
                            }
                            continue
                        }
                        parts[channel].withUnsafeBufferPointer { part in
                            for index in first..<size {
                                change[(offset &+ index) &* channels &+ channel] += (mixPart[index] + part[index]) * window[index] * scale
                            }
                        }
                    }
                }
            }
        }
    }

    /// The inverse transform of one part of a frame's spectra (a channel's difference from the
    /// mix, or the mix) scaled bin by bin by `factors`.
    private func transform(_ frame: PendingFrame, part: Int, factors: [Float], buffers: inout Scratch) -> [Float] {
        let bins = size / 2 + 1
        buffers.real.withUnsafeMutableBufferPointer { real in
            buffers.imaginary.withUnsafeMutableBufferPointer { imaginary in
                frame.real.withUnsafeBufferPointer { spectrumReal in
                    frame.imaginary.withUnsafeBufferPointer { spectrumImaginary in
                        factors.withUnsafeBufferPointer { factors in
                            let base = part * bins
                            for bin in 0..<bins {
                                real[bin] = spectrumReal[base &+ bin] * factors[bin]
                                imaginary[bin] = spectrumImaginary[base &+ bin] * factors[bin]
                            }
                        }
                    }
                }
                buffers.frame.withUnsafeMutableBufferPointer { samples in
                    fft.inverse(real: real, imaginary: imaginary, into: samples)
                }
            }
        }
        return buffers.frame
    }

    /// Counts the samples a marked frame finished (no later frame reaches them): the channels'
    /// mean squares, of the programme and of the change.
    mutating func countFinished(by frameStart: Int, available: Int) {
        let finished = max(frameStart, 0)..<min(frameStart + hop, available)
        guard !finished.isEmpty else { return }
        let channels = channels
        let share = 1 / Double(channels)
        // The channels are interleaved, so the frames' samples lie one after another.
        let inputRange = ((finished.lowerBound - inputStart) * channels)..<((finished.upperBound - inputStart) * channels)
        // A silent frame adds nothing, and may leave `change` short of it.
        let changeEnd = min(change.count, (finished.upperBound - changeStart) * channels)
        let changeRange = min(changeEnd, (finished.lowerBound - changeStart) * channels)..<changeEnd
        signalEnergy += input.withUnsafeBufferPointer { Self.sumOfSquares(UnsafeBufferPointer(rebasing: $0[inputRange])) } * share
        changeEnergy += change.withUnsafeBufferPointer { Self.sumOfSquares(UnsafeBufferPointer(rebasing: $0[changeRange])) } * share
    }

    /// In doubles, four sums at a time: one running sum would wait on each addition.
    private static func sumOfSquares(_ values: UnsafeBufferPointer<Float>) -> Double {
        var sums: (Double, Double, Double, Double) = (0, 0, 0, 0)
        var index = 0
        while index + 4 <= values.count {
            let a = Double(values[index])
            let b = Double(values[index + 1])
            let c = Double(values[index + 2])
            let d = Double(values[index + 3])
            sums.0 += a * a
            sums.1 += b * b
            sums.2 += c * c
            sums.3 += d * d
            index += 4
        }
        while index < values.count {
            let value = Double(values[index])
            sums.0 += value * value
            index += 1
        }
        return (sums.0 + sums.1) + (sums.2 + sums.3)
    }
}
