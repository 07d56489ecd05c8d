/// An image's pixels as stored and how a viewer turns them for display: what the caption
/// check, the watermark detector and the benchmarks read.
struct DecodedImage {
    var raster: Raster
    var orientation: Orientation

    /// Decodes a PNG or JPEG. The one way in for readers, so EXIF orientation is found the way
    /// `JPEGCodec.rewrite` finds it when drawing or marking (PNG has none SynthLabel honours).
    init(_ bytes: [UInt8], carrier: Carrier, path: String) throws(SynthLabelError) {
        switch carrier {
        case .png:
            raster = try PNGCodec.decode(bytes, path: path).raster
            orientation = .normal
        case .jpeg:
            orientation = try JPEGCodec.metadata(of: bytes, path: path).1
            raster = try JPEGCodec.decode(bytes, path: path).0
        default:
            throw .cannotDecode(path: path, reason: "SynthLabel decodes the pixels of PNG and JPEG images only")
        }
    }

    /// Pixels already decoded (a reduced JPEG decode), and how they are turned for display.
    init(raster: Raster, orientation: Orientation) {
        self.raster = raster
        self.orientation = orientation
    }

    /// The width and height a viewer sees.
    var viewSize: (width: Int, height: Int) { orientation.viewSize(storedWidth: raster.width, storedHeight: raster.height) }
}
