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
        let plane = LumaPlane(raster, orientation: orientation)
        let width = plane.width
        let height = plane.height
        let mean = plane.boxMean(radius: 3)
        let meanOfSquares = LumaPlane(width: width, height: height, values: plane.values.map { $0 * $0 }).boxMean(radius: 3)
        let signs = layout.cellSigns(coded: WatermarkCode.encode(payload))
        let binding = self.binding.chips(plane)
        var amplitude = MarkAmplitude(width: width, height: height)
        for y in 0..<height {
            let tileRow = (y % TileLayout.tileSize) / TileLayout.cellSize * TileLayout.cellsPerSide
            let bindingRow = y / TileLayout.cellSize * binding.columns
            for x in 0..<width {
                let index = y * width + x
                let deviation = max(0, meanOfSquares[index] - mean[index] * mean[index]).squareRoot()
                let chip = signs[tileRow + (x % TileLayout.tileSize) / TileLayout.cellSize]
                let bound = ImageBinding.relativeStrength * binding.chips[bindingRow + x / TileLayout.cellSize]
                let strength = Self.strength(luminance: mean[index], deviation: deviation)
                amplitude.tile[index] = strength * chip
                // The binding's share is of the tile's change as written: a whole level at least.
                amplitude.bound[index] = max(1, strength) * bound
            }
        }
        // The shift near white and black adds to what is written, so the cap is checked on
        // the changes as made and the strength lowered until they fit.
        var scale = Self.scaleKeepingRMS(amplitude)
        var marked = raster
        var rms = apply(amplitude, scale: scale, to: &marked, orientation: orientation, transparentKey: transparentKey)
        for _ in 0..<4 where rms > Double(Self.rmsCap) {
            scale *= Float(Double(Self.rmsCap) / rms) * 0.98
            marked = raster
            rms = apply(amplitude, scale: scale, to: &marked, orientation: orientation, transparentKey: transparentKey)
        }
        raster = marked
        return rms
    }

    /// Writes the mark (each pixel's change at `scale`) into the raster's colour samples and
    /// returns the RMS change, in 8-bit levels.
    private func apply(_ amplitude: MarkAmplitude, scale: Float, to raster: inout Raster, orientation: Orientation, transparentKey: [Int]?)
        -> Double
    {
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
                        write(first + channel, new)
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
            return (sum / Float(max(1, amplitude.tile.count))).squareRoot()
        }
        var scale: Float = 1
        var current = rms(scale)
        while current > rmsCap && scale > 0.2 {
            scale *= max(0.9, min(0.99, rmsCap / current))
            current = rms(scale)
        }
        return scale
    }

    // MARK: Detection

    /// Looks for the mark; the payload is given only when its CRC holds.
    func detect(in raster: Raster, orientation: Orientation) -> WatermarkDetection {
        let plane = LumaPlane(raster, orientation: orientation)
        let weighted = Self.weightedResidual(plane)
        var attempts = 0
        var bestSync: Float = 0
        var tried: [Lattice] = []
        // The strip autocorrelation's periods first; only when none decodes, the slower sweep
        // (small images), then a search for a small rotation.
        for stage in 0..<3 {
            let guesses: [Lattice]
            switch stage {
            case 0:
                guesses = Self.periodPairs(weighted).map { Lattice(x: $0.x, y: $0.y) }
            case 1:
                guesses =
                    min(weighted.width, weighted.height) < Self.sweepBelow
                    ? Self.foldEnergyPeriods(weighted.centre(Self.sweepSide)).map { Lattice(x: $0, y: $0) } : []
            default:
                guesses = Self.rotations(weighted.centre(Self.rotationSide), period: Double(TileLayout.tileSize))
            }
            for guess in guesses
            where !tried.contains(where: { abs($0.x - guess.x) < 0.05 && abs($0.y - guess.y) < 0.05 && abs($0.angle - guess.angle) < 0.01 })
            {
                guard attempts < WatermarkCode.attemptLimit else { break }
                tried.append(guess)
                let cells = Self.cellSums(fold(weighted, guess))
                let (offsets, score) = syncOffsets(cells)
                bestSync = max(bestSync, score)
                for offset in offsets {
                    guard attempts < WatermarkCode.attemptLimit else { break }
                    attempts += 1
                    if let payload = WatermarkCode.decode(softBits(cells, offset: offset)) {
                        let grid = TileGrid(lattice: guess, offset: offset, plane: plane)
                        let reading = binding.read(
                            plane, residual: weighted, grid: grid, tileSigns: layout.cellSigns(coded: WatermarkCode.encode(payload)))
                        return WatermarkDetection(
                            present: true, payload: payload, confidence: 1 - WatermarkCode.falsePositiveBound,
                            scale: (guess.x / Double(TileLayout.tileSize), guess.y / Double(TileLayout.tileSize)), attempts: attempts,
                            binding: WatermarkBinding(score: reading.score, expected: reading.expected))
                    }
                }
            }
        }
        // No payload: the sync strength (a z-score; noise gives about 4) hints at a damaged mark.
        let traces = Double(min(0.49, max(0, (bestSync - 4.5) / 16)))
        return WatermarkDetection(present: false, payload: nil, confidence: traces, scale: nil, attempts: attempts)
    }

    /// Luminance minus its 5 × 5 local mean (a small window whitens photographs' falling
    /// spectrum and keeps the mark's cells), clipped at edges and weighted by the mark strength a
    /// pixel of that texture carries over its texture's power (a matched filter for uneven noise).
    static func weightedResidual(_ plane: LumaPlane) -> LumaPlane {
        let mean = plane.boxMean(radius: 2)
        var residual = plane.values
        for index in residual.indices { residual[index] -= mean[index] }
        let power = LumaPlane(width: plane.width, height: plane.height, values: residual.map { $0 * $0 }).boxMean(radius: 8)
        for index in residual.indices {
            // Running sums can leave a hair below zero where the true power is zero (clipped areas).
            let local = max(0, power[index])
            let deviation = local.squareRoot()
            let limit = 2.5 * deviation + 2
            let clipped = min(limit, max(-limit, residual[index]))
            residual[index] = clipped * strength(luminance: mean[index], deviation: deviation) / (local + 2)
        }
        return LumaPlane(width: plane.width, height: plane.height, values: residual)
    }

    /// The fold sweep is for images shorter than `sweepBelow` (few tiles along a strip: a small
    /// picture or one resized down), and looks at their central `sweepSide` square, so that its
    /// cost stays bounded. Larger images have enough tiles for the strips.
    static let sweepBelow = 768
    static let sweepSide = 512
    /// The longest period swept: resizes up to 1.125×; enlarged cells show well in the strips.
    static let sweepLongest = 144.0

    /// Longest and shortest lag searched: tile periods for resizes from about 0.31× to 2.1×.
    static let lagRange = 40...272

    /// Period pairs (x, y) to try, best first, at most 16: first those both axes agree on (a
    /// resize that keeps the aspect ratio, the common case, with the two axes' evidence added),
    /// then each axis's own best, crossed (an aspect change), and the unscaled 128 × 128.
    static func periodPairs(_ plane: LumaPlane) -> [(x: Double, y: Double)] {
        let across = lineContrast(plane, alongRows: true)
        let down = lineContrast(plane, alongRows: false)
        let tile = Double(TileLayout.tileSize)
        var pairs: [(x: Double, y: Double)] = []
        func add(_ x: Double, _ y: Double) {
            if pairs.count < 16, !pairs.contains(where: { abs($0.x - x) < 0.6 && abs($0.y - y) < 0.6 }) { pairs.append((x, y)) }
        }
        if !across.isEmpty && !down.isEmpty {
            let joint = zip(across, down).map { $0 + $1 }
            for period in combPeaks(joint).prefix(6) {
                add(combRefine(across, near: period), combRefine(down, near: period))
            }
            for lag in peaks(joint).prefix(3) {
                add(refine(across, near: lag), refine(down, near: lag))
            }
        }
        let xs = across.isEmpty ? [] : peaks(across).prefix(3).map { refine(across, near: $0) }
        let ys = down.isEmpty ? [] : peaks(down).prefix(3).map { refine(down, near: $0) }
        add(tile, tile)
        for (i, x) in xs.enumerated() {
            for (j, y) in ys.enumerated() where i + j <= 2 { add(x, y) }
        }
        return pairs
    }

    /// Autocorrelation of strips of two adjacent lines (the mark adds up within a strip,
    /// texture only partly), by lag over `lagRange` (zero past what the image's length allows),
    /// less its local trend and scaled to equal noise at every lag; empty when the image is too
    /// short along this axis.
    static func lineContrast(_ plane: LumaPlane, alongRows: Bool) -> [Float] {
        let length = alongRows ? plane.width : plane.height
        let across = alongRows ? plane.height : plane.width
        let segment = min(length, 1536)
        let start = (length - segment) / 2
        let stripWidth = 2
        let stripCount = min(across / stripWidth, 320)
        // Lags up to the segment less 48 pixels, so even the longest has overlap to average.
        let highest = min(lagRange.upperBound, segment - 48)
        guard highest >= lagRange.lowerBound + 40, stripCount > 0 else { return [] }
        var correlation = [Float](repeating: 0, count: lagRange.upperBound + 1)
        var line = [Float](repeating: 0, count: segment)
        plane.values.withUnsafeBufferPointer { values in
            for strip in 0..<stripCount {
                let first = strip * (across / stripWidth) / stripCount * stripWidth
                for index in 0..<segment { line[index] = 0 }
                for offset in 0..<stripWidth {
                    let position = first + offset
                    if alongRows {
                        let row = position * plane.width + start
                        for index in 0..<segment { line[index] += values[row + index] }
                    } else {
                        for index in 0..<segment { line[index] += values[(start + index) * plane.width + position] }
                    }
                }
                line.withUnsafeBufferPointer { strip in
                    guard let start = strip.baseAddress else { return }
                    for lag in lagRange.lowerBound...highest {
                        correlation[lag] += dot(start, start + lag, count: segment - lag) / Float(segment - lag)
                    }
                }
            }
        }
        // Less the mean of the values 8 lags either side: removes slow trends and the comb that
        // 8 × 8 JPEG blocks add at every multiple of 8, and keeps the mark's narrow peaks. Fewer
        // pairs overlap at long lags, so their noise is larger: scaled back by the overlap.
        var contrast = [Float](repeating: 0, count: lagRange.upperBound + 1)
        for lag in (lagRange.lowerBound + 8)...(highest - 8) {
            let trend = 0.5 * (correlation[lag - 8] + correlation[lag + 8])
            contrast[lag] = (correlation[lag] - trend) * Float(segment - lag).squareRoot()
        }
        return contrast
    }

    /// How strongly a contrast array shows `period` at all its multiples within the searched
    /// lags: their sum over the square root of their count, so that every period gets the same
    /// noise. Texture makes single peaks; only a repeated tile makes a comb.
    static func combScore(_ contrast: [Float], period: Double) -> Float {
        let valid = (contrast.lastIndex { $0 != 0 } ?? 0)
        var sum: Float = 0
        var count = 0
        var lag = period
        while lag <= Double(valid) {
            let low = Int(lag)
            let fraction = Float(lag - Double(low))
            sum += contrast[low] * (1 - fraction) + contrast[min(low + 1, contrast.count - 1)] * fraction
            count += 1
            lag += period
        }
        return count > 0 ? sum / Float(count).squareRoot() : 0
    }

    /// Periods whose comb stands out, strongest first, each a local maximum over a quarter-pixel
    /// grid, at least 2 % apart.
    static func combPeaks(_ contrast: [Float]) -> [Double] {
        let grid = stride(from: Double(lagRange.lowerBound + 8), through: Double(lagRange.upperBound - 8), by: 0.25).map { $0 }
        let scores = grid.map { combScore(contrast, period: $0) }
        var found: [(period: Double, score: Float)] = []
        for index in 2..<(grid.count - 2) where scores[index] > 0 {
            if (1...2).allSatisfy({ scores[index] >= scores[index - $0] && scores[index] >= scores[index + $0] }) {
                found.append((grid[index], scores[index]))
            }
        }
        found.sort { $0.score > $1.score }
        var periods: [Double] = []
        for peak in found where !periods.contains(where: { abs($0 - peak.period) < 0.02 * peak.period }) {
            periods.append(peak.period)
        }
        return periods
    }

    /// The period near `period` to a fraction of a pixel: the peak at each of its multiples
    /// located by a parabola, and the period fitted to them all (least squares through zero,
    /// so the far multiples, k times more precise, weigh most).
    static func combRefine(_ contrast: [Float], near period: Double) -> Double {
        let valid = (contrast.lastIndex { $0 != 0 } ?? 0) - 1
        var weighted = 0.0
        var squares = 0.0
        var multiple = 1.0
        while multiple * period <= Double(valid) {
            let centre = Int((multiple * period).rounded())
            let low = max(lagRange.lowerBound + 9, centre - 2)
            let high = min(valid, centre + 2)
            if low <= high, let best = (low...high).max(by: { contrast[$0] < contrast[$1] }), contrast[best] > 0 {
                weighted += multiple * parabola(contrast, at: best)
                squares += multiple * multiple
            }
            multiple += 1
        }
        return squares > 0 ? weighted / squares : period
    }

    /// Periods (the same on both axes) at which folding the plane piles the most energy into
    /// cells, strongest first: a sweep in steps of 0.4 %, each peak then refined in steps of
    /// 0.05 %. It weighs the whole 2-D lattice's evidence, for images with too few tiles along
    /// a line for `lineContrast`.
    static func foldEnergyPeriods(_ plane: LumaPlane, count: Int = 3) -> [Double] {
        let shortest = Double(min(plane.width, plane.height))
        let top = min(sweepLongest, shortest / 2)
        var periods: [Double] = []
        var period = Double(lagRange.lowerBound)
        while period <= top {
            periods.append(period)
            period *= 1.004
        }
        guard periods.count > 8 else { return [] }
        var bins = FoldBins()
        let energies = periods.map { bins.energy(plane, period: $0) }
        // Over the median of its neighbourhood: texture's slow trend divided out.
        let contrast = periods.indices.map { index in
            let window = energies[max(0, index - 12)...min(periods.count - 1, index + 12)].sorted()
            return energies[index] / max(window[window.count / 2], .leastNormalMagnitude)
        }
        let peaks = periods.indices.filter { index in
            (max(0, index - 2)...min(periods.count - 1, index + 2)).allSatisfy { contrast[$0] <= contrast[index] }
        }
        return peaks.sorted { contrast[$0] > contrast[$1] }.prefix(count).map { index in
            (-8...8).map { periods[index] * (1 + 0.0005 * Double($0)) }.map { ($0, bins.energy(plane, period: $0)) }.max { $0.1 < $1.1 }?.0
                ?? periods[index]
        }
    }

    /// Local maxima of a contrast array, strongest first, a peak at twice a strong peak's lag
    /// replaced by the fundamental.
    static func peaks(_ contrast: [Float]) -> [Int] {
        var found: [(lag: Int, height: Float)] = []
        for lag in (lagRange.lowerBound + 10)...(lagRange.upperBound - 10) where contrast[lag] > 0 {
            if (1...2).allSatisfy({ contrast[lag] >= contrast[lag - $0] && contrast[lag] >= contrast[lag + $0] }) {
                found.append((lag, contrast[lag]))
            }
        }
        found.sort { $0.height > $1.height }
        var lags: [Int] = []
        for peak in found {
            let half = found.first { abs($0.lag * 2 - peak.lag) <= 2 && $0.height >= 0.3 * peak.height }
            let lag = half?.lag ?? peak.lag
            if !lags.contains(where: { abs($0 - lag) <= 1 }) { lags.append(lag) }
        }
        return lags
    }

    /// The period near `lag` to a fraction of a pixel: the local maximum within 2 lags, refined
    /// by a parabola, and by its double when that is in range (half the error).
    static func refine(_ contrast: [Float], near lag: Int) -> Double {
        func localMaximum(_ centre: Int) -> Int? {
            let low = max(lagRange.lowerBound + 9, centre - 2)
            let high = min(lagRange.upperBound - 9, centre + 2)
            guard low <= high else { return nil }
            return (low...high).max { contrast[$0] < contrast[$1] }
        }
        guard let best = localMaximum(lag) else { return Double(lag) }
        if 2 * best <= lagRange.upperBound - 9, let double = localMaximum(2 * best), contrast[double] > 0 {
            return parabola(contrast, at: double) / 2
        }
        return parabola(contrast, at: best)
    }

    /// The peak position to a fraction of a lag (a parabola through three points).
    private static func parabola(_ values: [Float], at lag: Int) -> Double {
        guard lag > 0, lag + 1 < values.count else { return Double(lag) }
        let left = Double(values[lag - 1])
        let centre = Double(values[lag])
        let right = Double(values[lag + 1])
        let curvature = left - 2 * centre + right
        guard curvature < 0 else { return Double(lag) }
        return Double(lag) + max(-0.5, min(0.5, 0.5 * (left - right) / curvature))
    }

    private static func dot(_ base: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum = SIMD8<Float>()
        var index = 0
        while index + 8 <= count {
            sum +=
                UnsafeRawPointer(base + index).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            index += 8
        }
        var total = sum.sum()
        while index < count {
            total += base[index] * b[index]
            index += 1
        }
        return total
    }

    /// The plane folded into one 128 × 128 tile: each pixel added to the tile position its
    /// coordinates reach modulo the lattice, then averaged.
    func fold(_ plane: LumaPlane, _ lattice: Lattice) -> [Float] {
        let size = TileLayout.tileSize
        var sums = [Float](repeating: 0, count: size * size)
        var counts = [Float](repeating: 0, count: size * size)
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                lattice.forEachBin(plane, bins: size) { bin, value in
                    sums[bin] += value
                    counts[bin] += 1
                }
            }
        }
        for index in sums.indices where counts[index] > 0 { sums[index] /= counts[index] }
        return sums
    }

    /// The steepest rotation searched, in degrees, either way, and the side of the central
    /// square the search looks at (enough to tell a tenth of a degree, and bounded in cost).
    static let steepestRotation = 3.0
    static let rotationSide = 512

    /// Lattices of the unscaled tile turned by a small angle (up to `steepestRotation`, either
    /// way): the two whose fold piles the most energy into cells, in steps of half a degree,
    /// each refined to 0.05°. The cell grid of a rotated image lines up again only at its own
    /// angle. (A rotated and resized image is not searched for.)
    static func rotations(_ plane: LumaPlane, period: Double) -> [Lattice] {
        guard min(plane.width, plane.height) >= 2 * TileLayout.tileSize else { return [] }
        var bins = FoldBins()
        func lattice(_ degrees: Double) -> Lattice { Lattice(x: period, y: period, angle: degrees * .pi / 180) }
        let angles = stride(from: -steepestRotation, through: steepestRotation, by: 0.5).filter { $0 != 0 }
        let energies = angles.map { bins.energy(plane, lattice($0)) }
        let best = angles.indices.sorted { energies[$0] > energies[$1] }.prefix(2)
        return best.map { index in
            (-5...5).map { lattice(angles[index] + Double($0) * 0.05) }.map { ($0, bins.energy(plane, $0)) }.max { $0.1 < $1.1 }?.0
                ?? lattice(angles[index])
        }
    }

    /// For every cyclic offset, the sum of the 4 × 4 block of the folded tile starting there.
    static func cellSums(_ tile: [Float]) -> [Float] {
        let size = TileLayout.tileSize
        let mask = size - 1
        var across = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                var sum: Float = 0
                for step in 0..<TileLayout.cellSize { sum += tile[y * size + (x + step) & mask] }
                across[y * size + x] = sum
            }
        }
        var blocks = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                var sum: Float = 0
                for step in 0..<TileLayout.cellSize { sum += across[((y + step) & mask) * size + x] }
                blocks[y * size + x] = sum
            }
        }
        return blocks
    }

    /// The two best cyclic offsets of the sync pattern (at least 2 pixels apart), and the best
    /// one's strength as a z-score over all offsets.
    func syncOffsets(_ cells: [Float]) -> (offsets: [(x: Int, y: Int)], score: Float) {
        let size = TileLayout.tileSize
        let mask = size - 1
        var scores = [Float](repeating: 0, count: size * size)
        cells.withUnsafeBufferPointer { cells in
            for oy in 0..<size {
                for ox in 0..<size {
                    var sum: Float = 0
                    for cell in layout.sync {
                        sum +=
                            cell.chip
                            * cells[((oy + cell.y * TileLayout.cellSize) & mask) * size + ((ox + cell.x * TileLayout.cellSize) & mask)]
                    }
                    scores[oy * size + ox] = sum
                }
            }
        }
        let mean = scores.reduce(0, +) / Float(scores.count)
        let deviation = (scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(scores.count)).squareRoot()
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] }
        let best = ranked[0]
        func apart(_ a: Int, _ b: Int) -> Bool {
            let dx = abs(a % size - b % size)
            let dy = abs(a / size - b / size)
            return min(dx, size - dx) >= 2 || min(dy, size - dy) >= 2
        }
        var offsets = [(best % size, best / size)]
        if let second = ranked.prefix(64).first(where: { apart($0, best) }) { offsets.append((second % size, second / size)) }
        return (offsets.map { (x: $0.0, y: $0.1) }, deviation > 0 ? (scores[best] - mean) / deviation : 0)
    }

    /// The soft value of each coded bit at a tile offset: its three cells, chip-corrected, summed.
    func softBits(_ cells: [Float], offset: (x: Int, y: Int)) -> [Float] {
        let size = TileLayout.tileSize
        let mask = size - 1
        var soft = [Float](repeating: 0, count: WatermarkCode.codedBits)
        for cell in layout.data {
            guard let bit = cell.bit else { continue }
            let position = ((offset.y + cell.y * TileLayout.cellSize) & mask) * size + ((offset.x + cell.x * TileLayout.cellSize) & mask)
            soft[bit] += cell.chip * cells[position]
        }
        return soft
    }
}

