import CTrust
import Glibc

/// A private key that signs label records. Its PEM text is never printed: `description` names
/// only the algorithm and key ID.
public struct SigningKey: Sendable, CustomStringConvertible {
    /// SM2 or Ed25519.
    public let algorithm: SignatureAlgorithm
    /// 16 hex digits: the first 8 bytes of SM3 over the DER public key.
    public let keyID: String
    private let handle: KeyHandle
    /// The public half, DER SubjectPublicKeyInfo: what the SecurityData form's `KeyValue` holds.
    let publicDER: [UInt8]

    /// Reads a PEM private key (PKCS#8) written by `keys generate` or `openssl genpkey`.
    /// Reads a private key file (mode 0600, not through a symbolic link).
    public init(contentsOf path: String) throws(SynthLabelError) {
        try self.init(pem: try KeyFile.readSecret(path), path: path)
    }

    init(pem: [UInt8], path: String) throws(SynthLabelError) {
        (algorithm, keyID, handle) = try KeyHandle.load(pem: pem, isPrivate: true, path: path)
        // Taken once, here: a key shared by the batch's threads is not changed after loading.
        guard let der = handle.publicDER else {
            throw .notAKey(path: path, isPrivate: true, reason: "libcrypto cannot export its public half")
        }
        publicDER = der
    }

    /// The algorithm and key ID; never the key.
    public var description: String { "\(algorithm.rawValue) signing key \(keyID)" }

    /// A 64-byte signature over `message` (SM2: r‖s; Ed25519: R‖S).
    public func sign(_ message: [UInt8]) throws(SynthLabelError) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(CTRUST_SIGNATURE_LENGTH))
        let status = signature.withUnsafeMutableBufferPointer { out in
            ctrust_sign(handle.pointer, message, message.count, out.baseAddress)
        }
        guard status == 0 else { throw .signingFailed(keyID: keyID) }
        return signature
    }

    /// A signature over `message` as the SecurityData form stores it: DER for SM2, 64 bytes for
    /// Ed25519. SM2's DER length varies with r and s; given a `length`, the signature is made
    /// again (a fresh random nonce) until it has it, so a label's length is known before it is signed.
    func signStored(_ message: [UInt8], length: Int?) throws(SynthLabelError) -> [UInt8] {
        for _ in 0..<256 {
            var signature = [UInt8](repeating: 0, count: 80)
            var size = 0
            let status = signature.withUnsafeMutableBufferPointer { out in
                ctrust_sign_stored(handle.pointer, message, message.count, out.baseAddress, &size)
            }
            guard status == 0 else { throw .signingFailed(keyID: keyID) }
            if length == nil || size == length { return Array(signature.prefix(size)) }
        }
        throw .signingFailed(keyID: keyID)
    }

    /// The length `signStored` makes: 71 for SM2 (one of r and s needs a leading zero byte, the
    /// likeliest DER length, half of all signatures), 64 for Ed25519.
    var storedSignatureLength: Int { algorithm == .sm2 ? 71 : 64 }
}

/// A public key that checks signatures: SM2 or Ed25519 as `keys generate` writes them, and RSA
/// as other producers sign with it.
public struct PublicKey: Sendable, CustomStringConvertible {
    /// SM2, Ed25519 or RSA.
    public let algorithm: SignatureAlgorithm
    /// 16 hex digits: the first 8 bytes of SM3 over the DER public key.
    public let keyID: String
    /// The DER SubjectPublicKeyInfo (an EC point uncompressed), what the key ID hashes.
    public let der: [UInt8]
    private let handle: KeyHandle

