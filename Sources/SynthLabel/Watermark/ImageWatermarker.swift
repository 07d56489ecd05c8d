/// The image mark on files: PNG rewritten losslessly (every other chunk kept), JPEG through
/// libjpeg-turbo at the original's quality and subsampling (every APPn/COM segment kept).
enum ImageWatermarker {
    static let carriers = Set(Carrier.allCases.filter { $0.profile.watermark && $0.profile.kind == .image })

    /// What marking did.
    enum Outcome {
        /// The new file's bytes.
        case marked([UInt8])
        /// The image already carries this very mark.
        case alreadyMarked
    }

    /// The labeller's step: `file` marked with the payload of `label` under `key` (unchanged
    /// when it already carries that very mark), and the payload in hex; nil when the marked
    /// image does not give the payload back tied to itself (mostly transparent, or too flat to
    /// hold it), so no mark is claimed that `verify` would not attribute.
    static func mark(
        _ file: FileSource, carrier: Carrier, for label: AIGCLabel, key: WatermarkKey, jpegQuality: Int?, path: String
    ) throws(SynthLabelError) -> (FileSource, payload: String)? {
        let watermark = ImageWatermark(key: key)
        let payload = watermark.payload(for: label)
        let bytes = try file.wholeBytes(path: path)
        switch try mark(bytes, carrier: carrier, payload: payload, with: watermark, jpegQuality: jpegQuality, path: path) {
        case .marked(let marked):
            // Read back as `verify` would, from the bytes about to be written: the payload, and
            // its tie to this picture.
            let readBack = try? detect(marked, carrier: carrier, with: watermark, path: path)
            guard let readBack, readBack.carries(payload), readBack.binding?.verdict == .confirmed else { return nil }
            return (FileSource(bytes: marked, path: path, mode: file.mode), WatermarkDetection.hex(payload))
        case .alreadyMarked: return (file, WatermarkDetection.hex(payload))
        }
    }

    /// Marks a PNG or JPEG with `payload`. An image that already carries a mark under this key
    /// for another payload is refused: two marks would garble each other, and the first one
    /// belongs to a record that must stay findable.
    static func mark(
        _ bytes: [UInt8], carrier: Carrier, payload: UInt64, with watermark: ImageWatermark, jpegQuality: Int?, path: String
    ) throws(SynthLabelError) -> Outcome {
        if try detect(bytes, carrier: carrier, with: watermark, path: path).alreadyCarries(payload, path: path) {
            return .alreadyMarked
        }
        let check = { (raster: Raster, orientation: Orientation) throws(SynthLabelError) in
            let view = orientation.viewSize(storedWidth: raster.width, storedHeight: raster.height)
            guard min(view.width, view.height) >= ImageWatermark.minimumSide else {
                throw .imageTooSmallForWatermark(
                    path: path, width: view.width, height: view.height, minimum: ImageWatermark.minimumSide)
            }
        }
        switch carrier {
        case .png:
            return .marked(
                try PNGCodec.rewrite(bytes, path: path) { (raster, converted, chunkData) throws(SynthLabelError) in
                    try check(raster, .normal)
                    let key =
                        converted.keepsTransparencyKey
                        ? chunkData("tRNS").map { transparentKey($0, raster: raster, scale: converted.scale) } : nil
                    watermark.embed(payload, into: &raster, orientation: .normal, transparentKey: key ?? nil)
                })
        case .jpeg:
            return .marked(
                try JPEGCodec.rewrite(bytes, quality: jpegQuality, path: path) { (raster, orientation) throws(SynthLabelError) in
                    try check(raster, orientation)
                    watermark.embed(payload, into: &raster, orientation: orientation)
                })
        default:
            throw .watermarkUnsupported(path: path, format: carrier)
        }
    }

    /// Looks for the mark in a PNG or JPEG's pixels.
    static func detect(_ bytes: [UInt8], carrier: Carrier, with watermark: ImageWatermark, path: String) throws(SynthLabelError)
        -> WatermarkDetection
    {
        guard carriers.contains(carrier) else { throw .watermarkUnsupported(path: path, format: carrier) }
        let image = try DecodedImage(bytes, carrier: carrier, path: path)
        return watermark.detect(in: image.raster, orientation: image.orientation)
    }

    /// A `tRNS` key colour (16-bit fields) in the raster's sample units; nil when it has none.
    private static func transparentKey(_ data: [UInt8], raster: Raster, scale: Int) -> [Int]? {
        let colours = raster.hasAlpha ? raster.channels - 1 : raster.channels
        guard data.count == colours * 2 else { return nil }
        return (0..<colours).map { (Int(data[$0 * 2]) << 8 | Int(data[$0 * 2 + 1])) * scale }
    }
}
