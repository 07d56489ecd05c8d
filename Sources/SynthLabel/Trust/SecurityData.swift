/// The `SecurityData` object of the TC260 security-protection practice guide (TC260-PG-202511A),
/// which producers store as a JSON string in `ReservedCode1` (a platform in `ReservedCode2`):
///
///     {"SecurityData":{"Type":"TC260PG","Version":1,"PubSD":[entry, …]}}
///
/// Entries: `DS` (a signature: `AlgID`, `TBSData.Type` naming what is signed, `Signature` in
/// hex), `PubKey` (`AlgID`, `KeyValue` in hex), and a content binding (`Bnd`, or MiniMax's
/// `Bindings`). Read leniently, as real files write it: `PubSD` or `PubSd`, upper- or lower-case
/// hex, entries linked by `KeyID` or by position. docs/signing.md has the format byte by byte.
struct SecurityData: Equatable {
    /// One element of `PubSD`: its type and its fields as written, in order.
    struct Entry: Equatable {
        var fields: [(key: String, value: JSONValue)]

        static func == (a: Self, b: Self) -> Bool { JSONValue.object(a.fields) == JSONValue.object(b.fields) }

        var type: String { string("Type") ?? "" }

        /// A string field, its name matched without regard to case.
        func string(_ name: String) -> String? {
            for (key, value) in fields where key.lowercased() == name.lowercased() {
                if case .string(let text) = value { return text }
                if case .number(let text) = value { return text }
            }
            return nil
        }

        /// The hex bytes of a field, nil when it is absent or not hex.
        func hex(_ name: String) -> [UInt8]? { string(name).flatMap(Hex.decode) }

        /// What a `DS` entry signs: its `TBSData.Type`.
        var signedType: String? {
            for (key, value) in fields where key.lowercased() == "tbsdata" {
                if case .object(let inner) = value { return Entry(fields: inner).string("Type") }
                if case .string(let text) = value { return text }
            }
            return nil
        }

        /// The entry as compact JSON, its keys in their order: what a binding's signature covers.
        var compactJSON: String { JSONValue.object(fields).compact }
    }

    var entries: [Entry]

    /// The object in a reserved field's value, or nil when the value is not one.
    init?(parsing value: String) {
        guard value.hasPrefix("{"), let json = try? JSONValue.parse(value), case .object(let outer) = json else { return nil }
        let body = outer.first { $0.key.lowercased() == "securitydata" }?.value
        guard case .object(let fields)? = body else { return nil }
        guard case .array(let list)? = fields.first(where: { $0.key.lowercased() == "pubsd" })?.value else { return nil }
        var entries: [Entry] = []
        for element in list {
            guard case .object(let entryFields) = element else { return nil }
            entries.append(Entry(fields: entryFields))
        }
        self.entries = entries
    }

    init(entries: [Entry]) { self.entries = entries }

    /// The value as stored: compact, so it stays inside Annex E's characters (no space).
    var serialized: String {
        let body: [(key: String, value: JSONValue)] = [
            ("Type", .string("TC260PG")), ("Version", .number("1")), ("PubSD", .array(entries.map { .object($0.fields) })),
        ]
        return JSONValue.object([("SecurityData", .object(body))]).compact
    }

    /// What a `DS` entry's `TBSData.Type` may say for the label's fields: the guide's `Md`, and
    /// MiniMax's and StepFun's `LabelMataData` (sic).
    static let labelTypes: Set<String> = ["md", "labelmatadata", "labelmetadata"]
    /// What it may say for a content binding entry.
    static let bindingTypes: Set<String> = ["bnd", "bindings", "binding"]

