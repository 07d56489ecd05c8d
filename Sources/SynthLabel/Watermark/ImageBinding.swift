import Glibc

/// The image mark's second layer, which ties it to the picture it was made for, so that a mark
/// copied onto other content does not attribute that content to the mark's record.
///
/// The tile (`TileLayout`) repeats, so its pattern can be estimated from one marked image by
/// averaging the fine residual over the tiles, and added to another. This layer does not
/// repeat: every cell of the image adds `relativeStrength` × b, where b (±1, or 0 where the
/// picture is flat) is the sign of a keyed feature of the picture's coarse luminance around the
/// cell: two smoothed samples at keyed places two to four cells away, less two others, times a
/// keyed sign per tile position. Averaging
/// over tiles or images cancels it, and on other content the same feature has unrelated signs.
/// The detector, once the payload has decoded and the grid is known, computes the feature from
/// the image it is given (coarse luminance, which recompression, resizing, noise and brightness
/// or contrast changes keep) and correlates it with the residual of every cell: a mark made for
/// this picture correlates, a copied one does not.
struct ImageBinding: Sendable {
    /// One term of the feature: a displacement in cells and a weight.
    struct Tap: Sendable {
        var dx: Int
        var dy: Int
        var weight: Float
    }

    /// The layer's chip against the tile's (each cell adds strength × (tile chip + this × b)).
    static let relativeStrength: Float = 0.5
    /// Radius of the box mean the feature samples, in pixels at the marked size: wide enough
    /// that the mark's own cells average out of it.
    static let smoothingRadius = 8
    /// The farthest tap, in cells.
    static let reach = 4
    /// The local standard deviation (levels) from which a cell counts as textured.
    static let texturedFrom: Float = 8
    /// Below this size of feature (in levels) the picture is too flat to bind to: no chip.
    static let flatBelow: Float = 2

    /// Four taps for each of the tile's cells (row-major): two added, two subtracted, times
    /// the cell's keyed sign. The sign makes what a picture's own fine detail has in common
    /// with its coarse shape (an edge shows in both) cancel over the tile's cells.
    let taps: [[Tap]]

    init(key: WatermarkKey) {
        let cells = TileLayout.cellsPerSide * TileLayout.cellsPerSide
        // Offsets at least two cells away on one axis: a tap on the cell itself would share its
        // fine detail with the residual the layer is read from.
        let offsets = (-Self.reach...Self.reach).flatMap { dy in (-Self.reach...Self.reach).map { dx in (dx, dy) } }
            .filter { max(abs($0.0), abs($0.1)) >= 2 }
        let random = key.stream("image binding taps", count: cells * 9)
        taps = (0..<cells).map { cell in
            let sign: Float = random[cell * 9 + 8] & 1 == 1 ? 1 : -1
            return (0..<4).map { index in
                let draw = Int(random[cell * 9 + index * 2]) << 8 | Int(random[cell * 9 + index * 2 + 1])
                let offset = offsets[draw % offsets.count]
                return Tap(dx: offset.0, dy: offset.1, weight: index < 2 ? sign : -sign)
            }
        }
    }

    /// The feature at a cell: its taps on the smoothed plane, or nil when one falls outside.
    private func feature(_ smoothed: LumaPlane, grid: TileGrid, cellX: Int, cellY: Int) -> Float? {
        let position = grid.position(cellX, cellY)
        var sum: Float = 0
        for tap in taps[position] {
            let point = grid.centre(cellX + tap.dx, cellY + tap.dy)
            let x = Int(point.x)
            let y = Int(point.y)
            guard point.x >= 0, point.y >= 0, x < smoothed.width, y < smoothed.height else { return nil }
            sum += tap.weight * smoothed.values[y * smoothed.width + x]
        }
        return sum
    }

    /// The layer's chip for every cell of an unmarked image at its own size (row-major over
    /// `columns` × `rows`): ±1, or 0 where the picture is too flat or a tap falls outside.
    func chips(_ plane: LumaPlane) -> (columns: Int, rows: Int, chips: [Float]) {
        let grid = TileGrid(lattice: Lattice(x: Double(TileLayout.tileSize), y: Double(TileLayout.tileSize)), offset: (0, 0), plane: plane)
        let smoothed = LumaPlane(width: plane.width, height: plane.height, values: plane.boxMean(radius: Self.smoothingRadius))
        let columns = (plane.width + TileLayout.cellSize - 1) / TileLayout.cellSize
        let rows = (plane.height + TileLayout.cellSize - 1) / TileLayout.cellSize
        var chips = [Float](repeating: 0, count: columns * rows)
        for y in 0..<rows {
            for x in 0..<columns {
                guard let value = feature(smoothed, grid: grid, cellX: x, cellY: y), abs(value) >= Self.flatBelow else { continue }
                chips[y * columns + x] = value > 0 ? 1 : -1
            }
        }
        return (columns, rows, chips)
    }

