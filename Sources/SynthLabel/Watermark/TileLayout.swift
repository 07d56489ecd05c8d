/// Where the mark's cells go in its 128-pixel tile, chosen by the key.
///
/// The tile is 32 × 32 cells of 4 × 4 pixels and repeats over the whole image. 106 cells are
/// sync cells (a known keyed ±1 pattern that reveals where a cropped image's tiles start) and
/// 918 carry the 306 coded bits three times each, spread at keyed places. Every cell has a
/// keyed chip sign, so the tile looks like noise without the key.
struct TileLayout: Sendable {
    static let cellSize = 4
    static let cellsPerSide = 32
    static let tileSize = cellSize * cellsPerSide
    static let syncCount = 1024 - 3 * WatermarkCode.codedBits

    struct Cell: Sendable {
        var x: Int
        var y: Int
        var chip: Float
        /// The coded bit this cell carries; nil for a sync cell.
        var bit: Int?
    }

    let sync: [Cell]
    let data: [Cell]

    init(key: WatermarkKey) {
        let count = Self.cellsPerSide * Self.cellsPerSide
        let random = key.stream("tile layout", count: count * 4 + count / 8 + 1)
        // Fisher–Yates with keyed 32-bit draws: the order in which cells are handed out.
        var order = Array(0..<count)
        for index in stride(from: count - 1, to: 0, by: -1) {
            let draw = random[(index * 4)..<(index * 4 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            order.swapAt(index, Int(draw % UInt32(index + 1)))
        }
        let chips = random[(count * 4)...]
        func cell(_ index: Int, bit: Int?) -> Cell {
            let place = order[index]
            let chipBit = chips[chips.startIndex + place / 8] >> (place % 8) & 1
            return Cell(x: place % Self.cellsPerSide, y: place / Self.cellsPerSide, chip: chipBit == 1 ? 1 : -1, bit: bit)
        }
        sync = (0..<Self.syncCount).map { cell($0, bit: nil) }
        data = (Self.syncCount..<count).map { cell($0, bit: ($0 - Self.syncCount) % WatermarkCode.codedBits) }
    }

    /// The tile as ±1 per cell (row-major, 32 × 32) for the given coded bits.
    func cellSigns(coded: [Bool]) -> [Float] {
        var signs = [Float](repeating: 0, count: Self.cellsPerSide * Self.cellsPerSide)
        for cell in sync { signs[cell.y * Self.cellsPerSide + cell.x] = cell.chip }
        for cell in data { signs[cell.y * Self.cellsPerSide + cell.x] = cell.chip * (coded[cell.bit!] ? 1 : -1) }
        return signs
    }
}
