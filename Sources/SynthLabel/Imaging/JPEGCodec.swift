import CTurboJPEG

/// JPEG pixels in and out through libjpeg-turbo (TurboJPEG API), for the caption and the watermark.
///
/// The pixels are decoded and re-encoded with the original's chroma subsampling and, by
/// default, the quality its quantisation tables suggest. Every APPn and COM segment of the
/// original (EXIF, ICC profile, XMP, IPTC, comments) is carried over in order, in place of the
/// encoder's own JFIF header (a file without one stays without). The EXIF orientation
/// is given to the editor, so a caption is placed and drawn upright as a viewer sees the image,
/// and the orientation tag itself is kept. CMYK/YCCK files are refused.
enum JPEGCodec {
    /// Quality used when the original's tables are not the standard ones scaled.
    static let fallbackQuality = 90

    /// Decodes the pixels, lets `edit` change them (given the EXIF orientation), and re-encodes
    /// with the original's subsampling and quality (unless `quality` is given) and every APPn
    /// and COM segment.
    static func rewrite(
        _ bytes: [UInt8], quality requestedQuality: Int?, path: String,
        edit: (inout Raster, Orientation) throws(SynthLabelError) -> Void
    ) throws(SynthLabelError) -> [UInt8] {
        let (segments, orientation) = try metadata(of: bytes, path: path)
        var (raster, subsampling) = try decode(bytes, path: path)
        try edit(&raster, orientation)
        let quality = requestedQuality ?? estimatedQuality(segments) ?? fallbackQuality
        let fresh = try encode(raster, subsampling: subsampling, quality: quality, path: path)
        return try splice(metadataOf: segments, into: fresh, path: path)
    }

    /// The segments of an undamaged JPEG and its EXIF orientation.
    static func metadata(of bytes: [UInt8], path: String) throws(SynthLabelError) -> ([JPEGAdapter.Segment], Orientation) {
        let source = FileSource(bytes: bytes, path: path)
        do throws(FormatError) {
            let walked = try JPEGAdapter.segments(of: source)
            if let damage = walked.damage.first { throw damage }
            return (walked.segments, exifOrientation(walked.segments, in: source))
        } catch { throw SynthLabelError(error, path: path) }
    }

    /// A baseline JPEG of `raster` (RGB or grey) with the given chroma subsampling and quality.
    static func encode(_ raster: Raster, subsampling: Int32, quality: Int, path: String) throws(SynthLabelError) -> [UInt8] {
        guard let encoder = tjInitCompress() else { throw .cannotEncode(path: path, reason: "libjpeg-turbo failed to start") }
        defer { tjDestroy(encoder) }
        let grey = raster.channels == 1
        var output: UnsafeMutablePointer<UInt8>?
        var outputSize: UInt = 0
        let encoded = raster.samples.withUnsafeBufferPointer { buffer in
            tjCompress2(
                encoder, buffer.baseAddress, Int32(raster.width), 0, Int32(raster.height),
                grey ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), &output, &outputSize,
                grey ? Int32(TJSAMP_GRAY.rawValue) : subsampling, Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard encoded == 0, let output else {
            throw .cannotEncode(path: path, reason: "libjpeg-turbo: \(String(cString: tjGetErrorStr2(encoder)))")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(outputSize)))
    }

    /// The pixels as RGB or grey samples, and the chroma subsampling the file uses.
    static func decode(_ bytes: [UInt8], path: String) throws(SynthLabelError) -> (Raster, subsampling: Int32) {
        let (raster, subsampling, _, _) = try decode(bytes, path: path, reducedTo: nil)
        return (raster, subsampling)
    }

