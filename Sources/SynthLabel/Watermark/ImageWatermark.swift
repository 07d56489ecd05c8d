import Glibc

/// The invisible image mark (GB 45438 §6.2, a "content implicit label"): a keyed tile of
/// ±1 cells added to luminance, repeated over the image, found blindly after recompression,
/// resizing, cropping and colour changes.
///
/// Embedding: each 4 × 4-pixel cell of the 128-pixel tile adds ± its strength to every colour
/// channel; strength follows local texture and brightness (one level on flat areas, so no
/// pattern shows there; up to 4.5 in texture), capped so the RMS change as written is at most
/// 2.3 levels (PSNR ≥ 40.9 dB).
///
/// Detection, with no original: (1) luminance minus its local mean, weighted by how much mark
/// each pixel can hold against its texture; (2) the tile period on each axis from the
/// autocorrelation of strips of rows and of columns, which gives any resize (aspect changes
/// too), the two axes' evidence added for resizes that keep the aspect ratio;
/// (3) the plane folded modulo the period into one tile, and the sync cells correlated at every
/// cyclic offset, which gives any crop; (4) the 306 soft bits read at that offset, Viterbi, CRC.
/// When no period from (2) decodes in a small image, a sweep over periods by fold energy,
/// which weighs the whole 2-D lattice, offers three more; when none of those does either, a
/// search over small rotations (up to 3° either way) by fold energy offers two turned lattices.
struct ImageWatermark: Sendable {
    let key: WatermarkKey
    let layout: ChipLayout
    let binding: ImageBinding

    /// The shortest side an image must have to be marked: two tiles.
    static let minimumSide = 256
    /// Largest RMS change, in 8-bit levels.
    static let rmsCap: Float = 2.3

    init(key: WatermarkKey) {
        self.key = key
        layout = TileLayout.chips(key: key)
        binding = ImageBinding(key: key)
    }

    /// The 64-bit payload for a label (see `WatermarkKey.payload(for:)`).
    func payload(for label: AIGCLabel) -> UInt64 { key.payload(for: label) }

    // MARK: Embedding

    /// Adds the mark for `payload` to `raster`'s colour samples (alpha and fully transparent
    /// pixels untouched; a PNG `tRNS` key colour is neither left nor made). Returns the RMS
    /// change actually written, in 8-bit levels.
    @discardableResult
    func embed(_ payload: UInt64, into raster: inout Raster, orientation: Orientation, transparentKey: [Int]? = nil) -> Double {
        let amplitude = amplitude(for: payload, in: raster, orientation: orientation)
        // The shift near white and black adds to what is written, so the cap is checked on
        // the changes as they would be made, and the strength lowered until they fit; then
        // they are made, once, in place.
        var scale = Self.scaleKeepingRMS(amplitude)
        var rms = apply(amplitude, scale: scale, to: &raster, orientation: orientation, transparentKey: transparentKey, writing: false)
        for _ in 0..<4 where rms > Double(Self.rmsCap) {
            scale *= Float(Double(Self.rmsCap) / rms) * 0.98
            rms = apply(amplitude, scale: scale, to: &raster, orientation: orientation, transparentKey: transparentKey, writing: false)
        }
        return apply(amplitude, scale: scale, to: &raster, orientation: orientation, transparentKey: transparentKey, writing: true)
    }

    /// Each pixel's strength from its local mean and deviation, with the chips for `payload`.
    /// Two luminance-sized planes at most: the plane becomes its local mean of squares, and a
    /// copy its local mean and then the strengths.
    private func amplitude(for payload: UInt64, in raster: Raster, orientation: Orientation) -> MarkAmplitude {
        var plane = LumaPlane(raster, orientation: orientation)
        let binding = self.binding.chips(plane)
        var strengths = plane.boxMean(radius: 3)
        plane.values.withUnsafeMutableBufferPointer { values in for index in values.indices { values[index] *= values[index] } }
        plane.replaceWithBoxMean(radius: 3)
        let meanOfSquares = plane.values
        strengths.withUnsafeMutableBufferPointer { strengths in
            for index in strengths.indices {
                let mean = strengths[index]
                let deviation = max(0, meanOfSquares[index] - mean * mean).squareRoot()
                strengths[index] = Self.strength(luminance: mean, deviation: deviation)
            }
        }
        return MarkAmplitude(
            strengths: strengths, width: plane.width, signs: layout.cellSigns(coded: WatermarkCode.encode(payload)),
            binding: (binding.chips, binding.columns))
    }

