/// The EBML element structure Matroska and WebM are made of: an ID (1–4 bytes, marker bit
/// kept), a size (1–8 bytes, marker removed; all ones means "unknown", running to the end of
/// the parent), then the data.
enum EBML {
    static let segment: UInt32 = 0x1853_8067
    static let seekHead: UInt32 = 0x114D_9B74
    static let seek: UInt32 = 0x4DBB
    static let seekID: UInt32 = 0x53AB
    static let seekPosition: UInt32 = 0x53AC
    static let void: UInt32 = 0xEC
    static let tags: UInt32 = 0x1254_C367
    static let tag: UInt32 = 0x7373
    static let targets: UInt32 = 0x63C0
    static let simpleTag: UInt32 = 0x67C8
    static let tagName: UInt32 = 0x45A3
    static let tagString: UInt32 = 0x4487

    struct Element {
        var id: UInt32
        var offset: Int
        var headerSize: Int
        /// Bytes the size field takes, so a rewrite can keep it.
        var sizeLength: Int
        var end: Int
        var sizeUnknown: Bool
        var data: Range<Int> { offset + headerSize..<end }
        var length: Int { end - offset }
    }

    /// The elements laid end to end in `range` of `bytes` (one parent's children).
    static func elements(in range: Range<Int>, of bytes: [UInt8], base: Int = 0) throws(FormatError) -> [Element] {
        var elements: [Element] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            let element = try self.element(at: offset, in: bytes, limit: range.upperBound, base: base)
            elements.append(element)
            offset = element.end
        }
        return elements
    }

    /// The element starting at `offset`; `base` is where `bytes` starts in the file, for messages.
    static func element(at offset: Int, in bytes: [UInt8], limit: Int, base: Int = 0) throws(FormatError) -> Element {
        guard offset < bytes.count, let idLength = length(of: bytes[offset], max: 4), offset + idLength < bytes.count,
            let sizeLength = length(of: bytes[offset + idLength], max: 8), offset + idLength + sizeLength <= bytes.count
        else { throw FormatError(.corrupt, at: base + offset, "not an EBML element header") }
        var id: UInt32 = 0
        for byte in bytes[offset..<(offset + idLength)] { id = id << 8 | UInt32(byte) }
        let marker = UInt8(0x80) >> (sizeLength - 1)
        var size = UInt64(bytes[offset + idLength] & (marker &- 1))
        var allOnes = size == UInt64(marker &- 1)
        for byte in bytes[(offset + idLength + 1)..<(offset + idLength + sizeLength)] {
            size = size << 8 | UInt64(byte)
            allOnes = allOnes && byte == 0xFF
        }
        let dataStart = offset + idLength + sizeLength
        let end = allOnes ? limit : dataStart + Int(clamping: size)
        guard end <= limit else {
            throw FormatError(.truncated, at: base + offset, "EBML element 0x\(String(id, radix: 16)) runs past its parent")
        }
        return Element(id: id, offset: offset, headerSize: idLength + sizeLength, sizeLength: sizeLength, end: end, sizeUnknown: allOnes)
    }

    /// The length of a variable-length integer from its first byte, at most `max`.
    private static func length(of first: UInt8, max: Int) -> Int? {
        guard first != 0 else { return nil }
        let length = first.leadingZeroBitCount + 1
        return length <= max ? length : nil
    }

    /// An element: `id`, its size in `sizeLength` bytes (the least that holds it when nil), the data.
    static func element(_ id: UInt32, _ data: [UInt8], sizeLength: Int? = nil) -> [UInt8] {
        var out = [UInt8]()
        let idBytes = id > 0xFF_FFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1
        for shift in stride(from: 8 * (idBytes - 1), through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: id >> UInt32(shift))) }
        return out + size(UInt64(data.count), length: sizeLength) + data
    }

    /// A size field of `length` bytes (the least that holds `value` when nil).
    static func size(_ value: UInt64, length: Int? = nil) -> [UInt8] {
        let length = length ?? (1...8).first { value < (UInt64(1) << (7 * UInt64($0))) - 1 } ?? 8
        var out = [UInt8](repeating: 0, count: length)
        for index in 0..<length { out[length - 1 - index] = UInt8(truncatingIfNeeded: value >> UInt64(8 * index)) }
        out[0] |= UInt8(0x80) >> (length - 1)
        return out
    }

    /// Whether a size field of `length` bytes can hold `value`.
    static func fits(_ value: Int, length: Int) -> Bool { UInt64(value) < (UInt64(1) << (7 * UInt64(length))) - 1 }

    /// A Void element exactly `total` bytes long (at least 2).
    static func void(total: Int) -> [UInt8] {
        let sizeLength = total - 1 <= 127 ? 1 : 8
        return element(void, [UInt8](repeating: 0, count: total - 1 - sizeLength), sizeLength: sizeLength)
    }

    /// An unsigned integer's data bytes, the fewest that hold it.
    static func unsigned(_ value: UInt64) -> [UInt8] {
        let count = max(1, (64 - value.leadingZeroBitCount + 7) / 8)
        return (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
    }
}