    /// What the correlation of the layer with an image found.
    struct Reading: Sendable {
        /// The correlation as a z-score: a mark made for other content reaches z with
        /// probability below exp(−z²/2).
        var score: Double
        /// About the score a mark made for this picture would give from its textured cells
        /// alone, with no cell's feature changed: low where the test cannot tell.
        var expected: Double
        /// Cells read.
        var cells: Int
    }

    /// Reads the layer from an image whose tile has been found at `grid` and decoded to the
    /// tile chips `tileSigns` (row-major, 32 × 32). `residual` is the weighted residual the
    /// tile was read from; `plane` the image's luminance.
    func read(_ plane: LumaPlane, residual: LumaPlane, grid: TileGrid, tileSigns: [Float]) -> Reading {
        let scale = grid.scale
        let smoothed = LumaPlane(
            width: plane.width, height: plane.height,
            values: plane.boxMean(radius: max(1, Int((Double(Self.smoothingRadius) * scale).rounded()))))
        let sums = BoxMeans(plane: residual)
        let levels = BoxMeans(plane: plane)
        let half = max(0.5, 1.6 * scale)
        let textureHalf = 3.5 * scale
        var cellResidual: [Float] = []
        var cellPosition: [Int] = []
        var tileChip: [Float] = []
        var weight: [Float] = []
        var textured: [Bool] = []
        let softness = 2 * Self.flatBelow
        grid.forEachCell { cellX, cellY, centre in
            guard let value = feature(smoothed, grid: grid, cellX: cellX, cellY: cellY) else { return }
            guard let mean = sums.mean(x: centre.x, y: centre.y, half: half) else { return }
            cellResidual.append(mean)
            cellPosition.append(grid.position(cellX, cellY))
            tileChip.append(tileSigns[grid.position(cellX, cellY)])
            weight.append(max(-1, min(1, value / softness)))
            let (level, square) = levels.moments(x: centre.x, y: centre.y, half: textureHalf) ?? (0, 0)
            textured.append(square - level * level >= Self.texturedFrom * Self.texturedFrom)
        }
        guard !cellResidual.isEmpty else { return Reading(score: 0, expected: 0, cells: 0) }
        // The tile's own pull on each cell, taken out so that it adds no noise to the layer's.
        // What the layer is expected to add counts its textured cells only: on flat ones it is
        // a fraction of a level, dithered, which a resize or a codec may round away.
        var pull: Double = 0
        var boundPull: Double = 0
        var reach: Double = 0
        for index in cellResidual.indices {
            let own = Double(cellResidual[index] * tileChip[index])
            pull += own
            guard textured[index] else { continue }
            boundPull += own * Double(abs(weight[index]))
            reach += Double(abs(weight[index]))
        }
        pull /= Double(cellResidual.count)
        boundPull /= max(reach, 1)
        // The correlation summed by tile position, then over positions. Each position's sum
        // carries that position's keyed sign, which nothing but a mark made under the key
        // follows; whatever the content, the total is then at most a sum of independent random
        // signs times the positions' sums, so the chance that a mark not made for this content
        // reaches z is below exp(−z²/2) (Hoeffding), with no model of the content.
        var byPosition = [Double](repeating: 0, count: TileLayout.cellsPerSide * TileLayout.cellsPerSide)
        for index in cellResidual.indices {
            byPosition[cellPosition[index]] += (Double(cellResidual[index]) - pull * Double(tileChip[index])) * Double(weight[index])
        }
        let sum = byPosition.reduce(0, +)
        let deviation = byPosition.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard deviation > 0 else { return Reading(score: 0, expected: 0, cells: cellResidual.count) }
        return Reading(
            score: sum / deviation, expected: Double(Self.relativeStrength) * max(0, boundPull) * reach / deviation,
            cells: cellResidual.count)
    }
}

/// Where the tile's cells lie on an image: the lattice the fold found, the cyclic offset the
/// sync found, and the image's size. Cells are numbered without wrapping (cell (0, 0) starts at
/// the offset), so each cell of the image has its own pair.
struct TileGrid {
    var lattice: Lattice
    var offset: (x: Int, y: Int)
    var width: Int
    var height: Int

    init(lattice: Lattice, offset: (x: Int, y: Int), plane: LumaPlane) {
        self.lattice = lattice
        self.offset = offset
        width = plane.width
        height = plane.height
    }

    /// Image pixels per tile pixel.
    var scale: Double { (lattice.x + lattice.y) / Double(2 * TileLayout.tileSize) }