    /// Writes the mark (each pixel's change at `scale`) into the raster's colour samples and
    /// returns the RMS change, in 8-bit levels; without `writing`, only returns what it would be
    /// (each pixel's change depends on that pixel alone, so the two agree).
    private func apply(
        _ amplitude: MarkAmplitude, scale: Float, to raster: inout Raster, orientation: Orientation, transparentKey: [Int]?,
        writing: Bool
    ) -> Double {
        let view = orientation.viewSize(storedWidth: raster.width, storedHeight: raster.height)
        let width = view.width
        let height = view.height
        let channels = raster.channels
        let hasAlpha = raster.hasAlpha
        let storedWidth = raster.width
        let storedHeight = raster.height
        let colourChannels = hasAlpha ? channels - 1 : channels
        let wide = raster.bytesPerSample == 2
        let maximum = wide ? 65535 : 255
        let unit: Float = wide ? 257 : 1
        let key = transparentKey ?? []
        var written: Double = 0
        var count = 0
        raster.samples.withUnsafeMutableBufferPointer { samples in
            func read(_ index: Int) -> Int { wide ? Int(samples[index * 2]) << 8 | Int(samples[index * 2 + 1]) : Int(samples[index]) }
            func write(_ index: Int, _ value: Int) {
                if wide {
                    samples[index * 2] = UInt8(value >> 8)
                    samples[index * 2 + 1] = UInt8(value & 0xFF)
                } else {
                    samples[index] = UInt8(value)
                }
            }
            func isKey(_ first: Int, _ delta: Int) -> Bool {
                guard key.count == colourChannels else { return false }
                for channel in 0..<colourChannels where min(maximum, max(0, read(first + channel) + delta)) != key[channel] { return false }
                return true
            }
            for y in 0..<height {
                for x in 0..<width {
                    var delta = Int(amplitude.change(y * width + x, x: x, y: y, scale: scale) * unit)
                    guard delta != 0 else { continue }
                    let (sx, sy) =
                        orientation == .normal
                        ? (x, y) : orientation.storedPoint(x, y, storedWidth: storedWidth, storedHeight: storedHeight)
                    let first = (sy * storedWidth + sx) * channels
                    if hasAlpha && read(first + channels - 1) == 0 { continue }
                    // Near white or black both signs must still fit: the pair of levels is
                    // shifted inwards (255 and 253 rather than 255 and 254), by the same amount
                    // on every channel so the change stays grey.
                    var brightest = 0
                    var darkest = maximum
                    for channel in 0..<colourChannels {
                        let value = read(first + channel)
                        brightest = max(brightest, value)
                        darkest = min(darkest, value)
                    }
                    let room = abs(delta)
                    delta += brightest + room > maximum ? maximum - brightest - room : darkest < room ? room - darkest : 0
                    // A PNG tRNS key colour: pixels of that colour stay as they are, and no other pixel becomes it.
                    if !key.isEmpty {
                        if isKey(first, 0) { continue }
                        if isKey(first, delta) { delta += delta > 0 ? -1 : 1 }
                    }
                    for channel in 0..<colourChannels {
                        let old = read(first + channel)
                        let new = min(maximum, max(0, old + delta))
                        if writing { write(first + channel, new) }
                        let change = Double(new - old) / Double(unit)
                        written += change * change
                    }
                }
            }
            count = width * height * colourChannels
        }
        return (written / Double(max(1, count))).squareRoot()
    }

    /// Strength on a flat area of this (gamma-encoded) luminance: one level, the least a
    /// sample can change. Two levels already show as mottling on a flat colour; a level is a
    /// far larger share of the light in the dark, so there it only just rounds up to one.
    static func flatStrength(luminance: Float) -> Float {
        0.6 + 0.5 * min(1, luminance / 160)
    }

    /// The mark's strength where the local mean is `luminance` and the local standard
    /// deviation `deviation` (texture hides more, up to 4.5 levels), before the RMS cap.
    static func strength(luminance: Float, deviation: Float) -> Float {
        min(4.5, flatStrength(luminance: luminance) + 0.1 * deviation)
    }

    /// The factor on each pixel's amplitude that keeps the RMS of the changes as written
    /// (in whole levels) at or under `rmsCap`.
    static func scaleKeepingRMS(_ amplitude: MarkAmplitude) -> Float {
        func rms(_ scale: Float) -> Float {
            var sum: Float = 0
            for y in 0..<amplitude.height {
                for x in 0..<amplitude.width {
                    let step = amplitude.change(y * amplitude.width + x, x: x, y: y, scale: scale)
                    sum += step * step
                }
            }
            return (sum / Float(max(1, amplitude.strengths.count))).squareRoot()
        }
        var scale: Float = 1
        var current = rms(scale)
        while current > rmsCap && scale > 0.2 {
            scale *= max(0.9, min(0.99, rmsCap / current))
            current = rms(scale)
        }
        return scale
    }
}

/// Each pixel's change before the cap, in levels: its strength times its cell's tile chip, and
/// its strength times the binding layer's chip for its cell (`ImageBinding`). One plane (the
/// strengths); the chips are looked up as each pixel is written.
struct MarkAmplitude {
    /// Each pixel's strength, row-major in the viewer's orientation.
    let strengths: [Float]
    let width: Int
    /// The tile's ±1 chips, row-major (32 × 32 cells).
    let signs: [Float]
    /// The binding layer's chips, one per cell of the image, and the cells in a row.
    let binding: (chips: [Float], columns: Int)

    var height: Int { width > 0 ? strengths.count / width : 0 }

    /// An ordered dither over a cell's four 2 × 2 quarters, (rank + ½) / 4: a fraction of a level
    /// becomes whole levels on whole quarters, which a halving resize and requantisation keep.
    private static let dither: [Float] = [0, 2, 3, 1].map { (Float($0) + 0.5) / 4 }

    /// The whole levels written at a pixel. The tile's part is rounded as it is (one level on
    /// flat areas); the binding's, a fraction of a level there, is dithered over the cell's
    /// quarters so that its mean survives rounding. The binding's share is of the tile's change
    /// as written: a whole level at least.
    @inline(__always)
    func change(_ index: Int, x: Int, y: Int, scale: Float) -> Float {
        let strength = strengths[index]
        let cell = TileLayout.cellSize
        let chip = signs[(y % TileLayout.tileSize) / cell * TileLayout.cellsPerSide + (x % TileLayout.tileSize) / cell]
        let bound = max(1, strength) * (ImageBinding.relativeStrength * binding.chips[y / cell * binding.columns + x / cell])
        return (strength * chip * scale).rounded() + (bound * scale + Self.dither[(y & 2) | (x & 2) >> 1]).rounded(.down)
    }
}
