/// The signed record a producer stores in `ReservedCode1` (a platform in `ReservedCode2`).
///
/// Text form: `SL1.<algorithm>.<key ID>.<content digest>.<signature>`, the digest (32 bytes)
/// and the signature (64 bytes) in unpadded base64url: 159 characters at most, all inside
/// Annex E's character set (printable ASCII without space, `"` or `\`). Every record of one
/// algorithm has the same length, so a file can be laid out with a placeholder record before
/// its digest is known.
///
/// What is signed (`signedMessage`): the line `SynthLabel signed label 1`, the algorithm, the
/// key ID, each covered field as `Name=value` in Annex E order, and the digest in hex, joined
/// by line feeds (UTF-8).
public struct SignatureRecord: Sendable, Equatable {
    /// The algorithm that signed.
    public var algorithm: SignatureAlgorithm
    /// The signing key's ID (`SigningKey.keyID`).
    public var keyID: String
    /// The digest of every byte the label does not own (`ContentDigest`).
    public var contentDigest: [UInt8]
    /// The signature over the covered fields and the content digest.
    public var signature: [UInt8]

    static let version = "SL1"

    /// A record from its parts.
    public init(algorithm: SignatureAlgorithm, keyID: String, contentDigest: [UInt8], signature: [UInt8]) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.contentDigest = contentDigest
        self.signature = signature
    }

    /// A record of the right length whose digest and signature are still zero.
    static func placeholder(for key: SigningKey) -> SignatureRecord {
        SignatureRecord(
            algorithm: key.algorithm, keyID: key.keyID, contentDigest: [UInt8](repeating: 0, count: 32),
            signature: [UInt8](repeating: 0, count: 64))
    }

    /// The record as it is stored in `ReservedCode1` or `ReservedCode2` (`SL1.…`).
    public var serialized: String {
        [Self.version, algorithm.rawValue, keyID, Base64URL.encode(contentDigest), Base64URL.encode(signature)].joined(separator: ".")
    }

    /// Parses the text form; nil for anything else (another tool's value is left alone).
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == Self.version, let algorithm = SignatureAlgorithm(rawValue: parts[1]),
            SignatureAlgorithm.signing.contains(algorithm),
            parts[2].count == 16, parts[2].allSatisfy(\.isHexDigit),
            let digest = Base64URL.decode(parts[3]), digest.count == 32,
            let signature = Base64URL.decode(parts[4]), signature.count == 64
        else { return nil }
        self.init(algorithm: algorithm, keyID: parts[2].lowercased(), contentDigest: digest, signature: signature)
    }

    /// What makes a value that does not parse look like a damaged SynthLabel record (its prefix,
    /// a known algorithm, a key ID where ours has one), or nil for another tool's value.
    static func likeness(_ text: String) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if let prefix = parts.first, prefix.hasPrefix("SL"), prefix.count > 2, prefix.dropFirst(2).allSatisfy(\.isNumber) {
            return "prefix \(prefix)"
        }
        if parts.count > 1, SignatureAlgorithm(rawValue: parts[1]) != nil { return "algorithm \(parts[1])" }
        if parts.count > 2, parts[2].count == 16, parts[2].allSatisfy(\.isHexDigit) { return "key ID \(parts[2])" }
        return nil
    }

    /// The bytes the signature covers.
    static func signedMessage(
        algorithm: SignatureAlgorithm, keyID: String, fields: [(name: String, value: String)], contentDigest: [UInt8]
    ) -> [UInt8] {
        var lines = ["SynthLabel signed label 1", algorithm.rawValue, keyID]
        lines += fields.map { "\($0.name)=\($0.value)" }
        lines.append(contentDigest.hex)
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// Signs `fields` and `contentDigest` with `key`.
    public static func sign(
        fields: [(name: String, value: String)], contentDigest: [UInt8], with key: SigningKey
    ) throws(SynthLabelError) -> SignatureRecord {
        let message = signedMessage(algorithm: key.algorithm, keyID: key.keyID, fields: fields, contentDigest: contentDigest)
        return SignatureRecord(algorithm: key.algorithm, keyID: key.keyID, contentDigest: contentDigest, signature: try key.sign(message))
    }

    /// Whether `key` signed exactly these fields and this digest.
    public func isValid(fields: [(name: String, value: String)], under key: PublicKey) -> Bool {
        guard key.keyID == keyID, key.algorithm == algorithm else { return false }
        let message = Self.signedMessage(algorithm: algorithm, keyID: keyID, fields: fields, contentDigest: contentDigest)
        return key.isValid(signature, for: message)
    }
}

/// Unpadded base64url (RFC 4648 §5): the alphabet that stays inside Annex E's character set.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<(chunk.count + 1) { out.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [Int] = []
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(value)
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let group = Array(values[index..<min(index + 4, values.count)])
            let value = group.enumerated().reduce(0) { $0 | $1.element << (18 - 6 * $1.offset) }
            for position in 0..<(group.count - 1) { out.append(UInt8((value >> (16 - 8 * position)) & 0xFF)) }
            index += 4
        }
        return out
    }
}
