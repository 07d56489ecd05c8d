import Foundation

/// Making text from files safe in a page: every value a file supplies (label fields, names,
/// messages) is either escaped into markup here or handed to the script as JSON it sets as
/// text, never as markup.
enum HTMLText {
    /// `text` with the five characters that mean something in HTML written as references.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `value` as JSON fit to sit inside `<script type="application/json">`: `<`, `>` and `&`
    /// as `\u` escapes, so no `</script>` or `<!--` can appear, whatever the strings hold.
    static func scriptJSON(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes]) else { return "null" }
        // Byte by byte: the three ASCII characters, and U+2028/U+2029 (E2 80 A8/A9 in UTF-8).
        var json: [UInt8] = []
        json.reserveCapacity(data.count + data.count / 16)
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            switch byte {
            case UInt8(ascii: "<"): json += Array("\\u003c".utf8)
            case UInt8(ascii: ">"): json += Array("\\u003e".utf8)
            case UInt8(ascii: "&"): json += Array("\\u0026".utf8)
            case 0xE2 where index + 2 < data.endIndex && data[index + 1] == 0x80 && (data[index + 2] == 0xA8 || data[index + 2] == 0xA9):
                json += Array((data[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                index += 2
            default: json.append(byte)
            }
            index += 1
        }
        return String(decoding: json, as: UTF8.self)
    }

    /// A random nonce for the Content-Security-Policy: only scripts and styles carrying it run.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The policy both pages set: nothing from the network but what `connect` allows, scripts
    /// and styles only with the nonce (so no inline handler or injected tag runs), pictures
    /// only from data (and `blob:` for a file the page itself was given).
    static func contentSecurityPolicy(nonce: String, connect: String = "'none'", blobImages: Bool = false) -> String {
        "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; img-src data:\(blobImages ? " blob:" : ""); "
            + "connect-src \(connect); base-uri 'none'; form-action 'none'"
    }
}