/// Each pixel's change before the cap, in levels: its strength times its cell's tile chip, and
/// its strength times the binding layer's (`ImageBinding`).
struct MarkAmplitude {
    let width: Int
    let height: Int
    var tile: [Float]
    var bound: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        tile = [Float](repeating: 0, count: width * height)
        bound = [Float](repeating: 0, count: width * height)
    }

    /// An ordered dither over a cell's four 2 × 2 quarters, (rank + ½) / 4: a fraction of a level
    /// becomes whole levels on whole quarters, which a halving resize and requantisation keep.
    private static let dither: [Float] = [0, 2, 3, 1].map { (Float($0) + 0.5) / 4 }

    /// The whole levels written at a pixel. The tile's part is rounded as it is (one level on
    /// flat areas); the binding's, a fraction of a level there, is dithered over the cell's
    /// quarters so that its mean survives rounding.
    @inline(__always)
    func change(_ index: Int, x: Int, y: Int, scale: Float) -> Float {
        (tile[index] * scale).rounded() + (bound[index] * scale + Self.dither[(y & 2) | (x & 2) >> 1]).rounded(.down)
    }
}

/// Where the tiles lie in an image as seen: their periods along the tile's own axes, and the
/// angle (radians) by which those axes are turned about the image centre.
struct Lattice {
    var x: Double
    var y: Double
    var angle = 0.0

