import Glibc

/// Detection: the residual, the fold into one tile, the sync search and the soft bits.
extension ImageWatermark {
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
        var power = LumaPlane(width: plane.width, height: plane.height, values: residual.map { $0 * $0 })
        power.replaceWithBoxMean(radius: 8)
        for index in residual.indices {
            // Running sums can leave a hair below zero where the true power is zero (clipped areas).
            let local = max(0, power.values[index])
            let deviation = local.squareRoot()
            let limit = 2.5 * deviation + 2
            let clipped = min(limit, max(-limit, residual[index]))
            residual[index] = clipped * strength(luminance: mean[index], deviation: deviation) / (local + 2)
        }
        return LumaPlane(width: plane.width, height: plane.height, values: residual)
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
