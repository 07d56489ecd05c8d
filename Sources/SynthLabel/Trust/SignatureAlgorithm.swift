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
