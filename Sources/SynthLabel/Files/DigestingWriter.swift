import Dispatch
import Synchronization

/// SHA-256 of a file as it was and as written (lowercase hex, as `sha256sum` prints them): what
/// the ledger records for each act.
public struct FileDigests: Sendable, Equatable {
    /// The original's digest.
    public var before: String
    /// The written file's digest.
    public var after: String

    /// Both digests, lowercase hex.
    public init(before: String, after: String) {
        self.before = before
        self.after = after
    }
}

/// Writes a plan and hashes it in the same pass: the ledger's digests cost no reading of their
/// own. Each piece of the original is read once (in 4 MiB chunks), then written and hashed into
/// the new file's digest on one thread while the same bytes go into the original's digest on
/// another; the bytes the plan drops are read for the original's digest only. So a large file
/// costs about one hash of wall time over the copy, rather than two more reads.
enum DigestingWriter {
    static let chunk = 4 << 20

    /// A digest fed from one thread at a time.
    private final class Lane: @unchecked Sendable {
        var hasher = Hasher256(.sha256)

        func hex() -> String {
            var spent = Hasher256(.sha256)
            swap(&spent, &hasher)
            return spent.finish().hex
        }
    }

    /// Writes `plan` over `source` to `descriptor`; returns the digest of what it wrote and,
    /// unless `knownBefore` is given, of `original`, the file as it was (read alongside when it
    /// is `source` and the plan takes its pieces in order, by a pass of its own otherwise).
    static func write(
        _ plan: EditPlan, from source: FileSource, to descriptor: Int32, original: FileSource, knownBefore: String?
    ) throws(SynthLabelError) -> FileDigests {
        let after = Lane()
        let before = knownBefore == nil && original === source && plan.takesOriginalInOrder ? Lane() : nil
        var cursor = 0
        for piece in plan.pieces {
            switch piece {
            case .bytes(let bytes):
                try FileSink.writeAll(descriptor, bytes[...])
                after.hasher.update(bytes)
            case .original(let range):
                if let before { try feed(cursor..<range.lowerBound, of: source, into: before, writing: nil, after: nil) }
                try feed(range, of: source, into: before, writing: descriptor, after: after)
                cursor = range.upperBound
            }
        }
        if let before {
            try feed(cursor..<source.size, of: source, into: before, writing: nil, after: nil)
            return FileDigests(before: before.hex(), after: after.hex())
        }
        return FileDigests(before: try FileDigest.sha256(of: original, unlessKnown: knownBefore), after: after.hex())
    }

    /// Reads `range` of `file` in chunks; each goes into `before`, and with a descriptor is
    /// also written and fed to `after`, the two at once.
    private static func feed(
        _ range: Range<Int>, of file: FileSource, into before: Lane?, writing descriptor: Int32?, after: Lane?
    ) throws(SynthLabelError) {
        for start in stride(from: range.lowerBound, to: range.upperBound, by: chunk) {
            let bytes: [UInt8]
            do { bytes = try file.bytes(at: start, count: min(chunk, range.upperBound - start)) } catch {
                throw .cannotRead(path: file.path, reason: "\(error)")
            }
            guard let descriptor, let after else {
                before?.hasher.update(bytes)
                continue
            }
            let failure = Mutex<SynthLabelError?>(nil)
            DispatchQueue.concurrentPerform(iterations: before == nil ? 1 : 2) { lane in
                guard lane == 0 else {
                    before?.hasher.update(bytes)
                    return
                }
                do throws(SynthLabelError) { try FileSink.writeAll(descriptor, bytes[...]) } catch { failure.withLock { $0 = error } }
                after.hasher.update(bytes)
            }
            if let error = failure.withLock({ $0 }) { throw error }
        }
    }
}

extension EditPlan {
    /// Whether the plan's pieces of the original come in the original's order, so that one
    /// reading of it serves both the copy and the original's digest.
    var takesOriginalInOrder: Bool {
        var cursor = 0
        for case .original(let range) in pieces {
            guard range.lowerBound >= cursor else { return false }
            cursor = range.upperBound
        }
        return true
    }
}
