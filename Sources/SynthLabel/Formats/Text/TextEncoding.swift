import Glibc

/// The encodings a text notice is written in: the file's own, so a GB18030 file stays GB18030.
///
/// UTF-8 is recognised by validity (with or without a byte-order mark); anything else that
/// glibc's iconv decodes as GB18030 is taken as GB18030, the national standard encoding
/// (a superset of GBK and GB2312).
enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case gb18030 = "GB18030"

    /// The encoding of `bytes`, or nil when they are neither (binary data, UTF-16). A UTF-8
    /// sequence cut by the end of the window is forgiven (windows of a larger file end anywhere).
    static func detect(_ bytes: [UInt8]) -> TextEncoding? {
        if bytes.contains(0) { return nil }  // UTF-16 and binary files have NUL bytes; text does not
        for cut in 0...min(3, bytes.count) where String(validating: bytes.dropLast(cut), as: UTF8.self) != nil {
            return .utf8
        }
        return convert(bytes, from: "GB18030", to: "UTF-8") != nil ? .gb18030 : nil
    }

    func decode(_ bytes: [UInt8]) -> String {
        switch self {
        case .utf8: return String(decoding: bytes, as: UTF8.self)
        case .gb18030:
            // A window may end inside a multi-byte character; drop up to three trailing bytes.
            for cut in 0...min(3, bytes.count) {
                if let utf8 = Self.convert(Array(bytes.dropLast(cut)), from: "GB18030", to: "UTF-8") {
                    return String(decoding: utf8, as: UTF8.self)
                }
            }
            return ""
        }
    }

    func encode(_ text: String) -> [UInt8]? {
        switch self {
        case .utf8: Array(text.utf8)
        case .gb18030: Self.convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
        }
    }

    /// glibc iconv; nil when the input is not valid in `from`.
    private static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        let converter = iconv_open(to, from)
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var source = input
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let produced: Int? = source.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = UnsafeMutableRawPointer(inBuffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
                var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
                var inLeft = inBuffer.count
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 || inLeft != 0 ? nil : outBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        return Array(output[0..<produced])
    }
}
