import Glibc

/// The secret that chooses a watermark's pattern: 32 random bytes.
///
/// Without it no mark can be made for a chosen payload, nor found, from the published
/// algorithm: every chip sign, sync cell and bit position, and the payload itself, come from
/// HMAC-SHA-256 under this key. (A mark already made can be copied; `ImageBinding` is why a
/// copied image mark attributes nothing.) Stored as `NAME.key`, a PEM block of base64, mode 0600.
public struct WatermarkKey: Sendable, CustomStringConvertible {
    let secret: [UInt8]

    static let pemLabel = "SYNTHLABEL WATERMARK KEY"

    init(secret: [UInt8]) { self.secret = secret }

    /// Reads a key written by `generate(writingTo:)` (mode 0600, not through a symbolic link).
    public init(contentsOf path: String) throws(SynthLabelError) {
        guard let key = WatermarkKey(pem: String(decoding: try KeyFile.readSecret(path), as: UTF8.self)) else {
            throw .notAWatermarkKey(path: path)
        }
        self = key
    }

    /// The key in a PEM text as `generate(writingTo:)` writes it; nil for anything else.
    init?(pem text: String) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace }
        guard let begin = lines.firstIndex(of: "-----BEGIN \(Self.pemLabel)-----"),
            let end = lines.firstIndex(of: "-----END \(Self.pemLabel)-----"), begin < end,
            let secret = Base64.decode(lines[(begin + 1)..<end].joined()), secret.count == 32
        else { return nil }
        self.secret = secret
    }

    /// Makes a key and writes it to `NAME.key` (mode 0600, never overwriting a file).
    @discardableResult
    public static func generate(writingTo name: String) throws(SynthLabelError) -> WatermarkKey {
        var secret = [UInt8](repeating: 0, count: 32)
        guard getentropy(&secret, secret.count) == 0 else {
            throw .cannotWrite(path: name + ".key", reason: "the system gave no random bytes")
        }
        let text = "-----BEGIN \(pemLabel)-----\n\(Base64.encode(secret))\n-----END \(pemLabel)-----\n"
        let failure: SynthLabelError? = Array(text.utf8).withUnsafeBytes { bytes in
            do throws(SynthLabelError) {
                try KeyFile.write(bytes, to: name + ".key", mode: 0o600)
                return nil
            } catch { return error }
        }
        if let failure { throw failure }
        return WatermarkKey(secret: secret)
    }

    /// A short public name for the key (first 8 bytes of an HMAC of a fixed text), never the secret.
    public var keyID: String { Array(mac(Array("synthlabel watermark key id".utf8)).prefix(8)).hex }

    /// The key ID; never the secret.
    public var description: String { "watermark key \(keyID)" }

    /// HMAC-SHA-256 (RFC 2104) of `message` under the key.
    func mac(_ message: [UInt8]) -> [UInt8] {
        let inner = secret.map { $0 ^ 0x36 } + [UInt8](repeating: 0x36, count: 64 - secret.count)
        let outer = secret.map { $0 ^ 0x5C } + [UInt8](repeating: 0x5C, count: 64 - secret.count)
        return DigestAlgorithm.sha256.digest(outer + DigestAlgorithm.sha256.digest(inner + message))
    }

    /// `count` keyed pseudo-random bytes for `purpose`: HMAC in counter mode.
    func stream(_ purpose: String, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 32)
        var counter: UInt32 = 0
        while out.count < count {
            out += mac(
                Array(purpose.utf8) + [
                    0, UInt8(counter >> 24), UInt8(counter >> 16 & 0xFF), UInt8(counter >> 8 & 0xFF), UInt8(counter & 0xFF),
                ])
            counter += 1
        }
        return Array(out.prefix(count))
    }
}

/// Standard padded base64 (RFC 4648 §4), for PEM blocks.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        let unpadded = Base64URL.encode(bytes).utf8.map {
            $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0
        }
        return String(decoding: unpadded, as: UTF8.self) + String(repeating: "=", count: (3 - bytes.count % 3) % 3)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let trimmed = text.utf8.prefix { $0 != UInt8(ascii: "=") }
        guard trimmed.allSatisfy({ alphabet.contains($0) }) else { return nil }
        let url = trimmed.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }
        return Base64URL.decode(String(decoding: url, as: UTF8.self))
    }
}

extension WatermarkKey {
    /// The 64-bit payload every mark (image or audio) carries for a label: a keyed hash of
    /// producer and ProduceID, so a mark found can be matched to the label and to the ledger's
    /// record, and cannot be made without the key.
    func payload(for label: AIGCLabel) -> UInt64 {
        let message = Array("payload".utf8) + [0] + Array((label.contentProducer ?? "").utf8) + [0] + Array((label.produceID ?? "").utf8)
        return mac(message).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
