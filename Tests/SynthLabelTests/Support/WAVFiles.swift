@testable import SynthLabel

/// WAV files of any PCM depth, built byte by byte (as scipy writes its 36- and 45-bit test files).
enum WAVFiles {
    static func pcm(bitsPerSample: Int, channels: Int, frames: Int) -> [UInt8] {
        let bytesPerSample = (bitsPerSample + 7) / 8
        let dataSize = bytesPerSample * channels * frames
        var bytes = Array("RIFF".utf8)
        bytes.appendUInt32LE(UInt32(36 + dataSize + dataSize % 2))
        bytes += Array("WAVEfmt ".utf8)
        bytes.appendUInt32LE(16)
        bytes += [1, 0, UInt8(channels), 0]
        bytes.appendUInt32LE(8000)
        bytes.appendUInt32LE(UInt32(8000 * bytesPerSample * channels))
        bytes += [UInt8(bytesPerSample * channels), 0, UInt8(bitsPerSample), 0]
        bytes += Array("data".utf8)
        bytes.appendUInt32LE(UInt32(dataSize))
        for index in 0..<dataSize { bytes.append(UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13)) }
        if dataSize % 2 == 1 { bytes.append(0) }
        return bytes
    }
}
