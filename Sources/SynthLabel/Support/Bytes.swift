/// Reading integers and text out of byte arrays, bounds-checked.
///
/// Every accessor throws `FormatError.truncated` instead of trapping, so a parser
/// fed a lying length field reports it rather than crashing.
extension Array where Element == UInt8 {
    func uint32BE(at index: Int) throws(FormatError) -> UInt32 {
        try requireBytes(index, 4)
        return UInt32(self[index]) << 24 | UInt32(self[index + 1]) << 16
            | UInt32(self[index + 2]) << 8 | UInt32(self[index + 3])
    }

    func uint64BE(at index: Int) throws(FormatError) -> UInt64 {
        UInt64(try uint32BE(at: index)) << 32 | UInt64(try uint32BE(at: index + 4))
    }

    /// Writes `value` big-endian over the `width` bytes at `index`.
    mutating func setBE(_ value: UInt64, width: Int, at index: Int) {
        for byte in 0..<width { self[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * (width - 1 - byte))) }
    }

    /// Writes `value` little-endian over the `width` bytes at `index`.
    mutating func setLE(_ value: UInt64, width: Int, at index: Int) {
        for byte in 0..<width { self[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }

    func uint32LE(at index: Int) throws(FormatError) -> UInt32 {
        try requireBytes(index, 4)
        return UInt32(self[index]) | UInt32(self[index + 1]) << 8
            | UInt32(self[index + 2]) << 16 | UInt32(self[index + 3]) << 24
    }

    func uint24BE(at index: Int) throws(FormatError) -> UInt32 {
        try requireBytes(index, 3)
        return UInt32(self[index]) << 16 | UInt32(self[index + 1]) << 8 | UInt32(self[index + 2])
    }

    func uint16BE(at index: Int) throws(FormatError) -> UInt16 {
        try requireBytes(index, 2)
        return UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }

    func uint16LE(at index: Int) throws(FormatError) -> UInt16 {
        try requireBytes(index, 2)
        return UInt16(self[index]) | UInt16(self[index + 1]) << 8
    }

    /// Four bytes as ASCII, for chunk and frame identifiers.
    func fourCC(at index: Int) throws(FormatError) -> String {
        try requireBytes(index, 4)
        return String(decoding: self[index..<index + 4], as: Unicode.ASCII.self)
    }

    func requireBytes(_ index: Int, _ count: Int) throws(FormatError) {
        guard index >= 0, count >= 0, index <= self.count - count else {
            throw FormatError(.truncated, at: index, "needs \(count) bytes, \(Swift.max(0, self.count - index)) left")
        }
    }

    /// Index of the first occurrence of `needle` at or after `start`.
    func firstIndex(of needle: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        let first = needle[0]
        var index = Swift.max(0, start)
        while index <= count - needle.count {
            if self[index] == first {
                var matched = true
                for offset in 1..<needle.count where self[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// Index of the last occurrence of `needle`.
    func lastIndex(of needle: [UInt8]) -> Int? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var index = count - needle.count
        while index >= 0 {
            if self[index] == needle[0], Array(self[index..<index + needle.count]) == needle { return index }
            index -= 1
        }
        return nil
    }

    func starts(with prefix: String) -> Bool {
        starts(with: Array(prefix.utf8))
    }

    /// Appends non-negative `value` in `width` bytes, big- or little-endian.
    mutating func append(_ value: some BinaryInteger, width: Int, bigEndian: Bool) {
        let start = count
        append(contentsOf: repeatElement(0, count: width))
        if bigEndian { setBE(UInt64(value), width: width, at: start) } else { setLE(UInt64(value), width: width, at: start) }
    }

    mutating func appendUInt32BE(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    mutating func appendUInt32LE(_ value: UInt32) {
        append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)])
    }

    mutating func appendUInt24BE(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    mutating func appendUInt16BE(_ value: UInt16) {
        append(contentsOf: [UInt8(value >> 8), UInt8(value & 0xFF)])
    }

    mutating func appendUTF8(_ text: String) {
        append(contentsOf: Array(text.utf8))
    }
}

extension ArraySlice where Element == UInt8 {
    /// The slice as ISO-8859-1 text (every byte is a character), for keywords and descriptors.
    var latin1: String { String(self.map { Character(Unicode.Scalar($0)) }) }
}

extension [UInt8] {
    /// Lowercase hexadecimal, two digits a byte.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}

/// Hexadecimal text to bytes, either case.
enum Hex {
    /// The bytes, or nil for an odd length or a character that is not a hex digit.
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    /// The text a C library wrote into `buffer`, up to its NUL (invalid UTF-8 repaired).
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
