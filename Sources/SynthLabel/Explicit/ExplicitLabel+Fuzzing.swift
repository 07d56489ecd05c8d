extension ExplicitLabel {
    /// Runs every explicit-label parser and decoder on arbitrary bytes, for the fuzz harness:
    /// caption records, text notices, the invisible text carrier, the PNG and JPEG decoders and
    /// the rhythm detector.
    package static func exerciseParsers(_ bytes: [UInt8]) {
        _ = XMPPacket.captionRecord(in: bytes)
        _ = CaptionRecord(serialized: String(decoding: bytes.prefix(256), as: UTF8.self))
        _ = TextNotice.find(head: bytes, tail: nil)
        _ = InvisibleTextLabel.find(in: bytes)
        _ = try? PNGCaptioner.decode(bytes, path: "fuzz.png")
        _ = try? JPEGCaptioner.decode(bytes, path: "fuzz.jpg")
        _ = RhythmDetector(prompt: RhythmPrompt()).find(in: bytes.map { Double($0) / 128 - 1 }, rate: 8000)
    }
}
