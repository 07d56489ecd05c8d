/// Decoded pixels being captioned: interleaved samples of 8 or 16 bits per sample.
///
/// 16-bit samples are big-endian, as PNG stores them, so PNG rows need no conversion either way.
struct Raster {
    var width: Int
    var height: Int
    /// 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
    var channels: Int
    /// 1 or 2.
    var bytesPerSample: Int
    var samples: [UInt8]

    var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// Most decoded bytes a compressed image of `fileSize` bytes may claim. Deflate expands at
    /// most ~1032:1 and baseline JPEG (at ≥ 6 bits per 16×16 colour MCU) ~256:1, so a header
    /// promising more is lying and is refused before anything is allocated; 1 GiB at most.
    static func decodeLimit(fileSize: Int) -> Int {
        min(1 << 30, fileSize * 1100 + (1 << 20))
    }
    var maximum: Double { bytesPerSample == 2 ? 65535 : 255 }
    var rowBytes: Int { width * channels * bytesPerSample }

    func sample(_ index: Int) -> Double {
        bytesPerSample == 2 ? Double(Int(samples[index * 2]) << 8 | Int(samples[index * 2 + 1])) : Double(samples[index])
    }

    mutating func setSample(_ index: Int, _ value: Double) {
        let clamped = Int(min(max(value, 0), maximum).rounded())
        if bytesPerSample == 2 {
            samples[index * 2] = UInt8(clamped >> 8)
            samples[index * 2 + 1] = UInt8(clamped & 0xFF)
        } else {
            samples[index] = UInt8(clamped)
        }
    }

    /// Luminance (0…1) of the pixel at stored position (x, y), for the caption detector.
    func luminance(x: Int, y: Int) -> Double {
        let first = (y * width + x) * channels
        let colour = channels >= 3
        let value =
            colour ? 0.299 * sample(first) + 0.587 * sample(first + 1) + 0.114 * sample(first + 2) : sample(first)
        return value / maximum
    }
}

/// EXIF orientation (1–8): how stored pixels are turned for display.
struct Orientation: Equatable, Sendable {
    var value: Int

    static let normal = Orientation(value: 1)

    /// Whether the viewer sees width and height swapped.
    var swapsAxes: Bool { value >= 5 && value <= 8 }

    func viewSize(storedWidth: Int, storedHeight: Int) -> (width: Int, height: Int) {
        swapsAxes ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
    }

    /// The stored pixel shown at (x, y) of the displayed image (TIFF 6.0 / EXIF tag 0x0112).
    func storedPoint(_ x: Int, _ y: Int, storedWidth w: Int, storedHeight h: Int) -> (Int, Int) {
        switch value {
        case 2: (w - 1 - x, y)
        case 3: (w - 1 - x, h - 1 - y)
        case 4: (x, h - 1 - y)
        case 5: (y, x)
        case 6: (y, h - 1 - x)
        case 7: (w - 1 - y, h - 1 - x)
        case 8: (w - 1 - y, x)
        default: (x, y)
        }
    }
}
