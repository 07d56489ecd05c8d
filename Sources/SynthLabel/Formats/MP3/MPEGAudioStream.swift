/// The MPEG audio after an MP3's ID3v2 tag, checked as far as headers tell: is there a frame,
/// does it fit, and does the stream end where its sizes say.
///
/// Three checks, all reading a few KiB whatever the file's size: the first frame's sync and
/// length; the stream size a Xing/Info or VBRI header declares (LAME and FFmpeg write one in
/// nearly every file) against the bytes there are; and, from the end, a chain of frames whose
/// last one must not run past the end of the audio (before any ID3v1 or APEv2 tag). A cut
/// that falls exactly between frames of a file without a Xing header cannot be seen.
enum MPEGAudioStream {
    /// One frame header's fields that fix the frame's length.
    struct FrameHeader: Equatable {
        /// 1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5).
        var version: Int
        var layer: Int
        var sampleRate: Int
        var isMono: Bool
        var length: Int

        /// Parses four bytes; nil when they are not a usable header (free-format bitrate too).
        init?(_ bytes: ArraySlice<UInt8>) {
            guard bytes.count >= 4 else { return nil }
            let b = Array(bytes.prefix(4))
            guard b[0] == 0xFF, b[1] & 0xE0 == 0xE0 else { return nil }
            let versionBits = (b[1] >> 3) & 3
            let layerBits = (b[1] >> 1) & 3
            let bitrateIndex = Int(b[2] >> 4)
            let rateIndex = Int((b[2] >> 2) & 3)
            guard versionBits != 1, layerBits != 0, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
            version = versionBits == 3 ? 1 : versionBits == 2 ? 2 : 25
            layer = 4 - Int(layerBits)
            let rates = [44_100, 48_000, 32_000]
            sampleRate = rates[rateIndex] / (version == 1 ? 1 : version == 2 ? 2 : 4)
            isMono = b[3] >> 6 == 3
            let padding = Int((b[2] >> 1) & 1)
            let kbps = Self.bitrates[version == 1 ? layer - 1 : (layer == 1 ? 3 : 4)][bitrateIndex]
            let bitrate = kbps * 1000
            switch layer {
            case 1: length = (12 * bitrate / sampleRate + padding) * 4
            case 3 where version != 1: length = 72 * bitrate / sampleRate + padding
            default: length = 144 * bitrate / sampleRate + padding
            }
            guard length >= 4 else { return nil }
        }

