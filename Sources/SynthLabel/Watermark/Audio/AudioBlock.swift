import Glibc

/// The audio mark's repeating block: 48 time slots of 0.1 s (4.8 s) by 40 frequency bands from 150
/// Hz to 6.5 kHz. Each chip raises or lowers its band's magnitudes during its slot by a few per
/// cent. The block repeats for the whole programme, so any 10 s excerpt holds two whole blocks; the
/// grid is in seconds and hertz, not samples, so it reads the same at any sample rate.
///
/// The bands start at 150 Hz so that bass-heavy music and low voices carry the mark (one published
/// system starts at 860 Hz and leaves such content unmarked), and stop at 6.5 kHz: resampling to 16
/// kHz keeps them all, and MP3 at 32 kbit/s (which resamples to 16 kHz and keeps little above 5.5
/// kHz) loses only the top two, which then add noise to the detector. The ten lowest are 50 Hz wide
/// (about two bins of a 46 ms frame), the thirty above spaced evenly in log frequency, each 8 %
/// wider than the one below, so a 2 % speed change moves an edge by a quarter of its band at most
/// (the detector searches speed). A band narrower than two bins is read from one bin, whose log
/// power swings by several decibels from frame to frame by itself.
enum AudioBlock {
    static let slotSeconds = 0.1
    static let slots = 48
    static let bandCount = 40
    static let lowestHz = 150.0
    static let highestHz = 6500.0
    /// How many bands at the bottom are `narrowestHz` wide (150–650 Hz).
    static let evenBands = 10
    static let narrowestHz = 50.0
    static var seconds: Double { slotSeconds * Double(slots) }

    /// Band b spans edges[b] ..< edges[b + 1] hertz.
    static let edges: [Double] = (0...bandCount).map { band in
        let evenTop = lowestHz + Double(evenBands) * narrowestHz
        guard band > evenBands else { return lowestHz + Double(band) * narrowestHz }
        return evenTop * pow(highestHz / evenTop, Double(band - evenBands) / Double(bandCount - evenBands))
    }

    /// The band of each bin of a `size`-point transform, or -1 outside the bands.
    static func bandOfBin(size: Int, sampleRate: Int) -> [Int] {
        let binHz = Double(sampleRate) / Double(size)
        return (0...(size / 2)).map { bin in
            let hz = Double(bin) * binHz
            guard hz >= lowestHz, hz < highestHz else { return -1 }
            return edges.lastIndex { $0 <= hz } ?? -1
        }
    }

    /// Sync chips and coded bits go by 2 × 2 groups of cells: two slots by two bands, a band and
    /// the one two above it, with the signs of a checkerboard (+ − over − +). The detector reads
    /// each cell against the slots either side and the bands two away, so within a group each
    /// cell's neighbours move against it, and the group's change reads about twice as strongly for
    /// the same energy (2.25× against the slots alone, 1.9× with the detector's reference), where
    /// the music's own change, smooth from cell to cell, hardly does. Of the block's 480 groups, 96
    /// are sync and 384 carry the 306 coded bits, 78 of them, spread evenly over the word, twice.
    static func chips(key: WatermarkKey) -> ChipLayout {
        let groups = ChipLayout(
            key: key, columns: slots / 2, rows: bandCount / 2, purpose: "audio block layout", syncCount: syncGroups)
        func cells(_ group: ChipLayout.Cell) -> [ChipLayout.Cell] {
            let slot = 2 * group.x
            let band = 4 * (group.y / 2) + group.y % 2
            return [(0, 0, Float(1)), (1, 0, -1), (0, 2, -1), (1, 2, 1)].map { slotStep, bandStep, sign in
                ChipLayout.Cell(x: slot + slotStep, y: band + bandStep, chip: group.chip * sign, bit: group.bit)
            }
        }
        return ChipLayout(columns: slots, rows: bandCount, sync: groups.sync.flatMap(cells), data: groups.data.flatMap(cells))
    }

    /// The group of a block cell (band-major: band × slots + slot), numbered as `chips` numbers
    /// them (row-major over 24 × 20), with the cell's checkerboard sign in it.
    static func group(ofCell cell: Int) -> (group: Int, sign: Float) {
        let slot = cell % slots
        let band = cell / slots
        let bandStep = band % 4 >= 2 ? 2 : 0
        let lowest = band - bandStep
        let row = lowest / 4 * 2 + lowest % 4
        return (row * (slots / 2) + slot / 2, (slot % 2 == 0) == (bandStep == 0) ? 1 : -1)
    }

    /// Sync groups per block: a fifth of the cells, as before the groups (64 read back about as
    /// well: 224 summed over eight attack sets, against 226–236 with 96).
    static let syncGroups = 96
    /// The cells of a group, which `chips` lists one after another.
    static let groupCells = 4

    /// The embedder's frame for a sample rate: the largest power of two within 50 ms (2048 at
    /// 44.1 and 48 kHz, 512 at 16 kHz), short against a slot, so each slot's change is its own.
    static func frameSize(sampleRate: Int) -> Int {
        var size = 256
        while size * 2 <= sampleRate / 20 { size *= 2 }
        return size
    }

    /// The detector's frame: the power of two nearest 50 ms (1024 at 16 kHz, 64 ms), so that the
    /// low bands, a few tens of hertz wide, get whole bins at every rate.
    static func analysisFrameSize(sampleRate: Int) -> Int {
        let size = frameSize(sampleRate: sampleRate)
        let seconds = Double(size) / Double(sampleRate)
        return 2 * seconds - 0.05 < 0.05 - seconds ? 2 * size : size
    }
}
