import CTrust

/// The signature algorithms of a signed label record.
public enum SignatureAlgorithm: String, Sendable, CaseIterable, Codable {
    /// SM2 signatures with SM3 (GB/T 32918, GB/T 32905), user ID `1234567812345678`: the default.
    case sm2
    /// Ed25519 (RFC 8032), for services outside the national algorithms.
    case ed25519
    /// RSA PKCS#1 v1.5 with SHA-256: verified where another producer signs with it (Honor
    /// writes it), never written.
    case rsa

    /// The algorithms SynthLabel makes keys for and signs with (RSA is only verified).
    public static let signing: [SignatureAlgorithm] = [.sm2, .ed25519]

    /// The algorithm's OID, as the SecurityData form names it (`AlgID`).
    public var oid: String {
        switch self {
        case .sm2: "1.2.156.10197.1.501"
        case .ed25519: "1.3.101.112"
        case .rsa: "1.2.840.113549.1.1.11"
        }
    }

    /// The algorithm an `AlgID` names, or nil.
    public init?(oid: String) {
        guard let algorithm = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = algorithm
    }

    var code: Int32 { self == .sm2 ? Int32(CTRUST_SM2) : Int32(CTRUST_ED25519) }

    init?(code: Int32) {
        switch code {
        case Int32(CTRUST_SM2): self = .sm2
        case Int32(CTRUST_ED25519): self = .ed25519
        default: return nil
        }
    }

    /// The algorithm of a key libcrypto loaded (`ctrust_key_kind`), or nil.
    init?(kind: Int32) {
        switch kind {
        case Int32(CTRUST_KIND_SM2): self = .sm2
        case Int32(CTRUST_KIND_ED25519): self = .ed25519
        case Int32(CTRUST_KIND_RSA): self = .rsa
        default: return nil
        }
    }

    /// The content digest that goes with the signature: SM3 with SM2, SHA-256 otherwise.
    public var digest: DigestAlgorithm { self == .sm2 ? .sm3 : .sha256 }
}

/// How a signature is stored in `ReservedCode1`/`ReservedCode2`.
public enum SignatureFormat: String, Sendable, CaseIterable, Codable {
    /// The TC260 security guide's `SecurityData` object, which other producers write and check.
    case securityData = "securitydata"
    /// SynthLabel's own compact record (`SL1.…`), from before the guide's form was supported.
    case sl1
}