    /// Reads a public key file as producers publish them: PEM (`-----BEGIN PUBLIC KEY-----`, as
    /// `keys generate` writes NAME.pub), DER, or the DER or bare SM2 point in hex.
    public init(contentsOf path: String) throws(SynthLabelError) {
        let bytes = try KeyFile.read(path)
        if bytes.starts(with: Array("-----".utf8)) || String(decoding: bytes, as: UTF8.self).contains("-----BEGIN") {
            try self.init(pem: bytes, path: path)
        } else if bytes.first == 0x30 {
            try self.init(der: bytes, path: path)
        } else if let decoded = Hex.decode(String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }),
            let key = PublicKey(keyValue: decoded)
        {
            self = key
        } else {
            throw .notAKey(path: path, isPrivate: false, reason: "neither PEM, DER nor hex of an SM2, Ed25519 or RSA public key")
        }
    }

    init(pem: [UInt8], path: String) throws(SynthLabelError) {
        let (_, _, handle) = try KeyHandle.load(pem: pem, isPrivate: false, path: path)
        try self.init(handle: handle, path: path)
    }

    /// A DER SubjectPublicKeyInfo.
    init(der: [UInt8], path: String) throws(SynthLabelError) {
        guard let handle = KeyHandle(der: der) else {
            throw .notAKey(path: path, isPrivate: false, reason: "libcrypto cannot read it as an SM2, Ed25519 or RSA public key")
        }
        try self.init(handle: handle, path: path)
    }

    private init(handle: KeyHandle, path: String) throws(SynthLabelError) {
        guard let algorithm = SignatureAlgorithm(kind: ctrust_key_kind(handle.pointer)), let der = handle.publicDER else {
            throw .notAKey(path: path, isPrivate: false, reason: "not an SM2, Ed25519 or RSA key")
        }
        self.algorithm = algorithm
        self.der = der
        keyID = Array(DigestAlgorithm.sm3.digest(der).prefix(8)).hex
        self.handle = handle
    }

    /// A key as the SecurityData form's `KeyValue` carries it: a DER SubjectPublicKeyInfo, or an
    /// SM2 point (uncompressed `04‖x‖y`, compressed `02/03‖x`, or MiniMax's `00‖x` and a bare
    /// `x`, both taken with even y). Nil for anything else.
    init?(keyValue bytes: [UInt8]) {
        // The SubjectPublicKeyInfo header of a point on the SM2 curve, without its length bytes.
        let sm2Header: [UInt8] = [
            0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D,
        ]
        var point: [UInt8]
        switch (bytes.count, bytes.first) {
        case (_, 0x30): point = []
        case (65, 0x04), (33, 0x02), (33, 0x03): point = bytes
        case (33, 0x00): point = [0x02] + bytes.dropFirst()
        case (32, _): point = [0x02] + bytes
        default: return nil
        }
        var der = bytes
        if !point.isEmpty {
            let bitString = [0x03, UInt8(point.count + 1), 0x00] + point
            der = [0x30, UInt8(sm2Header.count + bitString.count)] + sm2Header + bitString
        }
        guard let key = try? PublicKey(der: der, path: "KeyValue") else { return nil }
        self = key
    }

    /// The algorithm and key ID.
    public var description: String { "\(algorithm.rawValue) public key \(keyID)" }

    /// Whether `signature` is this key's signature over `message`, as SL1 records store it
    /// (64 bytes; SM2 as r‖s).
    public func isValid(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard algorithm != .rsa, signature.count == Int(CTRUST_SIGNATURE_LENGTH) else { return false }
        return ctrust_verify(handle.pointer, message, message.count, signature) == 0
    }

    /// Whether `signature` is this key's signature over `message`, stored as the SecurityData form
    /// does: DER for SM2 and RSA, 64 bytes for Ed25519.
    public func isValid(stored signature: [UInt8], for message: [UInt8]) -> Bool {
        !signature.isEmpty && ctrust_verify_stored(handle.pointer, message, message.count, signature, signature.count) == 0
    }
}

/// A key parsed once by libcrypto and shared: OpenSSL 3 keys may sign and verify from several
/// threads at once, so bulk runs parse the PEM a single time.
final class KeyHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init?(pem: [UInt8], isPrivate: Bool) {
        let loaded = pem.withUnsafeBufferPointer {
            ctrust_key_load(UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count, isPrivate ? 1 : 0)
        }
        guard let loaded else { return nil }
        pointer = loaded
    }

    /// A public key from its DER SubjectPublicKeyInfo.
    init?(der: [UInt8]) {
        guard let loaded = der.withUnsafeBufferPointer({ ctrust_public_key_from_der($0.baseAddress, $0.count) }) else { return nil }
        pointer = loaded
    }

    deinit { ctrust_key_free(pointer) }

    /// The DER SubjectPublicKeyInfo, EC points uncompressed.
    var publicDER: [UInt8]? {
        var der: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard ctrust_key_der(pointer, &der, &length) == 0, let der else { return nil }
        defer { ctrust_free(der) }
        return Array(UnsafeBufferPointer(start: der, count: length))
    }

    /// A PEM key's algorithm, key ID and parsed handle; what both key types are made of.
    static func load(pem: [UInt8], isPrivate: Bool, path: String) throws(SynthLabelError)
        -> (SignatureAlgorithm, String, KeyHandle)
    {
        let code = pem.withUnsafeBufferPointer {
            ctrust_key_algorithm(UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count, isPrivate ? 1 : 0)
        }
        guard let algorithm = SignatureAlgorithm(code: code), let keyID = KeyFile.keyID(pem: pem, isPrivate: isPrivate) else {
            throw .notAKey(path: path, isPrivate: isPrivate, reason: "not an SM2 or Ed25519 key in PEM form")
        }
        guard let handle = KeyHandle(pem: pem, isPrivate: isPrivate) else {
            throw .notAKey(path: path, isPrivate: isPrivate, reason: "libcrypto cannot load it")
        }
        return (algorithm, keyID, handle)
    }
}

