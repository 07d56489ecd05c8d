import Glibc

/// A discrete Fourier transform of real frames of one power-of-two size: a radix-2 complex FFT
/// of half the size on the even and odd samples packed together, then split into the spectrum.
/// Twiddles are computed once per size; buffers are the caller's, so nothing is allocated per frame.
struct RealFFT: Sendable {
    let size: Int
    private let half: Int
    private let bitReversed: [Int]
    /// The twiddles of the complex stages from the third on, stage after stage: for the stage
    /// that joins spans of `span`, e^(−2πi·k/(2·span)) for k < span, from index span − 4. Laid out
    /// in the order the butterflies use them, so that their loop reads memory in sequence.
    private let stageCos: [Float]
    private let stageSin: [Float]
    /// e^(−2πik/size) for the split.
    private let splitCos: [Float]
    private let splitSin: [Float]

    init(size: Int) {
        precondition(size >= 8 && size & (size - 1) == 0, "FFT size must be a power of two, at least 8")
        self.size = size
        half = size / 2
        let bits = half.trailingZeroBitCount
        bitReversed = (0..<(size / 2)).map { index in
            var reversed = 0
            for bit in 0..<bits where index >> bit & 1 == 1 { reversed |= 1 << (bits - 1 - bit) }
            return reversed
        }
        let spans = sequence(first: 4) { $0 * 2 }.prefix { $0 < size / 2 }
        let angles = spans.flatMap { span in (0..<span).map { -Double.pi * Double($0) / Double(span) } }
        stageCos = angles.map { Float(cos($0)) }
        stageSin = angles.map { Float(sin($0)) }
        splitCos = (0...(size / 2)).map { Float(cos(-2 * Double.pi * Double($0) / Double(size))) }
        splitSin = (0...(size / 2)).map { Float(sin(-2 * Double.pi * Double($0) / Double(size))) }
    }

    /// The spectrum of `frame` (`size` samples): bins 0…size/2 into `real` and `imaginary`
    /// (each size/2 + 1 long).
    func forward(_ frame: UnsafeBufferPointer<Float>, real: UnsafeMutableBufferPointer<Float>, imaginary: UnsafeMutableBufferPointer<Float>)
    {
        // Pack even samples as real parts, odd as imaginary, in bit-reversed order.
        for index in 0..<half {
            let source = bitReversed[index]
            real[index] = frame[2 * source]
            imaginary[index] = frame[2 * source + 1]
        }
        butterflies(real, imaginary)
        // Split: X[k] = E[k] + W^k O[k], with E and O recovered from Z[k] and conj(Z[half − k]).
        let z0r = real[0]
        let z0i = imaginary[0]
        real[half] = z0r - z0i
        imaginary[half] = 0
        real[0] = z0r + z0i
        imaginary[0] = 0
        var k = 1
        while k <= half - k {
            let m = half - k
            let ar = real[k]
            let ai = imaginary[k]
            let br = real[m]
            let bi = imaginary[m]
            let evenR = 0.5 * (ar + br)
            let evenI = 0.5 * (ai - bi)
            let oddR = 0.5 * (ai + bi)
            let oddI = -0.5 * (ar - br)
            let c = splitCos[k]
            let s = splitSin[k]
            let rotatedR = oddR * c - oddI * s
            let rotatedI = oddR * s + oddI * c
            real[k] = evenR + rotatedR
            imaginary[k] = evenI + rotatedI
            // X[half − k] = conj(E[k]) + W^(half−k) conj(O[k]) = conj(E[k] − W^k O[k]).
            real[m] = evenR - rotatedR
            imaginary[m] = -(evenI - rotatedI)
            k += 1
        }
    }

