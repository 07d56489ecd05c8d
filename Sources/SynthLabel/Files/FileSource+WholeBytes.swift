extension FileSource {
    /// The most a caption, a notice or the watermark reads into memory to decode and rewrite: a
    /// limit keeps a runaway input from exhausting it.
    static let inMemoryLimit = 2 << 30

    /// The whole file (or its first `limit` bytes), for a decoder that needs it in memory;
    /// refused past `inMemoryLimit`, damaged when it cannot be read whole.
    func wholeBytes(path: String, limit: Int? = nil) throws(SynthLabelError) -> [UInt8] {
        guard size <= Self.inMemoryLimit else {
            throw .tooLargeToDecode(path: path, limit: Self.inMemoryLimit)
        }
        do { return try bytes(upTo: limit ?? size, at: 0) } catch { throw .damaged(path: path, error) }
    }
}
