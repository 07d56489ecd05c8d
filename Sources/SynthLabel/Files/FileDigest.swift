/// Whole-file digests, as `sha256sum` prints them: what the ledger records so an auditor can
/// match a file to its act with standard tools.
public enum FileDigest {
    /// SHA-256 (lowercase hex) of the file at `path`, streamed in 1 MiB pieces.
    public static func sha256(ofFileAt path: String) throws(SynthLabelError) -> String {
        try sha256(of: FileSource(path: path))
    }

    static func sha256(of file: FileSource) throws(SynthLabelError) -> String {
        var hasher = Hasher256(.sha256)
        do { try hasher.update(0..<file.size, of: file) } catch { throw .cannotRead(path: file.path, reason: error.description) }
        return hasher.finish().hex
    }

    /// `known` when there is one, else the file's digest.
    static func sha256(of file: FileSource, unlessKnown known: String?) throws(SynthLabelError) -> String {
        if let known { return known }
        return try sha256(of: file)
    }
}

extension Hasher256 {
    /// Feeds `range` of `file` in 1 MiB pieces, so a file of any size hashes in constant memory.
    mutating func update(_ range: Range<Int>, of file: FileSource) throws(FormatError) {
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 1 << 20) {
            update(try file.bytes(at: start, count: min(1 << 20, range.upperBound - start)))
        }
    }
}