    /// The signatures, each with the key that should check it: the `PubKey` entry with the same
    /// `KeyID`, or else the one `PubKey` entry, or else the one at the signature's position among
    /// the signatures.
    var signatures: [(signature: Entry, key: Entry?)] {
        let signatures = entries.filter { $0.type.lowercased() == "ds" }
        let keys = entries.filter { $0.type.lowercased() == "pubkey" }
        return signatures.enumerated().map { index, signature in
            if let id = signature.string("KeyID"), let key = keys.first(where: { $0.string("KeyID") == id }) { return (signature, key) }
            if keys.count == 1 { return (signature, keys[0]) }
            return (signature, index < keys.count ? keys[index] : nil)
        }
    }

    /// The content binding entry, if any.
    var binding: Entry? { entries.first { Self.bindingTypes.contains($0.type.lowercased()) } }

    /// The guide's appendix A.1 message for the producer's fields, `"Label":"1","ContentProducer":
    /// "<code>","ProduceID":"<id>"`; for a platform's signature in `ReservedCode2` (which the guide
    /// does not define), the same followed by `,"ContentPropagator":"<code>","PropagateID":"<id>"`.
    static func labelMessage(_ label: AIGCLabel, for field: AIGCLabel.Field) -> [UInt8] {
        var fields: [AIGCLabel.Field] = [.label, .contentProducer, .produceID]
        if field == .reservedCode2 { fields += [.contentPropagator, .propagateID] }
        return Array(fields.map { "\"\($0.rawValue)\":\"\(label[$0] ?? "")\"" }.joined(separator: ",").utf8)
    }
}

extension SecurityData {
    /// `CntSel` of the bindings SynthLabel writes: the digest covers every byte of the file that
    /// the label does not own, in file order (the bytes `SL1` records digest).
    static let unownedSelection = "SynthLabel-unowned-1"

    /// The digest's OID in a binding entry.
    static func digestOID(_ algorithm: DigestAlgorithm) -> String {
        algorithm == .sm3 ? "1.2.156.10197.1.401" : "2.16.840.1.101.3.4.2.1"
    }

    /// The digest an OID names, or nil.
    static func digest(oid: String?) -> DigestAlgorithm? {
        [DigestAlgorithm.sm3, .sha256].first { digestOID($0) == oid }
    }

    /// The object SynthLabel writes for `label`'s `field`, signed by `key`: the signature over the
    /// A.1 message, the public key, the content binding (`contentDigest`) and the signature over
    /// the binding entry's compact JSON. With `fixedLength`, each signature has the length
    /// `SigningKey.storedSignatureLength` says, so the value's length is known in advance; with
    /// `placeholder`, the signatures are zeros of that length.
    static func signed(
        _ label: AIGCLabel, field: AIGCLabel.Field, contentDigest: [UInt8], key: SigningKey, fixedLength: Bool, placeholder: Bool = false
    ) throws(SynthLabelError) -> SecurityData {
        let algorithm = key.algorithm.oid
        let length = key.storedSignatureLength
        func sign(_ message: [UInt8]) throws(SynthLabelError) -> String {
            if placeholder { return String(repeating: "0", count: 2 * length) }
            return try key.signStored(message, length: fixedLength ? length : nil).hex.uppercased()
        }
        func signature(_ type: String, _ value: String) -> Entry {
            Entry(fields: [
                ("Type", .string("DS")), ("AlgID", .string(algorithm)), ("TBSData", .object([("Type", .string(type))])),
                ("Signature", .string(value)),
            ])
        }
        let binding = Entry(fields: [
            ("Type", .string("Bnd")), ("BType", .number("0")), ("AlgID", .string(digestOID(key.algorithm.digest))),
            ("CntSel", .string(unownedSelection)), ("Hash", .string(contentDigest.hex.uppercased())),
        ])
        return SecurityData(entries: [
            signature("Md", try sign(labelMessage(label, for: field))),
            Entry(fields: [
                ("Type", .string("PubKey")), ("AlgID", .string(algorithm)), ("KeyValue", .string(key.publicDER.hex.uppercased())),
            ]),
            binding,
            signature("Bnd", try sign(Array(binding.compactJSON.utf8))),
        ])
    }
}
