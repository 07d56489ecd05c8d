import Glibc

/// Analysis: each frame transformed and its bands measured as it arrives.
extension AudioMarkEmbedder {
    /// Transforms the frame at `frameStart` and queues it with its bands' energies and mean log
    /// powers (of the channels' mean power), and its share of the budget (what its own rule
    /// would spend).
    ///
    /// With several channels, only the mix is transformed where the channels are at most
    /// `commonAllowance`² times as loud as their mix (nearly all stereo music: its sides are
    /// quieter than its middle): the whole change is then common to them, each band's energy is
    /// taken as the mix's times that ratio, and one transform each way is all the frame costs.
    /// Wider frames are transformed channel by channel, for each one's own part.
    mutating func analyseFrame(available: Int) {
        let size = size
        let half = size / 2
        let bins = half + 1
        let channels = channels
        let centre = Double(frameStart + half) / Double(sampleRate)
        var frame = PendingFrame(
            start: frameStart, slot: Int((centre / AudioBlock.slotSeconds).rounded(.down)), real: [], imaginary: [], energies: [],
            levels: [], plan: (0, 0))
        let inputOffset = frameStart - inputStart
        // Zeros where the frame reaches before the programme or past what has been read.
        let before = max(0, -inputOffset)
        let inside = before..<max(before, min(size, available - frameStart))
        let share = 1 / Float(channels)
        var buffers = scratch
        scratch = ([], [], [], [])
        defer { scratch = buffers }
        // The mix, windowed, and for several channels the windowed energy of the mix and of the
        // channels (their mean square).
        var mixEnergy: Float = 0
        var channelEnergy: Float = 0
        input.withUnsafeBufferPointer { input in
            window.withUnsafeBufferPointer { window in
                buffers.frame.withUnsafeMutableBufferPointer { frame in
                    for index in 0..<inside.lowerBound { frame[index] = 0 }
                    for index in inside.upperBound..<size { frame[index] = 0 }
                    guard channels > 1 else {
                        for index in inside { frame[index] = input[inputOffset &+ index] * window[index] }
                        return
                    }
                    // Four samples at a time, each lane with its own sums: with one running sum
                    // every sample waited for the one before, and this loop took most of the
                    // frame's analysis. The range starts at 0 or half a frame (a multiple of four),
                    // so its fours end within the frame; samples past its end read as zeros.
                    precondition(inside.lowerBound % 4 == 0, "a frame starts at 0 or half a frame into its buffer")
                    var mixEnergies = SIMD4<Float>(repeating: 0)
                    var channelEnergies = SIMD4<Float>(repeating: 0)
                    let end = inside.upperBound
                    for first in stride(from: inside.lowerBound, to: end, by: 4) {
                        let windows = SIMD4(window[first], window[first &+ 1], window[first &+ 2], window[first &+ 3])
                        var sums = SIMD4<Float>(repeating: 0)
                        var squares = SIMD4<Float>(repeating: 0)
                        for channel in 0..<channels {
                            func sample(_ lane: Int) -> Float {
                                first &+ lane < end ? input[(inputOffset &+ first &+ lane) &* channels &+ channel] : 0
                            }
                            let samples = SIMD4(sample(0), sample(1), sample(2), sample(3))
                            sums += samples
                            squares += samples * samples
                        }
                        let mix = sums * share
                        let weights = windows * windows
                        mixEnergies += weights * mix * mix
                        channelEnergies += weights * squares * share
                        let windowed = mix * windows
                        for lane in 0..<4 { frame[first &+ lane] = windowed[lane] }
                    }
                    mixEnergy = mixEnergies.sum()
                    channelEnergy = channelEnergies.sum()
                }
            }
        }
        let wide = channels > 1 && channelEnergy > Self.commonAllowance * Self.commonAllowance * mixEnergy
        let width = channels > 1 && !wide && mixEnergy > 0 ? max(1, channelEnergy / mixEnergy) : 1
        // The mix's spectrum, then for a wide frame each channel's difference from it.
        let parts = wide ? channels + 1 : 1
        var spectra = (real: [Float](repeating: 0, count: parts * bins), imaginary: [Float](repeating: 0, count: parts * bins))
        spectra.real.withUnsafeMutableBufferPointer { spectrumReal in
            spectra.imaginary.withUnsafeMutableBufferPointer { spectrumImaginary in
                buffers.power.withUnsafeMutableBufferPointer { power in
                    guard wide else {
                        buffers.frame.withUnsafeBufferPointer { fft.forward($0, real: spectrumReal, imaginary: spectrumImaginary) }
                        for bin in 0..<bins {
                            power[bin] = (spectrumReal[bin] * spectrumReal[bin] + spectrumImaginary[bin] * spectrumImaginary[bin]) * width
                        }
                        return
                    }
                    input.withUnsafeBufferPointer { input in
                        window.withUnsafeBufferPointer { window in
                            buffers.frame.withUnsafeMutableBufferPointer { frame in
                                ChannelSpectra.transform(
                                    input, channels: channels, from: inputOffset, range: inside, window: window, fft: fft, frame: frame,
                                    real: spectrumReal, imaginary: spectrumImaginary, power: power)
                            }
                        }
                    }
                    for part in 1...channels {
                        for bin in 0..<bins {
                            spectrumReal[part &* bins &+ bin] -= spectrumReal[bin]
                            spectrumImaginary[part &* bins &+ bin] -= spectrumImaginary[bin]
                        }
                    }
                }
            }
        }
        var total: Float = 0
        var energies = [Float](repeating: 0, count: AudioBlock.bandCount)
        var logs = [Float](repeating: 0, count: AudioBlock.bandCount)
        var counts = [Float](repeating: 0, count: AudioBlock.bandCount)
        let logFloor = logFloor
        buffers.power.withUnsafeBufferPointer { power in
            bandOfBin.withUnsafeBufferPointer { bandOfBin in
                for bin in 0...half {
                    total += power[bin]
                    let band = bandOfBin[bin]
                    guard band >= 0 else { continue }
                    energies[band] += power[bin]
                    logs[band] += log(power[bin] + logFloor)
                    counts[band] += 1
                }
            }
        }
        if total > 0 {
            if channels > 1 {
                let mixEnergies = wide ? bandEnergies(real: spectra.real[0..<bins], imaginary: spectra.imaginary[0..<bins]) : []
                frame.split = (0..<AudioBlock.bandCount).flatMap { band in
                    wide ? Self.split(channels: energies[band], mix: mixEnergies[band]) : Self.split(channels: width, mix: 1)
                }
            }
            frame.real = spectra.real
            frame.imaginary = spectra.imaginary
            frame.energies = energies
            frame.levels = zip(logs, counts).map { $1 > 0 ? $0 / $1 : 0 }
            frame.plan = (Double(total), Double(Self.spending(energies: energies, budget: budget * steering * total)))
        }
        pending.append(frame)
        steer(planning: frame.plan)
    }

    /// The bands' energies of a spectrum (bins 0…size/2).
    private func bandEnergies(real: ArraySlice<Float>, imaginary: ArraySlice<Float>) -> [Float] {
        var energies = [Float](repeating: 0, count: AudioBlock.bandCount)
        for (bin, (r, i)) in zip(real, imaginary).enumerated() where bandOfBin[bin] >= 0 { energies[bandOfBin[bin]] += r * r + i * i }
        return energies
    }
}