    /// As `decode`, but reduced in the decoder (libjpeg-turbo's DCT scaling: 1/8, 1/4, 3/8, 1/2 …)
    /// as far as keeps both sides at least `minimumSide` pixels, or the image's own if smaller:
    /// a thumbnail costs a fraction of a full decode. Also returns the full size.
    static func decode(_ bytes: [UInt8], path: String, reducedTo minimumSide: Int?) throws(SynthLabelError) -> (
        Raster, subsampling: Int32, fullWidth: Int, fullHeight: Int
    ) {
        guard let decoder = tjInitDecompress() else { throw .cannotDecode(path: path, reason: "libjpeg-turbo failed to start") }
        defer { tjDestroy(decoder) }
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        guard tjDecompressHeader3(decoder, bytes, UInt(bytes.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw .damaged(path: path, FormatError(.corrupt, "libjpeg-turbo: \(String(cString: tjGetErrorStr2(decoder)))"))
        }
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            throw .cmykJPEG(path: path)
        }
        let grey = colorspace == Int32(TJCS_GRAY.rawValue)
        let channels = grey ? 1 : 3
        let pixelCount = Int(width) * Int(height)
        guard pixelCount > 0, pixelCount <= (1 << 30) / channels else {
            throw .tooLargeToDecode(path: path, limit: 1 << 30)
        }
        guard pixelCount * channels <= Raster.decodeLimit(fileSize: bytes.count) else {
            let claim = "the header claims \(width)×\(height) pixels, far more than \(bytes.count) bytes can hold"
            throw .damaged(path: path, FormatError(.corrupt, claim))
        }
        // The smallest of libjpeg-turbo's eighths that keeps the short side at `minimumSide`.
        let eighths =
            minimumSide.map { side in
                (1...8).first { Int(min(width, height)) * $0 >= side * 8 } ?? 8
            } ?? 8
        let scaledWidth = (Int(width) * eighths + 7) / 8
        let scaledHeight = (Int(height) * eighths + 7) / 8
        var raster = Raster(
            width: scaledWidth, height: scaledHeight, channels: channels, bytesPerSample: 1,
            samples: [UInt8](repeating: 0, count: scaledWidth * scaledHeight * channels))
        let pixelFormat = grey ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue)
        let decoded = raster.samples.withUnsafeMutableBufferPointer { buffer in
            tjDecompress2(decoder, bytes, UInt(bytes.count), buffer.baseAddress, Int32(scaledWidth), 0, Int32(scaledHeight), pixelFormat, 0)
        }
        // A warning (such as extraneous bytes) still yields pixels; only a hard error stops here.
        if decoded != 0 && tjGetErrorCode(decoder) == Int32(TJERR_FATAL.rawValue) {
            throw .damaged(path: path, FormatError(.corrupt, "libjpeg-turbo: \(String(cString: tjGetErrorStr2(decoder)))"))
        }
        return (raster, subsampling, Int(width), Int(height))
    }

    /// The freshly encoded file with the original's APPn and COM segments in place of its own.
    static func splice(metadataOf original: [JPEGAdapter.Segment], into fresh: [UInt8], path: String) throws(SynthLabelError) -> [UInt8] {
        let freshSegments: [JPEGAdapter.Segment]
        let scanStart: Int
        do throws(FormatError) {
            let walked = try JPEGAdapter.segments(of: FileSource(bytes: fresh))
            guard let start = walked.scanStart else { throw FormatError(.corrupt, "encoder output has no scan") }
            freshSegments = walked.segments
            scanStart = start
        } catch { throw .cannotEncode(path: path, reason: "libjpeg-turbo's output could not be read back: \(error)") }
        let isMetadata: (JPEGAdapter.Segment) -> Bool = { (0xE0...0xEF).contains($0.marker) || $0.marker == 0xFE }
        var output: [UInt8] = [0xFF, 0xD8]
        for segment in original where isMetadata(segment) {
            let length = segment.payload.count + 2
            output += [0xFF, segment.marker, UInt8(length >> 8), UInt8(length & 0xFF)]
            output += segment.payload
        }
        for segment in freshSegments where !isMetadata(segment) {
            output += fresh[segment.offset..<segment.end]
        }
        output += fresh[scanStart...]
        return output
    }

    /// EXIF tag 0x0112 from the first EXIF segment; 1 when absent or unreadable.
    private static func exifOrientation(_ segments: [JPEGAdapter.Segment], in file: FileSource) -> Orientation {
        guard let exif = segments.first(where: \.isEXIF), let reader = try? exif.exif(in: file),
            let ifd = try? reader.firstIFDOffset(), let entries = try? reader.entries(at: ifd),
            let entry = entries.first(where: { $0.tag == 0x0112 && $0.type == 3 }), let raw = try? reader.value(of: entry),
            raw.count >= 2
        else { return .normal }
        let value = reader.bigEndian ? Int(raw[0]) << 8 | Int(raw[1]) : Int(raw[1]) << 8 | Int(raw[0])
        return (1...8).contains(value) ? Orientation(value: value) : .normal
    }

    /// The libjpeg quality whose scaled standard luminance table (ITU T.81 Annex K) is closest to
    /// the file's first quantisation table, compared by sum so the storage order does not matter.
    static func estimatedQuality(_ segments: [JPEGAdapter.Segment]) -> Int? {
        guard let table = segments.first(where: { $0.marker == 0xDB }), let precision = table.payload.first,
            precision & 0x0F == 0
        else { return nil }
        let wide = precision >> 4 == 1
        let count = 64 * (wide ? 2 : 1)
        guard table.payload.count >= 1 + count else { return nil }
        var sum = 0
        for index in stride(from: 0, to: count, by: wide ? 2 : 1) {
            let high = Int(table.payload[1 + index])
            sum += wide ? high << 8 | Int(table.payload[2 + index]) : high
        }
        let standardLuminance: [Int] = [
            16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
            14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
            49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
        ]
        var best: (quality: Int, error: Int)?
        for quality in 1...100 {
            let scale = quality < 50 ? 5000 / quality : 200 - 2 * quality
            var scaledSum = 0
            for value in standardLuminance { scaledSum += min(255, max(1, (value * scale + 50) / 100)) }
            let error = abs(scaledSum - sum)
            if error < best?.error ?? .max { best = (quality, error) }
        }
        guard let best, best.error * 10 <= sum else { return nil }  // not a scaled standard table
        return best.quality
    }
}
