/// A PDF object as far as the label reader needs: dictionaries, arrays, names, numbers,
/// strings and references. Parsed from bytes with a nesting limit.
indirect enum PDFValue: Equatable {
    case dictionary([String: PDFValue])
    case array([PDFValue])
    case name(String)
    case number(Double)
    case string([UInt8])
    case reference(Int, Int)
    case keyword(String)

    var integer: Int? {
        if case .number(let value) = self, value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        return nil
    }

    subscript(key: String) -> PDFValue? {
        if case .dictionary(let entries) = self { return entries[key] }
        return nil
    }

    /// A text string: UTF-16BE after a byte-order mark, else PDFDocEncoding (read as Latin-1).
    var text: String? {
        guard case .string(let bytes) = self else { return nil }
        if bytes.starts(with: [0xFE, 0xFF]) {
            var units: [UInt16] = []
            var index = 2
            while index + 1 < bytes.count {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        return bytes[...].latin1
    }
}

struct PDFObjectParser {
    let bytes: [UInt8]
    /// File offset of `bytes[0]`, for error messages.
    let base: Int
    var index = 0

    static let maximumDepth = 32

    init(_ bytes: [UInt8], base: Int, at index: Int = 0) {
        self.bytes = bytes
        self.base = base
        self.index = index
    }

    func fail(_ message: String) -> FormatError { FormatError(.corrupt, at: base + index, "PDF: \(message)") }

    static func isWhitespace(_ byte: UInt8) -> Bool { [0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(byte) }
    static func isDelimiter(_ byte: UInt8) -> Bool { "()<>[]{}/%".utf8.contains(byte) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            if Self.isWhitespace(bytes[index]) {
                index += 1
            } else if bytes[index] == UInt8(ascii: "%") {
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            } else {
                return
            }
        }
    }

    /// A regular token (keyword or number) at the cursor.
    mutating func word() -> String {
        let start = index
        while index < bytes.count, !Self.isWhitespace(bytes[index]), !Self.isDelimiter(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func value(depth: Int = 0) throws(FormatError) -> PDFValue {
        guard depth < Self.maximumDepth else { throw fail("objects nested too deeply") }
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of data") }
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "/"):
            index += 1
            return .name(word())
        case UInt8(ascii: "("):
            return .string(try literalString())
        case UInt8(ascii: "["):
            index += 1
            var items: [PDFValue] = []
            while true {
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                items.append(try value(depth: depth + 1))
                collapseReference(&items)
            }
        case UInt8(ascii: "<"):
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "<") {
                index += 2
                var entries: [String: PDFValue] = [:]
                while true {
                    skipWhitespace()
                    guard index < bytes.count else { throw fail("unterminated dictionary") }
                    if bytes[index] == UInt8(ascii: ">") {
                        index = min(bytes.count, index + 2)
                        return .dictionary(entries)
                    }
                    guard case .name(let key) = try value(depth: depth + 1) else { throw fail("dictionary key is not a name") }
                    var item = try value(depth: depth + 1)
                    if let object = item.integer, let generation = referenceTail() { item = .reference(object, generation) }
                    entries[key] = item
                }
            }
            return .string(try hexString())
        default:
            let token = word()
            guard !token.isEmpty else {
                index += 1
                throw fail("unexpected character")
            }
            if let number = Double(token) { return .number(number) }
            return .keyword(token)
        }
    }

    /// After a number: `G R` makes it a reference. Consumes them and returns G, or leaves
    /// the cursor where it was.
    private mutating func referenceTail() -> Int? {
        let saved = index
        skipWhitespace()
        if let generation = Int(word()) {
            skipWhitespace()
            if word() == "R" { return generation }
        }
        index = saved
        return nil
    }

    /// In arrays, `N G R` arrives as three items; fold them.
    private func collapseReference(_ items: inout [PDFValue]) {
        guard items.count >= 3, case .keyword("R") = items[items.count - 1],
            let object = items[items.count - 3].integer, let generation = items[items.count - 2].integer
        else { return }
        items.removeLast(3)
        items.append(.reference(object, generation))
    }

    private mutating func literalString() throws(FormatError) -> [UInt8] {
        index += 1
        var depth = 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
                out.append(byte)
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return out }
                out.append(byte)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case 0x0A: break
                case 0x0D: if index < bytes.count, bytes[index] == 0x0A { index += 1 }
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var code = Int(escaped - UInt8(ascii: "0"))
                    for _ in 0..<2 where index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[index]) {
                        code = code * 8 + Int(bytes[index] - UInt8(ascii: "0"))
                        index += 1
                    }
                    out.append(UInt8(truncatingIfNeeded: code))
                default: out.append(escaped)
                }
            default:
                out.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hexString() throws(FormatError) -> [UInt8] {
        index += 1
        var digits: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
            let byte = bytes[index]
            index += 1
            if Self.isWhitespace(byte) { continue }
            guard let digit = UInt8(String(UnicodeScalar(byte)), radix: 16) else { throw fail("bad hex string") }
            digits.append(digit)
        }
        guard index < bytes.count else { throw fail("unterminated hex string") }
        index += 1
        if digits.count % 2 == 1 { digits.append(0) }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }
}
