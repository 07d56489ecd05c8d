import CTrust

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