    /// Calls `body` with each pixel's bin in a tile of `bins` × `bins` and its value.
    @inline(__always)
    func forEachBin(_ plane: LumaPlane, bins: Int, _ body: (Int, Float) -> Void) {
        let scale = Double(bins)
        plane.values.withUnsafeBufferPointer { values in
            if angle == 0 {
                // Rows and columns are independent: one table per axis.
                let columns = (0..<plane.width).map { Int((Double($0) / x).truncatingRemainder(dividingBy: 1) * scale) % bins }
                for row in 0..<plane.height {
                    let rowBin = Int((Double(row) / y).truncatingRemainder(dividingBy: 1) * scale) % bins * bins
                    let line = row * plane.width
                    for column in 0..<plane.width { body(rowBin + columns[column], values[line + column]) }
                }
                return
            }
            // Tile coordinates step by a constant along a row (less than a tile): added and
            // wrapped, not multiplied.
            let cosine = cos(angle)
            let sine = sin(angle)
            let centreX = Double(plane.width) / 2
            let centreY = Double(plane.height) / 2
            let stepU = cosine / x
            let stepV = -sine / y
            for row in 0..<plane.height {
                let dy = Double(row) - centreY
                var u = (-centreX * cosine + dy * sine) / x
                var v = (dy * cosine + centreX * sine) / y
                u -= u.rounded(.down)
                v -= v.rounded(.down)
                let line = row * plane.width
                for column in 0..<plane.width {
                    body(min(bins - 1, Int(v * scale)) * bins + min(bins - 1, Int(u * scale)), values[line + column])
                    u += stepU
                    if u >= 1 { u -= 1 } else if u < 0 { u += 1 }
                    v += stepV
                    if v >= 1 { v -= 1 } else if v < 0 { v += 1 }
                }
            }
        }
    }
}

/// A coarse fold (64 × 64 bins per tile, two to a cell) for the period sweep and the rotation
/// search, its storage reused from one lattice to the next.
struct FoldBins {
    static let size = 64
    private var sums = [Float](repeating: 0, count: size * size)

    /// The energy of the plane folded at `period` on both axes, summed over 2 × 2 bins (a cell).
    mutating func energy(_ plane: LumaPlane, period: Double) -> Float {
        energy(plane, Lattice(x: period, y: period))
    }

    /// The energy of the plane folded on `lattice`, summed over 2 × 2 bins (a cell).
    mutating func energy(_ plane: LumaPlane, _ lattice: Lattice) -> Float {
        let size = Self.size
        for index in sums.indices { sums[index] = 0 }
        sums.withUnsafeMutableBufferPointer { sums in lattice.forEachBin(plane, bins: size) { bin, value in sums[bin] += value } }
        var energy: Float = 0
        for y in 0..<size {
            let below = (y + 1) % size
            for x in 0..<size {
                let right = (x + 1) % size
                let cell = sums[y * size + x] + sums[y * size + right] + sums[below * size + x] + sums[below * size + right]
                energy += cell * cell
            }
        }
        return energy
    }
}
