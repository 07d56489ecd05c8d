/// Where a mark's chips go in its repeating grid, chosen by the key: a few hundred sync chips
/// (a known keyed ±1 pattern that reveals where a cut-out piece's grid starts) and the rest
/// carrying the 306 coded bits a few times each, at keyed places. Every chip has a keyed sign,
/// so the grid looks like noise without the key.
///
/// The image mark's grid is its tile (`TileLayout`); the audio mark's is its block of time slots
/// by frequency bands (`AudioBlock`).
struct ChipLayout: Sendable {
    struct Cell: Sendable {
        /// Column (image: x; audio: time slot) and row (image: y; audio: band).
        var x: Int
        var y: Int
        var chip: Float
        /// The coded bit this cell carries; nil for a sync cell.
        var bit: Int?
    }

    let columns: Int
    let rows: Int
    let sync: [Cell]
    let data: [Cell]

    /// `purpose` keeps the layouts of different marks under one key unrelated; each coded bit
    /// goes into `repetitions` cells, and the rest are sync cells. With `syncCount` instead, that
    /// many cells are sync and the rest carry the coded bits in turn (where they do not divide
    /// evenly, some bits once more, spread evenly over the word).
    init(key: WatermarkKey, columns: Int, rows: Int, purpose: String, repetitions: Int = 3, syncCount: Int? = nil) {
        let count = columns * rows
        let syncCount = syncCount ?? count - repetitions * WatermarkCode.codedBits
        precondition(syncCount > 0 && count - syncCount >= WatermarkCode.codedBits, "a grid needs room for sync chips and every bit")
        self.columns = columns
        self.rows = rows
        let random = key.stream(purpose, count: count * 4 + count / 8 + 1)
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
            return Cell(x: place % columns, y: place / columns, chip: chipBit == 1 ? 1 : -1, bit: bit)
        }
        sync = (0..<syncCount).map { cell($0, bit: nil) }
        // Cells past the last whole round carry bits spread evenly over the code word: its ends
        // are held by the trellis's known start and tail, its middle is weakest.
        let coded = WatermarkCode.codedBits
        let rounds = (count - syncCount) / coded * coded
        let extra = count - syncCount - rounds
        data = (0..<(count - syncCount)).map { index in
            cell(syncCount + index, bit: index < rounds ? index % coded : (2 * (index - rounds) + 1) * coded / (2 * extra))
        }
    }

    /// A layout whose cells are given.
    init(columns: Int, rows: Int, sync: [Cell], data: [Cell]) {
        self.columns = columns
        self.rows = rows
        self.sync = sync
        self.data = data
    }

    /// The grid as ±1 per cell (row-major) for the given coded bits.
    func cellSigns(coded: [Bool]) -> [Float] {
        var signs = [Float](repeating: 0, count: columns * rows)
        for cell in sync { signs[cell.y * columns + cell.x] = cell.chip }
        for cell in data {
            guard let bit = cell.bit else { continue }
            signs[cell.y * columns + cell.x] = cell.chip * (coded[bit] ? 1 : -1)
        }
        return signs
    }
}

/// The image mark's tile: 32 × 32 cells of 4 × 4 pixels (106 sync, 918 data), 128 pixels a side,
/// repeated over the whole image.
enum TileLayout {
    static let cellSize = 4
    static let cellsPerSide = 32
    static let tileSize = cellSize * cellsPerSide

    static func chips(key: WatermarkKey) -> ChipLayout {
        ChipLayout(key: key, columns: cellsPerSide, rows: cellsPerSide, purpose: "tile layout")
    }
}
