/// A plane of luminance (0…255 whatever the bit depth) in the viewer's orientation: what the
/// mark is embedded in and detected from, so it survives conversion to grey and chroma
/// subsampling, and a platform that turns the image upright keeps it where it was.
struct LumaPlane {
    var width: Int
    var height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        self.width = width
        self.height = height
        self.values = values
    }

    /// The luminance of `raster` as shown with `orientation`.
    init(_ raster: Raster, orientation: Orientation) {
        let view = orientation.viewSize(storedWidth: raster.width, storedHeight: raster.height)
        let width = view.width
        let height = view.height
        let scale: Float = raster.bytesPerSample == 2 ? 1 / 257 : 1
        let channels = raster.channels
        let wide = raster.bytesPerSample == 2
        var values = [Float](repeating: 0, count: width * height)
        raster.samples.withUnsafeBufferPointer { samples in
            func sample(_ index: Int) -> Float {
                wide ? Float(Int(samples[index * 2]) << 8 | Int(samples[index * 2 + 1])) : Float(samples[index])
            }
            for y in 0..<height {
                for x in 0..<width {
                    let (sx, sy) = orientation.storedPoint(x, y, storedWidth: raster.width, storedHeight: raster.height)
                    let first = (sy * raster.width + sx) * channels
                    let luma =
                        channels >= 3 ? 0.299 * sample(first) + 0.587 * sample(first + 1) + 0.114 * sample(first + 2) : sample(first)
                    values[y * width + x] = luma * scale
                }
            }
        }
        self.init(width: width, height: height, values: values)
    }

    /// The central `side` × `side` square (or less where the plane is smaller).
    func centre(_ side: Int) -> LumaPlane {
        let cropWidth = min(width, side)
        let cropHeight = min(height, side)
        guard cropWidth < width || cropHeight < height else { return self }
        let left = (width - cropWidth) / 2
        let top = (height - cropHeight) / 2
        var cropped = [Float]()
        cropped.reserveCapacity(cropWidth * cropHeight)
        for y in top..<(top + cropHeight) { cropped += values[(y * width + left)..<(y * width + left + cropWidth)] }
        return LumaPlane(width: cropWidth, height: cropHeight, values: cropped)
    }

    /// The mean over a (2r+1)² window around each pixel, the window cut at the borders:
    /// two running-sum passes, so the cost does not depend on `radius`.
    func boxMean(radius: Int) -> [Float] {
        var copy = self
        copy.replaceWithBoxMean(radius: radius)
        return copy.values
    }

    /// `boxMean` in the plane's own storage: beside it, only a row's prefix sums and the last
    /// `radius + 1` rows as they were, so a large image's planes are not doubled.
    mutating func replaceWithBoxMean(radius: Int) {
        let width = width
        let height = height
        values.withUnsafeMutableBufferPointer { values in
            var prefix = [Float](repeating: 0, count: width + 1)
            for y in 0..<height {
                let row = y * width
                for x in 0..<width { prefix[x + 1] = prefix[x] + values[row + x] }
                for x in 0..<width {
                    let low = max(0, x - radius)
                    let high = min(width, x + radius + 1)
                    values[row + x] = (prefix[high] - prefix[low]) / Float(high - low)
                }
            }
            // Column sums kept for a whole row at a time, so memory is read in order. A row is
            // overwritten once the window has passed it, so the rows it still has to leave are
            // kept aside as they were (in a ring of `radius + 1`).
            var running = [Float](repeating: 0, count: width)
            var kept = [Float](repeating: 0, count: (radius + 1) * width)
            var count = 0
            for y in 0..<min(radius, height) {
                for x in 0..<width { running[x] += values[y * width + x] }
                count += 1
            }
            for y in 0..<height {
                let entering = y + radius
                if entering < height {
                    for x in 0..<width { running[x] += values[entering * width + x] }
                    count += 1
                }
                let slot = (y % (radius + 1)) * width
                if y - radius - 1 >= 0 {
                    for x in 0..<width { running[x] -= kept[slot + x] }
                    count -= 1
                }
                for x in 0..<width { kept[slot + x] = values[y * width + x] }
                let scale = 1 / Float(count)
                for x in 0..<width { values[y * width + x] = running[x] * scale }
            }
        }
    }
}
