import CLinuxCalls
import Glibc
import Synchronization

/// A file opened for random-access reads, so adapters can hop from header to header
/// without reading pixel or sample data.
///
/// Small files are read whole at open (one syscall instead of dozens); larger ones are
/// read with `pread` on demand, which keeps memory flat for a 200 MB WAV.
package final class FileSource: Sendable {
    let path: String
    let size: Int
    private let descriptor: Int32
    private let wholeFile: [UInt8]?
    /// For a file that exists only as a plan: its pieces at their output offsets, and the file
    /// the `.original` pieces come from.
    private let planned: (pieces: [(start: Int, piece: EditPlan.Piece)], source: FileSource)?

    /// Files up to this size are read in one go when they will be copied (labelling).
    static let wholeFileLimit = 1 << 20
    /// When only headers are wanted (verifying, scanning), a smaller file is still read in
    /// one go; a larger one is read piece by piece, only where its structure points.
    static let headerReadLimit = 64 << 10

    /// A name for this very file that libraries opening files themselves (libav) can use: its
    /// descriptor under /proc, or the path for a file held only in memory.
    var descriptorPath: String { descriptor >= 0 ? "/proc/self/fd/\(descriptor)" : path }

    /// Whether the whole file is in memory (so reading all of it costs nothing more).
    var isInMemory: Bool { wholeFile != nil }

    /// Bytes read into memory so far: what lets a test prove a scan reads headers, not files.
    package var bytesRead: Int { readCounter.load(ordering: .relaxed) }
    private let readCounter = Atomic<Int>(0)

    /// Opens `path`; with `followingSymlinks` false, a symbolic link is refused (labelling it
    /// in place would replace the link with a file and leave its target unlabelled).
    init(path: String, followingSymlinks: Bool = true, readingWholeUpTo wholeLimit: Int = FileSource.wholeFileLimit) throws(SynthLabelError)
    {
        self.path = path
        // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; it is refused
        // below like anything else that is not a regular file. Regular files ignore the flag.
        let descriptor = FileSystem.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingSymlinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            if errno == ELOOP && !followingSymlinks {
                throw .symbolicLink(path: path)
            }
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotRead(path: path, reason: reason)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            let kind =
                switch status.st_mode & S_IFMT {
                case S_IFIFO: "a FIFO (named pipe)"
                case S_IFSOCK: "a socket"
                case S_IFCHR, S_IFBLK: "a device"
                case S_IFDIR: "a folder"
                default: "not a regular file"
                }
            throw .notARegularFile(path: path, kind: kind)
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
        self.mode = status.st_mode & 0o7777
        self.owner = (status.st_uid, status.st_gid)
        self.linkCount = Int(status.st_nlink)
        if size <= wholeLimit {
            var buffer = [UInt8](repeating: 0, count: size)
            let got = buffer.withUnsafeMutableBytes { raw in
                Self.readFully(descriptor, into: raw, at: 0)
            }
            readCounter.add(got, ordering: .relaxed)
            guard got == size else {
                close(descriptor)
                throw .cannotRead(path: path, reason: "short read")
            }
            wholeFile = buffer
        } else {
            wholeFile = nil
        }
        planned = nil
    }

    /// Permission bits, kept on the labelled copy.
    let mode: mode_t
    /// Owner and group, kept when a labelled file replaces this one (nil for bytes in memory).
    let owner: (user: uid_t, group: gid_t)?
    /// Names the file has; a labelled file renamed over one name leaves the others as they were.
    let linkCount: Int

    /// The extended attributes (user.*, ACLs, …) of a file on disk, names and values, to carry
    /// over to the file that replaces it. Empty for bytes in memory or where the file system
    /// has none.
    func extendedAttributes() throws(SynthLabelError) -> [(name: String, value: [UInt8])] {
        guard descriptor >= 0 else { return [] }
        let listSize = clinux_list_attributes(descriptor, nil, 0)
        guard listSize > 0 else {
            if listSize < 0 && errno != ENOTSUP {
                throw .cannotRead(path: path, reason: "extended attributes: \(String(cString: strerror(errno)))")
            }
            return []
        }
        var names = [CChar](repeating: 0, count: listSize)
        let got = clinux_list_attributes(descriptor, &names, listSize)
        guard got >= 0 else { throw .cannotRead(path: path, reason: "extended attributes: \(String(cString: strerror(errno)))") }
        var attributes: [(name: String, value: [UInt8])] = []
        for raw in names.prefix(got).split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let valueSize = clinux_get_attribute(descriptor, name, nil, 0)
            guard valueSize >= 0 else { continue }  // removed meanwhile
            var value = [UInt8](repeating: 0, count: valueSize)
            let read = clinux_get_attribute(descriptor, name, &value, valueSize)
            guard read >= 0 else { continue }
            attributes.append((name, Array(value.prefix(read))))
        }
        return attributes
    }

    /// A file held in memory, for callers that already have the bytes (and the fuzzer).
    package init(bytes: [UInt8], path: String = "<memory>", mode: mode_t = 0o644) {
        self.path = path
        self.size = bytes.count
        self.descriptor = -1
        self.mode = mode
        self.owner = nil
        self.linkCount = 1
        self.wholeFile = bytes
        self.planned = nil
    }

    /// The file `plan` would write from `source`, readable without writing it: what signing
    /// hashes before the label is final. Reads only; it cannot be copied to a destination.
    package init(plan: EditPlan, over source: FileSource) {
        self.path = source.path
        self.descriptor = -1
        self.mode = source.mode
        self.owner = source.owner
        self.linkCount = source.linkCount
        self.wholeFile = nil
        var pieces: [(start: Int, piece: EditPlan.Piece)] = []
        var offset = 0
        for piece in plan.pieces {
            pieces.append((offset, piece))
            switch piece {
            case .original(let range): offset += range.count
            case .bytes(let bytes): offset += bytes.count
            }
        }
        self.size = offset
        self.planned = (pieces, source)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Exactly `count` bytes at `offset`, or `FormatError.truncated` when the file is shorter.
    func bytes(at offset: Int, count: Int) throws(FormatError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw FormatError(.truncated, at: offset, "file ends after \(size) bytes, \(count) needed here")
        }
        return try bytes(upTo: count, at: offset)
    }

    /// Up to `count` bytes at `offset`: fewer only at the end of the file.
    func bytes(upTo count: Int, at offset: Int) throws(FormatError) -> [UInt8] {
        let available = max(0, min(count, size - offset))
        if let wholeFile {
            return Array(wholeFile[offset..<offset + available])
        }
        if let planned {
            return try Self.read(offset..<offset + available, from: planned.pieces, source: planned.source)
        }
        var buffer = [UInt8](repeating: 0, count: available)
        let got = buffer.withUnsafeMutableBytes { raw in
            Self.readFully(descriptor, into: raw, at: offset)
        }
        readCounter.add(got, ordering: .relaxed)
        guard got == available else {
            throw FormatError(.truncated, at: offset, "read failed: \(String(cString: strerror(errno)))")
        }
        return buffer
    }

    /// The whole output of `plan` in memory, when this file was small enough to be read whole.
    package func assembled(_ plan: EditPlan) -> [UInt8]? {
        guard let wholeFile else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(plan.outputSize)
        for piece in plan.pieces {
            switch piece {
            case .original(let range): output += wholeFile[range]
            case .bytes(let bytes): output += bytes
            }
        }
        return output
    }

    /// Streams `range` of this file to another descriptor in bounded pieces.
    func copy(_ range: Range<Int>, to output: Int32) throws(SynthLabelError) {
        if let wholeFile {
            try FileSink.writeAll(output, wholeFile[range])
            return
        }
        if planned != nil {
            for start in stride(from: range.lowerBound, to: range.upperBound, by: 1 << 20) {
                let piece: [UInt8]
                do { piece = try bytes(at: start, count: min(1 << 20, range.upperBound - start)) } catch {
                    throw .cannotRead(path: path, reason: "\(error)")
                }
                try FileSink.writeAll(output, piece[...])
            }
            return
        }
        var offset = range.lowerBound
        // In-kernel copy first: no trip through user space, as fast as cp.
        while offset < range.upperBound {
            let copied = clinux_copy_range(descriptor, off_t(offset), output, range.upperBound - offset)
            if copied > 0 {
                offset += copied
                continue
            }
            if copied < 0 && errno == EINTR { continue }
            if copied < 0 && [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EBADF].contains(errno) { break }
            if copied == 0 { throw .cannotRead(path: path, reason: "file shrank while copying at byte \(offset)") }
            // The kernel copy fails for the writing side too (a full disk, a file-size limit).
            throw .cannotWrite(path: "", reason: "copying byte \(offset) failed: \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: min(1 << 20, range.upperBound - offset))
        while offset < range.upperBound {
            let want = min(buffer.count, range.upperBound - offset)
            let got = buffer.withUnsafeMutableBytes { raw in
                Self.readFully(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: offset)
            }
            guard got == want else {
                throw .cannotRead(path: path, reason: "file changed or failed while copying at byte \(offset)")
            }
            try FileSink.writeAll(output, buffer[0..<want])
            offset += want
        }
    }

    private static func read(
        _ wanted: Range<Int>, from pieces: [(start: Int, piece: EditPlan.Piece)], source: FileSource
    ) throws(FormatError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(wanted.count)
        for (start, piece) in pieces {
            let length: Int
            switch piece {
            case .original(let range): length = range.count
            case .bytes(let bytes): length = bytes.count
            }
            let lower = max(start, wanted.lowerBound)
            let upper = min(start + length, wanted.upperBound)
            guard lower < upper else { continue }
            let overlap = lower..<upper
            switch piece {
            case .original(let range):
                out += try source.bytes(at: range.lowerBound + overlap.lowerBound - start, count: overlap.count)
            case .bytes(let bytes):
                out += bytes[(overlap.lowerBound - start)..<(overlap.upperBound - start)]
            }
        }
        return out
    }

    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            if result <= 0 { break }
            done += result
        }
        return done
    }
}
