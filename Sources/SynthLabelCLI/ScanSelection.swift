import Foundation
import SynthLabel

/// Which files a scan looks at: the walk (or a list of paths), narrowed by globs and a shard.
struct ScanSelection {
    var include: [String] = []
    var exclude: [String] = []
    /// `(k, n)`: this run takes the k-th of n stable parts (1-based).
    var shard: (index: Int, count: Int)?

    /// Parses `K/N` with 1 ≤ K ≤ N.
    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            return nil
        }
        return (index, count)
    }

    func admits(_ entry: FileWalker.Entry) -> Bool {
        let relative = entry.relativePath
        if !include.isEmpty && !include.contains(where: { Self.matches($0, relative) }) { return false }
        if exclude.contains(where: { Self.matches($0, relative) }) { return false }
        // Hash the path under the directory argument, so machines that mount a store at
        // different places still split it the same way.
        let key = entry.root == nil ? entry.path : relative
        if let shard, Self.stableHash(key) % UInt64(shard.count) != UInt64(shard.index - 1) { return false }
        return true
    }

    /// A glob without `/` matches the file name; one with `/` matches the path relative to
    /// the directory argument (`*` does not cross `/`, `**/` spans folders).
    static func matches(_ pattern: String, _ relativePath: String) -> Bool {
        if !pattern.contains("/") {
            let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
            return fnmatch(pattern, name, 0) == 0
        }
        if fnmatch(pattern, relativePath, FNM_PATHNAME) == 0 { return true }
        // "**/x" also matches "x" at the top, and "a/**/b" matches "a/b".
        if pattern.contains("**/") {
            return fnmatch(pattern.replacingOccurrences(of: "**/", with: ""), relativePath, FNM_PATHNAME) == 0
                || fnmatch(pattern.replacingOccurrences(of: "**/", with: "*/"), relativePath, 0) == 0
        }
        return false
    }

    /// FNV-1a of the path: the same file lands in the same shard on every machine and run.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// Paths read one per line from a file or standard input, as scan inputs.
struct PathListReader: IteratorProtocol {
    private var handle: UnsafeMutablePointer<FILE>?
    private(set) var failed: String?

    init(_ source: String) {
        if source == "-" {
            handle = fdopen(dup(STDIN_FILENO), "r")
        } else {
            handle = fopen(source, "r")
        }
        if handle == nil { failed = "\(source): \(String(cString: strerror(errno)))" }
    }

    mutating func next() -> FileWalker.Entry? {
        guard let handle else { return nil }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, handle) >= 0 {
            guard let line else { continue }
            // Names are bytes: a line that is not UTF-8 still names its file (PathBytes).
            var bytes = UnsafeRawBufferPointer(start: line, count: strlen(line))[...]
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes = bytes.dropLast() }
            if !bytes.isEmpty { return FileWalker.Entry(path: PathBytes.string(bytes), root: nil) }
        }
        fclose(handle)
        self.handle = nil
        return nil
    }
}
