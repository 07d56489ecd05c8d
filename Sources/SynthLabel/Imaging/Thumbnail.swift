import CTurboJPEG

/// A small JPEG of an image as a viewer sees it (EXIF orientation applied), for reports that
/// show what a caption looks like without opening the file.
public struct Thumbnail: Sendable {
    /// The JPEG's bytes.
    public var jpeg: [UInt8]
    /// The thumbnail's size in pixels.
    public var width: Int, height: Int
    /// The image's displayed size, which caption boxes are measured in.
    public var viewWidth: Int, viewHeight: Int

    /// The PNG or JPEG at `path` shrunk to fit `maxSide` pixels (never enlarged), each pixel the
    /// mean of the pixels it covers.
    public init(ofImageAt path: String, carrier: Carrier, maxSide: Int = 200) throws(SynthLabelError) {
        let file = try FileSource(path: path)
        let bytes = try file.wholeBytes(path: path)
        // A JPEG is decoded already reduced, to no less than the thumbnail's size.
        let image: DecodedImage
        if carrier == .jpeg {
            let (raster, _, fullWidth, fullHeight) = try JPEGCodec.decode(bytes, path: path, reducedTo: maxSide)
            image = DecodedImage(raster: raster, orientation: try JPEGCodec.metadata(of: bytes, path: path).1)
            (viewWidth, viewHeight) = image.orientation.viewSize(storedWidth: fullWidth, storedHeight: fullHeight)
        } else {
            image = try DecodedImage(bytes, carrier: carrier, path: path)
            (viewWidth, viewHeight) = image.viewSize
        }
        let raster = image.raster
        // The pixels averaged are those decoded, measured as displayed.
        let (sourceWidth, sourceHeight) = image.viewSize
        let scale = min(1, Double(maxSide) / Double(max(viewWidth, viewHeight, 1)))
        width = min(sourceWidth, max(1, Int((Double(viewWidth) * scale).rounded())))
        height = min(sourceHeight, max(1, Int((Double(viewHeight) * scale).rounded())))
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        let colour = raster.channels >= 3
        for ty in 0..<height {
            let rows = (ty * sourceHeight / height)..<max(ty * sourceHeight / height + 1, (ty + 1) * sourceHeight / height)
            for tx in 0..<width {
                let columns = (tx * sourceWidth / width)..<max(tx * sourceWidth / width + 1, (tx + 1) * sourceWidth / width)
                var sums = (0.0, 0.0, 0.0)
                for vy in rows {
                    for vx in columns {
                        let (sx, sy) = image.orientation.storedPoint(vx, vy, storedWidth: raster.width, storedHeight: raster.height)
                        let base = (sy * raster.width + sx) * raster.channels
                        let red = raster.sample(base)
                        sums.0 += red
                        sums.1 += colour ? raster.sample(base + 1) : red
                        sums.2 += colour ? raster.sample(base + 2) : red
                    }
                }
                let divisor = Double(rows.count * columns.count) * raster.maximum / 255
                let at = (ty * width + tx) * 3
                samples[at] = UInt8(min(255, (sums.0 / divisor).rounded()))
                samples[at + 1] = UInt8(min(255, (sums.1 / divisor).rounded()))
                samples[at + 2] = UInt8(min(255, (sums.2 / divisor).rounded()))
            }
        }
        let small = Raster(width: width, height: height, channels: 3, bytesPerSample: 1, samples: samples)
        jpeg = try JPEGCodec.encode(small, subsampling: Int32(TJSAMP_420.rawValue), quality: 80, path: path)
    }
}
