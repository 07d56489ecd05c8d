import CTrust

/// The signature algorithms of a signed label record.
public enum SignatureAlgorithm: String, Sendable, CaseIterable, Codable {
    /// SM2 signatures with SM3 (GB/T 32918, GB/T 32905), user ID `1234567812345678`: the default.
    case sm2
    /// Ed25519 (RFC 8032), for services outside the national algorithms.
    case ed25519

    var code: Int32 { self == .sm2 ? Int32(CTRUST_SM2) : Int32(CTRUST_ED25519) }

    init?(code: Int32) {
        switch code {
        case Int32(CTRUST_SM2): self = .sm2
        case Int32(CTRUST_ED25519): self = .ed25519
        default: return nil
        }
    }

    /// The content digest that goes with the signature: SM3 with SM2, SHA-256 with Ed25519.
    public var digest: DigestAlgorithm { self == .sm2 ? .sm3 : .sha256 }
}

/// A 256-bit hash, computed incrementally so a file of any size hashes in constant memory.
public enum DigestAlgorithm: String, Sendable, Codable {
    case sm3, sha256

    /// The digest of `bytes` in one call.
    public func digest(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = Hasher256(self)
        hasher.update(Array(bytes))
        return hasher.finish()
    }
}

/// A running SM3 or SHA-256 computation (libcrypto).
package struct Hasher256: ~Copyable {
    private var context: UnsafeMutableRawPointer?

    /// A fresh digest of `algorithm` (SM3 or SHA-256).
    package init(_ algorithm: DigestAlgorithm) {
        context = ctrust_digest_new(algorithm == .sm3 ? 0 : 1)
    }

    deinit {
        if let context { _ = ctrust_digest_final(context, nil) }
    }

    /// Adds `bytes` to the digest.
    package mutating func update(_ bytes: [UInt8]) {
        guard let context else { return }
        _ = bytes.withUnsafeBufferPointer { ctrust_digest_update(context, $0.baseAddress, $0.count) }
    }

    /// The 32-byte digest; the hasher is spent.
    package consuming func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        if let context {
            _ = out.withUnsafeMutableBufferPointer { ctrust_digest_final(context, $0.baseAddress) }
        }
        context = nil
        return out
    }
}
