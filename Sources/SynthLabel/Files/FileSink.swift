import CLinuxCalls
import Glibc
import Synchronization

/// Writes a plan to a temporary file beside the destination and renames it into place.
///
/// The rename is the only step that touches the destination name, so an error, a full
/// disk or a kill at any earlier moment leaves whatever was there byte-identical.
/// When a write replaces an original, its data reaches the disk before the rename, so even
/// a power cut cannot leave an empty file where the original was. A fresh copy elsewhere
/// replaces nothing of the user's and is not forced to disk, like `cp`.
package enum FileSink {
    /// Suffix of the temporary files; a leftover one (from a kill) is safe to delete.
    static let temporarySuffix = ".synthlabel-tmp"

    /// A complete temporary file waiting to be renamed over its destination.
    struct Staged: Sendable {
        var temporaryPath: String
        var destination: String
        /// Replaces an original and is not on disk yet: `flush(_:)` must run before the rename.
        var needsFlush: Bool
        /// The file's digests as it was and as written, when asked for.
        var digests: FileDigests?
    }

    /// Writes the plan to a temporary file in the destination's folder.
    /// With `flushNow`, a file that needs it is forced to disk here (one file at a time);
    /// bulk callers leave it to `flush(_:)`, one filesystem sync for a whole batch.
    ///
    /// A file that replaces `original` keeps what that file was besides its bytes: owner and
    /// group (so a file labelled by root stays its owner's), permission bits, and extended
    /// attributes (user attributes, ACLs). What cannot be kept fails the file rather than
    /// changing it silently.
    ///
    /// With `digesting`, the original's and the new file's SHA-256 are taken as it writes
    /// (`DigestingWriter`); `knownBefore` is the original's when the caller has it.
    static func stage(
        _ plan: EditPlan, from source: FileSource, to destination: String, replacing original: FileSource?, flushNow: Bool,
        digesting: (original: FileSource, knownBefore: String?)? = nil
    ) throws(SynthLabelError) -> Staged {
        let replacesOriginal = original != nil
        let directory = parentDirectory(of: destination)
        let name = destination.split(separator: "/").last.map(String.init) ?? destination
        // Created with the original's permission bits, so a chmod is only needed when the
        // umask strips some of them (one syscall fewer per file in bulk runs).
        var descriptor: Int32 = -1
        var temporaryPath = ""
        for _ in 0..<16 {
            let unique = String(temporaryNames.add(1, ordering: .relaxed).newValue, radix: 36)
            temporaryPath = "\(directory)/.\(name).\(processTag)\(unique)\(temporarySuffix)"
            descriptor = FileSystem.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, source.mode & 0o777)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else {
            throw .cannotWrite(
                path: destination, reason: "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        do throws(SynthLabelError) {
            var digests: FileDigests?
            if let digesting {
                digests = try DigestingWriter.write(
                    plan, from: source, to: descriptor, original: digesting.original, knownBefore: digesting.knownBefore)
            } else if let whole = source.assembled(plan) {
                try writeAll(descriptor, whole[...])  // small file: one write
            } else {
                for piece in plan.pieces {
                    switch piece {
                    case .original(let range): try source.copy(range, to: descriptor)
                    case .bytes(let bytes): try writeAll(descriptor, bytes[...])
                    }
                }
            }
            if let original { try keepAttributes(of: original, on: descriptor, destination: destination) }
            let flushed = replacesOriginal && flushNow
            // chown clears set-user-ID bits, so the mode is set after it.
            let needsChmod = source.mode & ~0o777 != 0 || source.mode & processUmask != 0 || original?.owner != nil
            guard !needsChmod || fchmod(descriptor, source.mode) == 0, !flushed || fdatasync(descriptor) == 0 else {
                throw .cannotWrite(path: destination, reason: String(cString: strerror(errno)))
            }
            return Staged(
                temporaryPath: temporaryPath, destination: destination, needsFlush: replacesOriginal && !flushed, digests: digests)
        } catch {
            FileSystem.unlink(temporaryPath)
            if case .cannotWrite(_, let reason) = error { throw .cannotWrite(path: destination, reason: reason) }
            throw error
        }
    }

    /// Gives the new file the original's owner, group and extended attributes.
    private static func keepAttributes(of original: FileSource, on descriptor: Int32, destination: String) throws(SynthLabelError) {
        if let owner = original.owner {
            var created = stat()
            let differs = fstat(descriptor, &created) != 0 || created.st_uid != owner.user || created.st_gid != owner.group
            guard !differs || fchown(descriptor, owner.user, owner.group) == 0 else {
                throw .cannotWrite(
                    path: destination,
                    reason:
                        "cannot give the labelled file the original's owner and group (\(owner.user):\(owner.group)): \(String(cString: strerror(errno))); label it as its owner or as root"
                )
            }
        }
        for attribute in try original.extendedAttributes() {
            let set = attribute.value.withUnsafeBytes { clinux_set_attribute(descriptor, attribute.name, $0.baseAddress, $0.count) }
            guard set == 0 else {
                throw .cannotWrite(
                    path: destination,
                    reason: "cannot carry over the extended attribute \(attribute.name): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Forces every staged file that needs it to disk: one `syncfs` per filesystem.
    static func flush(_ staged: [Staged]) -> Bool {
        var folders: Set<String> = []
        var filesystems: Set<UInt64> = []
        var ok = true
        for file in staged where file.needsFlush {
            let directory = parentDirectory(of: file.temporaryPath)
            guard folders.insert(directory).inserted else { continue }
            let descriptor = FileSystem.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                ok = false
                continue
            }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                ok = false
                continue
            }
            if filesystems.insert(UInt64(status.st_dev)).inserted, clinux_sync_filesystem(descriptor) != 0 { ok = false }
        }
        return ok
    }

    /// Renames a staged file over its destination: the one step that changes what is there.
    static func commit(_ staged: Staged) throws(SynthLabelError) {
        guard FileSystem.rename(staged.temporaryPath, staged.destination) == 0 else {
            let reason = String(cString: strerror(errno))
            FileSystem.unlink(staged.temporaryPath)
            throw .cannotWrite(path: staged.destination, reason: "rename failed: \(reason)")
        }
    }

    static func discard(_ staged: Staged) {
        FileSystem.unlink(staged.temporaryPath)
    }

    /// Temporary names: `.NAME.<pid>-<host>-<counter>.synthlabel-tmp`. The process id and a
    /// hash of the host name say whose file it is, so a later run can delete the leftovers of
    /// a killed process (and only those); the counter makes names unique within a process.
    private static let processTag = "\(getpid())-\(hostTag)-"

    /// A name for a scratch file of this process in a folder `removeStaleTemporaryFiles` sweeps:
    /// the same shape as the writer's own, so a killed process's scratch files go with its temporaries.
    /// With `fileExtension` (a spooled upload whose format is known by name, such as `md`), the
    /// name ends in it, after the temporary suffix; one that is not 1–8 lower-case letters or
    /// digits is left off.
    package static func scratchName(_ name: String, fileExtension: String? = nil) -> String {
        let base = ".\(name).\(processTag)\(temporaryNames.add(1, ordering: .relaxed).newValue)\(temporarySuffix)"
        guard let fileExtension, isScratchExtension(fileExtension[...]) else { return base }
        return base + "." + fileExtension
    }

    private static func isScratchExtension(_ text: Substring) -> Bool {
        (1...8).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    /// A temporary or scratch name without its suffix (and a scratch file's extension); nil for
    /// any other name.
    static func temporaryStem(of name: String) -> Substring? {
        if name.hasSuffix(temporarySuffix) { return name.dropLast(temporarySuffix.count) }
        guard let suffix = name.range(of: temporarySuffix + ".", options: .backwards),
            isScratchExtension(name[suffix.upperBound...])
        else { return nil }
        return name[..<suffix.lowerBound]
    }
    private static let temporaryNames = Atomic<Int>(0)

    /// The host name hashed to eight hex digits (FNV-1a), safe inside a file name.
    static let hostTag: String = {
        var hash: UInt32 = 2_166_136_261
        for byte in HostName.current.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }()

    /// See `Labeller.removeStaleTemporaryFiles(in:)`.
    static func removeStaleTemporaryFiles(in folder: String) -> Int {
        guard let stream = FileSystem.opendir(folder) else { return 0 }
        defer { closedir(stream) }
        var removed = 0
        while let entry = readdir(stream) {
            let name = directoryEntryName(entry)
            guard let owner = owner(ofTemporaryName: name), owner.host == hostTag,
                owner.pid != getpid(), kill(owner.pid, 0) != 0, errno == ESRCH
            else { continue }
            if FileSystem.unlink(folder + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }

    /// The process id and host tag in a temporary or scratch file's name, if it has them.
    static func owner(ofTemporaryName name: String) -> (pid: pid_t, host: String)? {
        guard let tag = temporaryStem(of: name)?.split(separator: ".").last else { return nil }
        let parts = tag.split(separator: "-")
        guard parts.count == 3, let pid = pid_t(parts[0]), pid > 0 else { return nil }
        return (pid, String(parts[1]))
    }

    /// The process umask, read once from /proc (calling umask(2) to read it would briefly
    /// change it under other threads). Assumes the common 022 when /proc is not there.
    static let processUmask: mode_t = {
        guard let status = fopen("/proc/self/status", "r") else { return 0o022 }
        defer { fclose(status) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), status) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("Umask:"), let value = mode_t(text.dropFirst(6).trimmingWhitespace, radix: 8) {
                return value
            }
        }
        return 0o022
    }()

    static func writeAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) throws(SynthLabelError) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { return result == 0 ? ENOSPC : errno }
                done += result
            }
            return nil
        }
        if let failure {
            throw .cannotWrite(path: "", reason: String(cString: strerror(failure)))
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
