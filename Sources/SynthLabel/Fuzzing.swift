extension ExplicitLabel {
    /// Runs every explicit-label parser and decoder on arbitrary bytes, for the fuzz harness:
    /// caption records, text notices, the invisible text carrier, the PNG and JPEG decoders, the
    /// image watermark's detector on what they decode, the watermark key reader, ledger dates
    /// and the rhythm detector.
    package static func exerciseParsers(_ bytes: [UInt8]) {
        _ = XMPPacket.captionRecord(in: bytes)
        _ = CaptionRecord(serialized: String(decoding: bytes.prefix(256), as: UTF8.self))
        _ = TextNotice.find(head: bytes, tail: nil)
        _ = InvisibleTextLabel.find(in: bytes)
        let watermark = ImageWatermark(key: WatermarkKey(secret: [UInt8](repeating: 1, count: 32)))
        for carrier in [Carrier.png, .jpeg] {
            if let image = try? DecodedImage(bytes, carrier: carrier, path: "fuzz") {
                _ = watermark.detect(in: image.raster, orientation: image.orientation)
            }
        }
        _ = WatermarkKey(pem: String(decoding: bytes.prefix(4096), as: UTF8.self))
        _ = LedgerClock.parse(String(decoding: bytes.prefix(64), as: UTF8.self))
        _ = RhythmDetector(prompt: RhythmPrompt()).find(in: bytes.map { Double($0) / 128 - 1 }, rate: 8000)
    }
}