    /// The cell's place in the tile (row-major).
    func position(_ cellX: Int, _ cellY: Int) -> Int {
        let side = TileLayout.cellsPerSide
        return ((cellY % side + side) % side) * side + (cellX % side + side) % side
    }

    /// The image point (in pixels, a pixel's centre at +0.5) of a point in tile pixels, as
    /// `Lattice.forEachBin` maps pixels to tile bins.
    func point(_ tileX: Double, _ tileY: Double) -> (x: Double, y: Double) {
        let size = Double(TileLayout.tileSize)
        let u = tileX * lattice.x / size
        let v = tileY * lattice.y / size
        guard lattice.angle != 0 else { return (u, v) }
        let cosine = cos(lattice.angle)
        let sine = sin(lattice.angle)
        return (Double(width) / 2 + u * cosine - v * sine, Double(height) / 2 + u * sine + v * cosine)
    }

    /// The centre of a cell in image pixels.
    func centre(_ cellX: Int, _ cellY: Int) -> (x: Double, y: Double) {
        let cell = TileLayout.cellSize
        return point(Double(offset.x + cellX * cell) + Double(cell) / 2, Double(offset.y + cellY * cell) + Double(cell) / 2)
    }

    /// Calls `body` with every cell whose centre lies in the image.
    func forEachCell(_ body: (Int, Int, (x: Double, y: Double)) -> Void) {
        let size = Double(TileLayout.tileSize)
        let cosine = cos(lattice.angle)
        let sine = sin(lattice.angle)
        // The image's corners in tile pixels bound the cells to visit.
        var lowX = Double.infinity
        var highX = -Double.infinity
        var lowY = Double.infinity
        var highY = -Double.infinity
        for (x, y) in [(0.0, 0.0), (Double(width), 0), (0, Double(height)), (Double(width), Double(height))] {
            let (dx, dy) = lattice.angle == 0 ? (x, y) : (x - Double(width) / 2, y - Double(height) / 2)
            let u = (dx * cosine + dy * sine) * size / lattice.x
            let v = (dy * cosine - dx * sine) * size / lattice.y
            lowX = min(lowX, u)
            highX = max(highX, u)
            lowY = min(lowY, v)
            highY = max(highY, v)
        }
        let cell = Double(TileLayout.cellSize)
        let firstX = Int(((lowX - Double(offset.x)) / cell).rounded(.down))
        let lastX = Int(((highX - Double(offset.x)) / cell).rounded(.up))
        let firstY = Int(((lowY - Double(offset.y)) / cell).rounded(.down))
        let lastY = Int(((highY - Double(offset.y)) / cell).rounded(.up))
        guard firstX <= lastX, firstY <= lastY else { return }
        for cellY in firstY...lastY {
            for cellX in firstX...lastX {
                let centre = centre(cellX, cellY)
                guard centre.x >= 0, centre.y >= 0, centre.x < Double(width), centre.y < Double(height) else { continue }
                body(cellX, cellY, centre)
            }
        }
    }
}

/// Means over small boxes of a plane, summed directly: the boxes read are a few pixels wide,
/// one per cell, so this costs a few additions per pixel and no table the size of the image.
private struct BoxMeans {
    let plane: LumaPlane

    /// The pixels whose centres lie within `half` of (x, y) on each axis; nil when the box
    /// leaves the plane.
    private func box(x: Double, y: Double, half: Double) -> (columns: Range<Int>, rows: Range<Int>)? {
        let left = Int((x - half).rounded())
        let right = Int((x + half).rounded())
        let top = Int((y - half).rounded())
        let bottom = Int((y + half).rounded())
        guard left >= 0, top >= 0, right <= plane.width, bottom <= plane.height, right > left, bottom > top else { return nil }
        return (left..<right, top..<bottom)
    }

    /// The mean of the values in the box.
    func mean(x: Double, y: Double, half: Double) -> Float? {
        guard let box = box(x: x, y: y, half: half) else { return nil }
        var total: Double = 0
        for row in box.rows {
            for column in box.columns { total += Double(plane.values[row * plane.width + column]) }
        }
        return Float(total / Double(box.columns.count * box.rows.count))
    }

    /// The mean and the mean square of the values in the box.
    func moments(x: Double, y: Double, half: Double) -> (mean: Float, meanSquare: Float)? {
        guard let box = box(x: x, y: y, half: half) else { return nil }
        var total: Double = 0
        var squares: Double = 0
        for row in box.rows {
            for column in box.columns {
                let value = Double(plane.values[row * plane.width + column])
                total += value
                squares += value * value
            }
        }
        let count = Double(box.columns.count * box.rows.count)
        return (Float(total / count), Float(squares / count))
    }
}