        /// kbit/s by bitrate index: MPEG-1 layers I, II, III, then MPEG-2/2.5 layer I, then II and III.
        static let bitrates: [[Int]] = [
            [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
            [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
            [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
            [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ]

        /// Frames of one stream share version, layer and rate.
        func isSameStream(as other: FrameHeader) -> Bool {
            version == other.version && layer == other.layer && sampleRate == other.sampleRate
        }
    }

    /// Stray bytes tolerated between the tag and the first frame (zero padding past the tag's
    /// declared size, a second tag's remains) before the stream counts as missing.
    static let searchLimit = 4096
    /// How much of the end is searched for the last frames.
    static let tailWindow = 16 << 10

    /// The problem with the audio that starts at `start`, or nil when its headers hold.
    static func damage(in file: FileSource, from start: Int) throws(FormatError) -> FormatError? {
        guard start < file.size else {
            return FormatError(.truncated, at: start, "no MPEG audio after the ID3v2 tag: the file ends at byte \(file.size)")
        }
        let head = try file.bytes(upTo: searchLimit + 4, at: start)
        guard let (skip, first) = (0..<max(0, head.count - 3)).lazy.compactMap({ at in FrameHeader(head[at...]).map { (at, $0) } }).first
        else {
            if head.count < searchLimit {
                return FormatError(.truncated, at: start, "no whole MPEG audio frame header in the \(head.count) bytes after the tag")
            }
            return FormatError(.corrupt, at: start, "no MPEG audio frame sync within \(searchLimit) bytes after the tag")
        }
        let frameStart = start + skip
        guard frameStart + first.length <= file.size else {
            return FormatError(
                .truncated, at: frameStart,
                "the first MPEG frame is \(first.length) bytes and the file ends \(file.size - frameStart) bytes in")
        }
        let audioEnd = try endOfAudio(file)
        if let declared = try declaredStreamSize(file, frameStart: frameStart, first: first), declared > audioEnd - frameStart {
            return FormatError(
                .truncated, at: frameStart,
                "the stream's Xing/VBRI header declares \(declared) bytes of audio; the file holds \(audioEnd - frameStart)")
        }
        return try lastFrameDamage(file, frameStart: frameStart, audioEnd: audioEnd, first: first)
    }

    /// Where the audio ends: before an ID3v1 tag and an APEv2 tag, when present.
    private static func endOfAudio(_ file: FileSource) throws(FormatError) -> Int {
        var end = file.size
        if end >= 128, try file.bytes(at: end - 128, count: 3) == Array("TAG".utf8) { end -= 128 }
        if end >= 32, try file.bytes(at: end - 32, count: 8) == Array("APETAGEX".utf8) {
            let footer = try file.bytes(at: end - 32, count: 32)
            let size = Int(try footer.uint32LE(at: 12))
            let hasHeader = try footer.uint32LE(at: 20) & 0x8000_0000 != 0
            end = max(0, end - size - (hasHeader ? 32 : 0))
        }
        return end
    }

    /// The byte count a Xing/Info or VBRI header in the first frame declares, if it has one.
    private static func declaredStreamSize(_ file: FileSource, frameStart: Int, first: FrameHeader) throws(FormatError) -> Int? {
        guard first.layer == 3 else { return nil }
        let frame = try file.bytes(upTo: min(first.length, 200), at: frameStart)
        let sideInfo = first.version == 1 ? (first.isMono ? 17 : 32) : (first.isMono ? 9 : 17)
        let xing = 4 + sideInfo
        if frame.count >= xing + 16, ["Xing", "Info"].contains(String(decoding: frame[xing..<xing + 4], as: UTF8.self)) {
            let flags = try frame.uint32BE(at: xing + 4)
            guard flags & 2 != 0 else { return nil }
            let at = xing + 8 + (flags & 1 != 0 ? 4 : 0)
            return at + 4 <= frame.count ? Int(try frame.uint32BE(at: at)) : nil
        }
        let vbri = 4 + 32
        if frame.count >= vbri + 14, String(decoding: frame[vbri..<vbri + 4], as: UTF8.self) == "VBRI" {
            return Int(try frame.uint32BE(at: vbri + 10))
        }
        return nil
    }

    /// From the end: the first place in the last window where two frames of the stream follow
    /// one another, then along that chain; a frame that runs past the end of the audio means the
    /// file was cut. Trailing bytes that are no frame (junk, an unknown tag) prove nothing.
    private static func lastFrameDamage(_ file: FileSource, frameStart: Int, audioEnd: Int, first: FrameHeader)
        throws(FormatError) -> FormatError?
    {
        let windowStart = max(frameStart, audioEnd - tailWindow)
        let tail = try file.bytes(upTo: audioEnd - windowStart, at: windowStart)
        func header(at offset: Int) -> FrameHeader? {
            guard offset >= 0, offset + 4 <= tail.count, let header = FrameHeader(tail[offset...]), header.isSameStream(as: first) else {
                return nil
            }
            return header
        }
        for candidate in 0..<tail.count {
            guard let one = header(at: candidate), header(at: candidate + one.length) != nil else { continue }
            var position = candidate
            while let frame = header(at: position) {
                if position + frame.length > tail.count { return cut(at: windowStart + position, frame, audioEnd) }
                position += frame.length
            }
            return nil
        }
        return nil
    }

    private static func cut(at offset: Int, _ frame: FrameHeader, _ audioEnd: Int) -> FormatError {
        FormatError(
            .truncated, at: offset, "the last MPEG frame is \(frame.length) bytes and the audio ends \(audioEnd - offset) bytes into it")
    }
}
