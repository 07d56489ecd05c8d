import Foundation

/// The public keys a verifier trusts, and the producers each may sign for.
///
/// A key that travels inside the file it signs proves the file was not changed since, not who
/// signed it; a key from here proves that too, and a key pinned to the label's
/// `ContentProducer` (for a platform's signature, its `ContentPropagator`) proves it was that
/// company's. Pins come from a registry file (docs/signing.md): one line per provider code,
/// the code and then its keys, each a key file (relative to the registry) or hex.
///
///     # producers.txt
///     001191310104MACE0YX63918020  stepfun.pub
///     001191110102MACQD9K64018705  keys/ours.pub  3059301306072A8648CE3D02…
public struct TrustStore: Sendable {
    /// The trusted keys.
    public var keys: [PublicKey]
    /// Provider code → the IDs of the keys pinned to it.
    public var pins: [String: Set<String>]

    /// A store of `keys`, with `pins` from provider codes to key IDs.
    public init(keys: [PublicKey] = [], pins: [String: Set<String>] = [:]) {
        self.keys = keys
        self.pins = pins
    }

    /// How far a key is trusted for a provider code.
    public enum Standing: Sendable, Equatable {
        /// Pinned to that code by the registry.
        case pinned
        /// Trusted, and no registry says whose it is.
        case trusted
        /// Trusted, but pinned to other codes (or, with a registry, to none).
        case notPinned
        /// Not among the trusted keys.
        case unknown
    }

    /// The standing of the key with `keyID` for the provider `code`.
    public func standing(of keyID: String, for code: String?) -> Standing {
        guard keys.contains(where: { $0.keyID == keyID }) else { return .unknown }
        if pins.isEmpty { return .trusted }
        return code.flatMap { pins[$0] }?.contains(keyID) == true ? .pinned : .notPinned
    }

    /// The trusted key with this ID.
    public func key(withID keyID: String) -> PublicKey? { keys.first { $0.keyID == keyID } }

    /// Loads `path`: a public key file (PEM, DER or hex), a folder of them (`.pub`, `.pem`,
    /// `.der`, `.hex`, and a `producers.txt` registry if there is one), or a registry file.
    public static func load(_ path: String) throws(SynthLabelError) -> TrustStore {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .cannotRead(path: path, reason: "no such file or folder")
        }
        var store = TrustStore()
        if isFolder.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            for name in names where [".pub", ".pem", ".der", ".hex"].contains(where: name.hasSuffix) {
                store.add(try PublicKey(contentsOf: path + "/" + name))
            }
            if names.contains(registryName) { try store.addRegistry(path + "/" + registryName) }
        } else if path.hasSuffix(".txt") {
            try store.addRegistry(path)
        } else {
            store.add(try PublicKey(contentsOf: path))
        }
        guard !store.keys.isEmpty else { throw .cannotRead(path: path, reason: "no public keys found there") }
        return store
    }

    /// The registry's name inside a folder of keys.
    public static let registryName = "producers.txt"

    private mutating func add(_ key: PublicKey) {
        if !keys.contains(where: { $0.keyID == key.keyID }) { keys.append(key) }
    }

    /// Reads a registry: per line, a provider code and its keys (files relative to the
    /// registry's folder, or hex); `#` starts a comment.
    private mutating func addRegistry(_ path: String) throws(SynthLabelError) {
        let text = String(decoding: try KeyFile.read(path), as: UTF8.self)
        let folder = (path as NSString).deletingLastPathComponent
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let code = words.first else { continue }
            guard words.count > 1 else {
                throw .cannotRead(path: path, reason: "line \(number + 1): the code \(code) names no key")
            }
            for word in words.dropFirst() {
                let key: PublicKey
                if let bytes = Hex.decode(word), let decoded = PublicKey(keyValue: bytes) {
                    key = decoded
                } else {
                    key = try PublicKey(contentsOf: word.hasPrefix("/") ? word : folder + "/" + word)
                }
                add(key)
                pins[code, default: []].insert(key.keyID)
            }
        }
    }
}
