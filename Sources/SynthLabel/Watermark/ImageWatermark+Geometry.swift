import Glibc

/// Where the tiles lie: the period on each axis (strips' autocorrelation, the comb and fold
/// sweeps) and small rotations, which detection folds on.
extension ImageWatermark {
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