/// Making and storing key pairs.
public enum KeyFile {
    /// Generates a key pair and writes `NAME.key` (PKCS#8 PEM, mode 0600, created exclusively so
    /// an existing key is never overwritten) and `NAME.pub`. Returns the public key.
    @discardableResult
    public static func generate(_ algorithm: SignatureAlgorithm, writingTo name: String) throws(SynthLabelError) -> PublicKey {
        var privatePEM: UnsafeMutablePointer<CChar>?
        var privateLength = 0
        var publicPEM: UnsafeMutablePointer<CChar>?
        var publicLength = 0
        guard SignatureAlgorithm.signing.contains(algorithm) else {
            throw .cannotWrite(path: name + ".key", reason: "SynthLabel makes SM2 and Ed25519 keys only")
        }
        guard ctrust_generate(algorithm.code, &privatePEM, &privateLength, &publicPEM, &publicLength) == 0, let privatePEM, let publicPEM
        else { throw .cannotWrite(path: name + ".key", reason: "libcrypto could not generate an \(algorithm.rawValue) key") }
        defer {
            memset(privatePEM, 0, privateLength)  // the private key leaves memory with the file
            ctrust_free(privatePEM)
            ctrust_free(publicPEM)
        }
        let publicBytes = Array(UnsafeRawBufferPointer(start: publicPEM, count: publicLength))
        let key = try PublicKey(pem: publicBytes, path: name + ".pub")
        try write(UnsafeRawBufferPointer(start: privatePEM, count: privateLength), to: name + ".key", mode: 0o600)
        do {
            try write(UnsafeRawBufferPointer(start: publicPEM, count: publicLength), to: name + ".pub", mode: 0o644)
        } catch {
            unlink(name + ".key")
            throw error
        }
        return key
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to path: String, mode: mode_t) throws(SynthLabelError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it already exists; keys are never overwritten" : String(cString: strerror(errno))
            throw .cannotWrite(path: path, reason: reason)
        }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let wrote = Glibc.write(descriptor, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            done += wrote
        }
        guard fsync(descriptor) == 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }

    /// A secret key file's bytes, refused, as ssh refuses, when it is reached through a
    /// symbolic link or others can read it: a key anyone can read signs for anyone.
    static func readSecret(_ path: String) throws(SynthLabelError) -> [UInt8] {
        guard let status = FileSystem.lstat(path) else {
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        if status.st_mode & S_IFMT == S_IFLNK {
            throw .keyThroughSymbolicLink(path: path)
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw .keyReadableByOthers(path: path, mode: UInt32(mode))
        }
        return try read(path)
    }

    static func read(_ path: String) throws(SynthLabelError) -> [UInt8] {
        let file = try FileSource(path: path, readingWholeUpTo: 64 << 10)
        guard file.size <= 64 << 10 else { throw .keyFileTooLarge(path: path) }
        do { return try file.bytes(at: 0, count: file.size) } catch { throw .cannotRead(path: path, reason: "\(error)") }
    }

    /// First 8 bytes of SM3 over the DER SubjectPublicKeyInfo, as hex.
    static func keyID(pem: [UInt8], isPrivate: Bool) -> String? {
        var der: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = pem.withUnsafeBufferPointer {
            ctrust_public_der(
                UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count, isPrivate ? 1 : 0, &der, &length)
        }
        guard status == 0, let der else { return nil }
        defer { ctrust_free(der) }
        let digest = DigestAlgorithm.sm3.digest(UnsafeBufferPointer(start: der, count: length))
        return Array(digest.prefix(8)).hex
    }
}
