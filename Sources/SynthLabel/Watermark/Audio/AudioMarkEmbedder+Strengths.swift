import Glibc

/// How strong each cell of a block is, and how a cell's change is shared among channels: pure
/// rules the detector also applies, to expect each cell's strength from the music it hears.
extension AudioMarkEmbedder {
    static let weakest: Float = 0.015
    static let strongest: Float = 0.2
    /// A frame's budget at the default SNR, as a share of its energy, before steering. The
    /// detector expects each cell's strength from it whatever SNR the mark was made at: six
    /// programmes marked at 24 and at 33.5 dB read back through it, unattacked and after MP3 at
    /// 64 kbit/s, and three wide-stereo ones marked at 27.5 dB under three keys, after Opus at
    /// 32 kbit/s, as through their own.
    static let nominalBudget: Float = 0.000_89
    /// The most a frame's change may cost, as a multiple of its share of the block's budget.
    static let frameShareLimit: Float = 8
    /// The most a cell's change common to every channel may be, as a multiple of its strength
    /// (6 dB more in the mix): the channels' energy counts for at most 4× their mix's there.
    static let commonAllowance: Float = 2

    /// Each cell's α: `weakest` everywhere (all scaled down if even that exceeds the budget), then
    /// the rest of the budget to the quietest cells first, up to `strongest` (or each cell's cap).
    static func allocate(_ strengths: inout [Float], energies: [Float], budget: Float, caps: [Float]? = nil) {
        strengths.withUnsafeMutableBufferPointer { strengths in
            energies.withUnsafeBufferPointer { energies in
                guard let caps else { return allocate(strengths, energies: energies, budget: budget, caps: nil) }
                caps.withUnsafeBufferPointer { allocate(strengths, energies: energies, budget: budget, caps: $0) }
            }
        }
    }

    private static func allocate(
        _ strengths: UnsafeMutableBufferPointer<Float>, energies: UnsafeBufferPointer<Float>, budget: Float,
        caps: UnsafeBufferPointer<Float>?
    ) {
        let floorCost = weakest * weakest * energies.reduce(0, +)
        guard floorCost < budget else {
            let uniform = floorCost > 0 ? weakest * (budget / floorCost).squareRoot() : weakest
            for index in strengths.indices { strengths[index] = uniform }
            return
        }
        func top(_ cell: Int) -> Float { caps.map { max(weakest, $0[cell]) } ?? strongest }
        func raise(_ cell: Int) -> Float { (top(cell) * top(cell) - weakest * weakest) * energies[cell] }
        // Quietest first, without sorting every cell: energies are never negative, so their bit
        // patterns order as they do (and go about as their logarithm). The cells are counted
        // into as many buckets, evenly between the least and the most of those, each bucket's
        // raises summed, and only the bucket where the budget runs out is sorted (with the cell's
        // index in the low half of the key, ties keep the order of the cells).
        let count = energies.count
        let patterns = energies.map { $0.bitPattern }
        let least = patterns.min() ?? 0
        let scale = Double(count) / (Double(patterns.max() ?? 0) - Double(least) + 1)
        let buckets = patterns.map { Int(Double($0 - least) * scale) }
        var sums = [Float](repeating: 0, count: count)
        for cell in 0..<count { sums[buckets[cell]] += raise(cell) }
        var remaining = budget - floorCost
        var crossing = 0
        while crossing < count && sums[crossing] <= remaining {
            remaining -= sums[crossing]
            crossing += 1
        }
        var last: [UInt64] = []
        for cell in 0..<count {
            if buckets[cell] < crossing {
                strengths[cell] = top(cell)
            } else {
                strengths[cell] = weakest
                if buckets[cell] == crossing { last.append(UInt64(patterns[cell]) << 32 | UInt64(cell)) }
            }
        }
        for key in last.sorted() {
            let cell = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
            let raise = raise(cell)
            if raise <= remaining {
                strengths[cell] = top(cell)
                remaining -= raise
            } else {
                strengths[cell] = (weakest * weakest + remaining / energies[cell]).squareRoot()
                return
            }
        }
    }

    /// What `allocate` spends of `budget`: all of it, unless every band is at `strongest` first.
    static func spending(energies: [Float], budget: Float) -> Float {
        min(budget, strongest * strongest * energies.reduce(0, +))
    }

    /// The strengths of a block's cells, frame by frame (`energies` holds each frame's band
    /// energies in turn): the frames' shares of the budget pooled and spent over all the cells,
    /// each cell capped at what its frame's own rule gives it with `frameShareLimit` times its share.
    static func allocate(block energies: [Float], shares: [Float]) -> [Float] {
        let bands = AudioBlock.bandCount
        var caps = [Float](repeating: 0, count: energies.count)
        caps.withUnsafeMutableBufferPointer { caps in
            energies.withUnsafeBufferPointer { energies in
                for frame in shares.indices {
                    let range = (frame * bands)..<((frame + 1) * bands)
                    allocate(
                        UnsafeMutableBufferPointer(rebasing: caps[range]), energies: UnsafeBufferPointer(rebasing: energies[range]),
                        budget: frameShareLimit * shares[frame], caps: nil)
                }
            }
        }
        var strengths = [Float](repeating: 0, count: energies.count)
        allocate(&strengths, energies: energies, budget: shares.reduce(0, +), caps: caps)
        return strengths
    }

    /// How a cell's change of strength α is shared, for channels of mean power `channels` and a
    /// mix of power `mix` in the band: α·(common·mix + own·(channel − mix)). The part common to
    /// every channel is as strong as the channels allow, up to `commonAllowance`; each channel's
    /// own part, its difference from the mix, takes the rest of the cell's energy, α² times the
    /// channels' power. So joint-stereo codecs (MP3, Vorbis), which keep the mix better than the
    /// sides, keep the common part, and Opus at low rates, which keeps wide stereo's channels
    /// better than its mix, keeps some of the channels' own.
    static func split(channels: Float, mix: Float) -> [Float] {
        // The channels' mean power is the mix's plus their mean square difference from it.
        guard channels > mix else { return [1, 0] }
        guard channels > commonAllowance * commonAllowance * mix else { return [(channels / mix).squareRoot(), 0] }
        let own = ((channels - commonAllowance * commonAllowance * mix) / (channels - mix)).squareRoot()
        return [commonAllowance, own]
    }
}
