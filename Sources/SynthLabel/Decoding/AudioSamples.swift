import CSndFile

/// Every sample of an audio file as 32-bit integers, decoded by libsndfile.
///
/// Integer reads are bit-exact for PCM (libsndfile's float path turns 32767 into 32766
/// unless normalisation is switched off), which is what a lossless check needs.
package struct AudioSamples: Equatable, Sendable {
    package var sampleRate: Int
    package var channels: Int
    package var frames: Int
    package var samples: [Int32]

    package init(contentsOf path: String) throws(FormatError) {
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw FormatError(.corrupt, "libsndfile: \(String(cString: sf_strerror(nil)))")
        }
        defer { sf_close(file) }
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        var samples: [Int32] = []
        var buffer = [Int32](repeating: 0, count: 4096 * max(1, channels))
        var frames = 0
        while true {
            let read = buffer.withUnsafeMutableBufferPointer { sf_readf_int(file, $0.baseAddress, 4096) }
            if read <= 0 { break }
            frames += Int(read)
            samples.append(contentsOf: buffer[0..<Int(read) * channels])
        }
        self.frames = frames
        self.samples = samples
    }
}
