/// The watermark's message and its error correction.
///
/// 64 payload bits and their CRC-32 (96 bits) go through a rate-1/3 convolutional code with
/// constraint length 7 (generators 133, 171, 165 octal, free distance 15) and six zero tail
/// bits: 306 coded bits. Decoding is soft-decision Viterbi. The mark counts as present only when
/// the decoded CRC holds, so an unmarked image "decodes" to a match with probability 2⁻³² per
/// attempt; `attemptLimit` attempts per image keep false positives below 1e-8.
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
    /// is confidence), or nil when the decoded CRC does not hold.
    static func decode(_ soft: [Float]) -> UInt64? {
        guard soft.count == codedBits else { return nil }
        let steps = messageBits + 6
        // The three coded bits each (state, input) pair emits, as ±1 for the correlation metric.
        var expected = [[Float]](repeating: [], count: 128)
        for register in 0..<128 {
            expected[register] = generators.map { (UInt8(register) & $0).nonzeroBitCount & 1 == 1 ? 1 : -1 }
        }
        var metric = [Float](repeating: -.infinity, count: 64)
        metric[0] = 0
        var decisions = [[UInt8]](repeating: [UInt8](repeating: 0, count: 64), count: steps)
        for step in 0..<steps {
            let received = soft[(step * 3)..<(step * 3 + 3)]
            var next = [Float](repeating: -.infinity, count: 64)
            let inputs: [Int] = step >= messageBits ? [0] : [0, 1]  // the tail is zeros
            for state in 0..<64 where metric[state] > -.infinity {
                for input in inputs {
                    let register = input << 6 | state
                    let branch = zip(expected[register], received).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    let target = register >> 1
                    let candidate = metric[state] + branch
                    if candidate > next[target] {
                        next[target] = candidate
                        decisions[step][target] = UInt8(state)
                    }
                }
            }
            metric = next
        }
        // Trace back from state 0, where the tail leaves the encoder.
        var state = 0
        var bits = [Bool](repeating: false, count: steps)
        for step in stride(from: steps - 1, through: 0, by: -1) {
            bits[step] = state & 0x20 != 0
            state = Int(decisions[step][state])
        }
        let payload = bits[0..<64].reduce(UInt64(0)) { $0 << 1 | ($1 ? 1 : 0) }
        return Array(bits[0..<messageBits]) == message(payload) ? payload : nil
    }
}
