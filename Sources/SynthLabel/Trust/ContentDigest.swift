/// The digest a signed label binds: every byte of the file except those the label owns
/// (`CarrierReading.ownedRanges`: its chunk, segment or lines, and the size fields counting
/// them). Adding metadata elsewhere, or changing a pixel, a sample or a character, changes it;
/// rewriting the label itself (a platform adding its fields) does not.
enum ContentDigest {
    static func compute(_ file: FileSource, excluding owned: [Range<Int>], algorithm: DigestAlgorithm) throws(FormatError) -> [UInt8] {
        var hasher = Hasher256(algorithm)
        var cursor = 0
        for range in owned.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            try hasher.update(cursor..<max(cursor, range.lowerBound), of: file)
            cursor = max(cursor, range.upperBound)
        }
        try hasher.update(cursor..<max(cursor, file.size), of: file)
        return hasher.finish()
    }
}

extension AIGCLabel {
    /// The fields a signature in `field` covers: the producer's three for `ReservedCode1`; those,
    /// the producer's record and the platform's two for `ReservedCode2`.
    func signedFields(for field: AIGCLabel.Field) -> [(name: String, value: String)] {
        let covered: [AIGCLabel.Field] =
            field == .reservedCode1
            ? [.label, .contentProducer, .produceID]
            : [.label, .contentProducer, .produceID, .reservedCode1, .contentPropagator, .propagateID]
        return covered.map { ($0.rawValue, self[$0] ?? "") }
    }
}
