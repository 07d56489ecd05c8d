/// CRC-32 (ISO 3309 / ITU-T V.42), as PNG chunks use it.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    static func checksum<Bytes: Sequence>(_ bytes: Bytes, startingWith crc: UInt32 = 0) -> UInt32
    where Bytes.Element == UInt8 {
        var value = ~crc
        for byte in bytes {
            value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8)
        }
        return ~value
    }
}

/// CRC-16 with polynomial 0x8005, MSB first, initial value 0, as FLAC frames end with it.
enum CRC16 {
    private static let table: [UInt16] = (0..<256).map { index in
        var value = UInt16(index) << 8
        for _ in 0..<8 {
            value = value & 0x8000 != 0 ? (value << 1) ^ 0x8005 : value << 1
        }
        return value
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var value: UInt16 = 0
        for byte in bytes {
            value = (value << 8) ^ table[Int((value >> 8) ^ UInt16(byte))]
        }
        return value
    }
}
