import Foundation
import Testing

@testable import SynthLabel

/// The watermark's coding layer: the convolutional code corrects what it claims, the CRC keeps
/// noise from decoding, and the key's HMAC is the standard one.
@Suite("watermark code")
struct WatermarkCodeTests {
    var random = SystemRandomNumberGenerator()

    func soft(_ bits: [Bool]) -> [Float] { bits.map { $0 ? 1 : -1 } }

    @Test func payloadsRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for payload in [0, UInt64.max, 0x0123_4567_89AB_CDEF] + (0..<20).map({ _ in UInt64.random(in: .min ... .max, using: &generator) }) {
            let coded = WatermarkCode.encode(payload)
            #expect(coded.count == WatermarkCode.codedBits)
            #expect(WatermarkCode.decode(soft(coded)) == payload)
        }
    }

    @Test func anySevenWrongBitsAreCorrected() {
        // Free distance 15: maximum-likelihood decoding corrects every pattern of 7 hard errors.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let payload = UInt64.random(in: .min ... .max, using: &generator)
            var received = soft(WatermarkCode.encode(payload))
            for index in (0..<received.count).shuffled(using: &generator).prefix(7) { received[index] = -received[index] }
            #expect(WatermarkCode.decode(received) == payload)
        }
    }

    @Test func weakWrongValuesAreOutvotedByStrongRightOnes() {
        let payload: UInt64 = 0xFEED_FACE_CAFE_BEEF
        var received = soft(WatermarkCode.encode(payload)).map { $0 * 3 }
        // A third of the bits wrong, but with little confidence.
        for index in stride(from: 0, to: received.count, by: 3) { received[index] = -received[index] / 6 }
        #expect(WatermarkCode.decode(received) == payload)
    }

    /// List decoding: near the code's limit, tracing the 8 best paths recovers words the best
    /// path alone gets wrong, 256 recover more still, and what they return is always the payload
    /// sent.
    @Test func aListOfPathsRecoversMoreWordsAndNoWrongOnes() {
        var state: UInt64 = 11
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
        }
        func gaussian() -> Float { Float((-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())) }
        var single = 0
        var listed = 0
        var deeper = 0
        let words = 300
        for word in 0..<words {
            let payload = UInt64(word) &* 0x9E37_79B9_7F4A_7C15
            // Unit signal in noise of σ 1.25 (Eb/N0 about 1.8 dB).
            let received = soft(WatermarkCode.encode(payload)).map { $0 + 1.25 * gaussian() }
            let one = WatermarkCode.decode(received)
            let eight = WatermarkCode.decode(received, paths: 8)
            let deep = WatermarkCode.decode(received, paths: 256)
            #expect(one == nil || one == payload)
            #expect(eight == nil || eight == payload)
            #expect(deep == nil || deep == payload)
            if one != nil { #expect(eight == payload, "a word the best path decodes, the list decodes too") }
            if eight != nil { #expect(deep == payload, "a word 8 paths decode, 256 decode too") }
            single += one == nil ? 0 : 1
            listed += eight == nil ? 0 : 1
            deeper += deep == nil ? 0 : 1
        }
        print("decoded \(single) of \(words) with one path, \(listed) with 8, \(deeper) with 256")
        #expect(listed > single + words / 30, "\(single) with one path, \(listed) with eight")
        #expect(deeper > listed + words / 30, "\(listed) with 8 paths, \(deeper) with 256")
    }

    @Test func noiseNeverDecodes() {
        // The CRC is what makes "present" trustworthy: 500 random soft vectors, no payload.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let noise = (0..<WatermarkCode.codedBits).map { _ in Float.random(in: -1...1, using: &generator) }
            #expect(WatermarkCode.decode(noise) == nil)
        }
        for _ in 0..<100 {
            let noise = (0..<WatermarkCode.codedBits).map { _ in Float.random(in: -1...1, using: &generator) }
            #expect(WatermarkCode.decode(noise, paths: 8) == nil)
        }
        #expect(WatermarkCode.decode([Float](repeating: 1, count: 10)) == nil)
    }

    @Test func theMessageCarriesTheCRCOfThePayload() {
        let message = WatermarkCode.message(0x0102_0304_0506_0708)
        let crc = message[64...].reduce(UInt32(0)) { $0 << 1 | ($1 ? 1 : 0) }
        #expect(crc == CRC32.checksum([1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(WatermarkCode.falsePositiveBound < 1e-8)
    }

    @Test func theKeyedHashIsPythonsHMAC() throws {
        let key = WatermarkKey(secret: Array(0..<32))
        let message = Array("payload".utf8)
        let python = try Fixtures.run(
            "python3", ["-c", "import hmac, hashlib; print(hmac.new(bytes(range(32)), b'payload', hashlib.sha256).hexdigest())"])
        #expect(key.mac(message).hex + "\n" == python.stdout)
    }

    @Test func keysChooseTheLayoutAndThePayload() {
        let one = TileLayout.chips(key: WatermarkKey(secret: [UInt8](repeating: 1, count: 32)))
        let two = TileLayout.chips(key: WatermarkKey(secret: [UInt8](repeating: 2, count: 32)))
        #expect(one.sync.count == 106 && one.data.count == 918)
        #expect(Set(one.data.map { $0.y * 32 + $0.x }).count == 918, "every cell used once")
        let perBit = Dictionary(grouping: one.data, by: { $0.bit! }).mapValues(\.count)
        #expect(perBit.count == WatermarkCode.codedBits && perBit.values.allSatisfy { $0 == 3 })
        #expect(one.sync.map { $0.y * 32 + $0.x } != two.sync.map { $0.y * 32 + $0.x })
        let label = Fixtures.label(id: "P-1")
        let first = ImageWatermark(key: WatermarkKey(secret: [UInt8](repeating: 1, count: 32)))
        let second = ImageWatermark(key: WatermarkKey(secret: [UInt8](repeating: 2, count: 32)))
        #expect(first.payload(for: label) != second.payload(for: label))
        #expect(first.payload(for: label) != first.payload(for: Fixtures.label(id: "P-2")))
    }

    @Test func keyFilesAreSecretAndNeverOverwritten() throws {
        let folder = TemporaryDirectory()
        let key = try WatermarkKey.generate(writingTo: folder.file("mark"))
        var status = stat()
        stat(folder.file("mark.key"), &status)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(try WatermarkKey(contentsOf: folder.file("mark.key")).secret == key.secret)
        #expect(throws: SynthLabelError.self) { try WatermarkKey.generate(writingTo: folder.file("mark")) }
        let text = String(decoding: Fixtures.read(folder.file("mark.key")), as: UTF8.self)
        #expect(!text.contains(key.keyID) && text.hasPrefix("-----BEGIN SYNTHLABEL WATERMARK KEY-----"))
        Fixtures.write(Array("not a key".utf8), to: folder.file("bad.key"))
        chmod(folder.file("bad.key"), 0o600)
        #expect(
            Fixtures.thrown { _ = try WatermarkKey(contentsOf: folder.file("bad.key")) } == .notAWatermarkKey(path: folder.file("bad.key")))
    }
}
