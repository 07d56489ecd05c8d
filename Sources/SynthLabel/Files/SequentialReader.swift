/// Reads a file front to back through a 64 KiB window, for formats that can only be walked
/// in small steps (GIF sub-blocks): one `pread` per window instead of one per step.
struct SequentialReader {
    let file: FileSource
    private(set) var offset: Int
    private var window: [UInt8] = []
    private var windowStart = 0

    init(file: FileSource, offset: Int) {
        self.file = file
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= file.size }

    mutating func byte() throws(FormatError) -> UInt8 {
        if offset < windowStart || offset >= windowStart + window.count {
            window = try file.bytes(upTo: 64 * 1024, at: offset)
            windowStart = offset
            guard !window.isEmpty else { throw FormatError(.truncated, at: offset, "the file ends here") }
        }
        defer { offset += 1 }
        return window[offset - windowStart]
    }

    mutating func bytes(_ count: Int) throws(FormatError) -> [UInt8] {
        let result = try file.bytes(at: offset, count: count)
        offset += count
        return result
    }

    mutating func rewind(by count: Int) { offset = max(0, offset - count) }

    mutating func skip(_ count: Int) throws(FormatError) {
        guard count <= file.size - offset else {
            throw FormatError(.truncated, at: offset, "\(count) bytes announced, the file ends first")
        }
        offset += count
    }
}