    /// The real frame (`size` samples, unscaled: forward then inverse multiplies by `size`)
    /// whose spectrum is bins 0…size/2 of `real` and `imaginary`, which are overwritten.
    func inverse(
        real: UnsafeMutableBufferPointer<Float>, imaginary: UnsafeMutableBufferPointer<Float>, into frame: UnsafeMutableBufferPointer<Float>
    ) {
        // Undo the split: Z[k] = E[k] + i O[k], E = (X[k] + conj X[half−k]), O = (X[k] − conj X[half−k]) W^−k.
        let x0 = real[0]
        let xh = real[half]
        var k = 1
        while k <= half - k {
            let m = half - k
            let ar = real[k]
            let ai = imaginary[k]
            let br = real[m]
            let bi = -imaginary[m]
            let evenR = ar + br
            let evenI = ai + bi
            let differenceR = ar - br
            let differenceI = ai - bi
            let c = splitCos[k]
            let s = -splitSin[k]
            let oddR = differenceR * c - differenceI * s
            let oddI = differenceR * s + differenceI * c
            // Z[k] = E + iO;  Z[half−k] = conj(E) + i conj(O).
            real[k] = evenR - oddI
            imaginary[k] = evenI + oddR
            real[m] = evenR + oddI
            imaginary[m] = -evenI + oddR
            k += 1
        }
        real[0] = x0 + xh
        imaginary[0] = x0 - xh
        // Inverse complex FFT by the forward one on swapped parts, in bit-reversed order.
        for index in 0..<half {
            let target = bitReversed[index]
            if target > index {
                real.swapAt(index, target)
                imaginary.swapAt(index, target)
            }
        }
        butterflies(imaginary, real)
        for index in 0..<half {
            frame[2 * index] = real[index]
            frame[2 * index + 1] = imaginary[index]
        }
    }

    /// In-place radix-2 decimation-in-time stages on bit-reversed input. The first two stages,
    /// whose twiddles are 1 and −i, go together as one radix-4 pass without multiplications:
    /// they cost most loop overhead for the least arithmetic. The later stages work on four
    /// neighbouring butterflies at once in SIMD lanes, which the compiler did not do by itself
    /// (scalar, they were 30 % of marking); each lane does the same arithmetic in the same order,
    /// so the spectrum is bit for bit what the scalar loop gave.
    private func butterflies(_ real: UnsafeMutableBufferPointer<Float>, _ imaginary: UnsafeMutableBufferPointer<Float>) {
        var start = 0
        while start < half {
            let r0 = real[start]
            let i0 = imaginary[start]
            let r1 = real[start + 1]
            let i1 = imaginary[start + 1]
            let r2 = real[start + 2]
            let i2 = imaginary[start + 2]
            let r3 = real[start + 3]
            let i3 = imaginary[start + 3]
            // Stage one: pairs (0, 1) and (2, 3).
            let ar = r0 + r1
            let ai = i0 + i1
            let br = r0 - r1
            let bi = i0 - i1
            let cr = r2 + r3
            let ci = i2 + i3
            let dr = r2 - r3
            let di = i2 - i3
            // Stage two: (a, c) with twiddle 1, (b, d) with twiddle −i.
            real[start] = ar + cr
            imaginary[start] = ai + ci
            real[start + 2] = ar - cr
            imaginary[start + 2] = ai - ci
            real[start + 1] = br + di
            imaginary[start + 1] = bi - dr
            real[start + 3] = br - di
            imaginary[start + 3] = bi + dr
            start += 4
        }
        // Every later span is a multiple of four.
        guard let real = real.baseAddress, let imaginary = imaginary.baseAddress else { return }
        stageCos.withUnsafeBufferPointer { stageCos in
            stageSin.withUnsafeBufferPointer { stageSin in
                guard let stageCos = stageCos.baseAddress, let stageSin = stageSin.baseAddress else { return }
                var span = 4
                while span < half {
                    let twiddles = span - 4
                    var start = 0
                    while start < half {
                        var offset = 0
                        while offset < span {
                            let c = Self.load(stageCos, twiddles &+ offset)
                            let s = Self.load(stageSin, twiddles &+ offset)
                            let top = start &+ offset
                            let bottom = top &+ span
                            let bottomR = Self.load(real, bottom)
                            let bottomI = Self.load(imaginary, bottom)
                            let topR = Self.load(real, top)
                            let topI = Self.load(imaginary, top)
                            let br = bottomR * c - bottomI * s
                            let bi = bottomR * s + bottomI * c
                            Self.store(topR - br, real, bottom)
                            Self.store(topI - bi, imaginary, bottom)
                            Self.store(topR + br, real, top)
                            Self.store(topI + bi, imaginary, top)
                            offset &+= 4
                        }
                        start &+= 2 &* span
                    }
                    span &*= 2
                }
            }
        }
    }

    @inline(__always) private static func load(_ base: UnsafePointer<Float>, _ index: Int) -> SIMD4<Float> {
        UnsafeRawPointer(base + index).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) private static func load(_ base: UnsafeMutablePointer<Float>, _ index: Int) -> SIMD4<Float> {
        UnsafeRawPointer(base + index).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) private static func store(_ value: SIMD4<Float>, _ base: UnsafeMutablePointer<Float>, _ index: Int) {
        UnsafeMutableRawPointer(base + index).storeBytes(of: value, as: SIMD4<Float>.self)
    }
}
