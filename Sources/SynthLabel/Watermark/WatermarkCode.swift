/// The watermark's message and its error correction.
///
/// 64 payload bits and their CRC-32 (96 bits) go through a rate-1/3 convolutional code with
/// constraint length 7 (generators 133, 171, 165 octal, free distance 15) and six zero tail
/// bits: 306 coded bits. Decoding is soft-decision Viterbi, or list Viterbi (the audio mark's
/// best 1 to 256 paths). The mark counts as present only when the decoded CRC holds, so an
/// unmarked image "decodes" to a match with probability 2⁻³² per attempt and path;
/// `attemptLimit` attempts per image keep false positives below 1e-8.
enum WatermarkCode {
    static let payloadBits = 64
    static let messageBits = 96
    static let codedBits = (messageBits + 6) * 3
    /// Most decoding attempts (scale and offset candidates) a detector may make per image.
    static let attemptLimit = 42
    /// The false-positive bound per image that `attemptLimit` and the CRC give.
    static let falsePositiveBound = Double(attemptLimit) / 4_294_967_296

    private static let generators: [UInt8] = [0o133, 0o171, 0o165]

    /// The payload's 64 bits followed by the CRC-32 of its 8 bytes, most significant bit first.
    static func message(_ payload: UInt64) -> [Bool] {
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: payload >> (56 - 8 * $0)) }
        let crc = CRC32.checksum(bytes)
        return (0..<64).map { payload >> (63 - $0) & 1 == 1 } + (0..<32).map { crc >> (31 - $0) & 1 == 1 }
    }

    /// The 306 coded bits of `payload`.
    static func encode(_ payload: UInt64) -> [Bool] {
        var state: UInt8 = 0
        var out: [Bool] = []
        out.reserveCapacity(codedBits)
        for bit in message(payload) + [Bool](repeating: false, count: 6) {
            let register = (bit ? 0x40 : 0) | state
            for generator in generators { out.append((register & generator).nonzeroBitCount & 1 == 1) }
            state = register >> 1
        }
        return out
    }

    /// The payload whose code best explains `soft` (positive values mean a coded 1, magnitude
    /// is confidence), or nil when the decoded CRC does not hold. With `paths` above 1 this is a
    /// list Viterbi decoder: the `paths` best code words are traced, best first, and the first
    /// whose CRC holds is the payload. That recovers words whose best path is wrong in a few bits
    /// while a close rival is right, at the price of `paths` chances for noise to pass the CRC.
    /// Each state's list is the top of a merge of its two predecessors' lists, so a step costs
    /// time in proportion to `paths` (at most 1,024, which the trace's 16-bit nodes can name).
    static func decode(_ soft: [Float], paths: Int = 1) -> UInt64? {
        guard soft.count == codedBits, (1...1024).contains(paths) else { return nil }
        let steps = messageBits + 6
        // The three coded bits each (state, input) pair emits, as ±1 for the correlation metric.
        let expected: [Float] = (0..<128).flatMap { register in
            generators.map { (UInt8(register) & $0).nonzeroBitCount & 1 == 1 ? 1 : -1 }
        }
        // Per state, its `paths` best metrics in falling order (-infinity: none yet), and per step
        // where each came from (predecessor state × paths + rank).
        let width = 64 * paths
        var metric = [Float](repeating: -.infinity, count: width)
        metric[0] = 0
        var next = metric
        var decisions = [UInt16](repeating: 0, count: steps * width)
        var branches = [Float](repeating: 0, count: 128)
        for step in 0..<steps {
            let (first, second, third) = (soft[step * 3], soft[step * 3 + 1], soft[step * 3 + 2])
            for register in 0..<128 {
                let bits = register * 3
                branches[register] = expected[bits] * first + expected[bits + 1] * second + expected[bits + 2] * third
            }
            // A state's predecessors are the two states that shift into it, both with the input
            // its top bit holds; their lists fall already, so its own is the top of their merge.
            let targets = step >= messageBits ? 32 : 64  // the tail is zeros
            metric.withUnsafeBufferPointer { metric in
                next.withUnsafeMutableBufferPointer { next in
                    decisions.withUnsafeMutableBufferPointer { all in
                        let decisions = UnsafeMutableBufferPointer(rebasing: all[(step * width)..<((step + 1) * width)])
                        for target in 0..<targets {
                            let low = (target & 31) << 1
                            let register = (target >> 5) << 6 | low
                            let (lowBranch, highBranch) = (branches[register], branches[register | 1])
                            var (lowRank, highRank) = (low * paths, (low + 1) * paths)
                            let (lowEnd, highEnd) = (lowRank + paths, highRank + paths)
                            let base = target * paths
                            for rank in 0..<paths {
                                let fromLow = lowRank < lowEnd ? metric[lowRank] + lowBranch : -.infinity
                                let fromHigh = highRank < highEnd ? metric[highRank] + highBranch : -.infinity
                                if fromLow >= fromHigh {
                                    next[base + rank] = fromLow
                                    decisions[base + rank] = UInt16(lowRank)
                                    lowRank += 1
                                } else {
                                    next[base + rank] = fromHigh
                                    decisions[base + rank] = UInt16(highRank)
                                    highRank += 1
                                }
                            }
                        }
                        for index in (targets * paths)..<width { next[index] = -.infinity }
                    }
                }
            }
            swap(&metric, &next)
        }
        // Trace back from state 0, where the tail leaves the encoder, best path first.
        for rank in 0..<paths where metric[rank] > -.infinity {
            var node = rank
            var bits = [Bool](repeating: false, count: steps)
            for step in stride(from: steps - 1, through: 0, by: -1) {
                bits[step] = (node / paths) & 0x20 != 0
                node = Int(decisions[step * width + node])
            }
            let payload = bits[0..<64].reduce(UInt64(0)) { $0 << 1 | ($1 ? 1 : 0) }
            if Array(bits[0..<messageBits]) == message(payload) { return payload }
        }
        return nil
    }
}
