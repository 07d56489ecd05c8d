#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a plan to a temporary file beside the destination and renames it into place.
///
/// The rename is the only step that touches the destination name, so an error, a full
/// disk or a kill at any earlier moment leaves whatever was there byte-identical.
enum FileSink {
    /// Suffix of the temporary files; a leftover one is safe to delete.
    static let temporarySuffix = ".synthlabel-tmp"

    static func write(_ plan: EditPlan, from source: FileSource, to destination: String) throws(SynthLabelError) {
        let directory = parentDirectory(of: destination)
        let name = destination.split(separator: "/").last.map(String.init) ?? destination
        var template = Array("\(directory)/.\(name).XXXXXX\(temporarySuffix)".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            mkstemps(buffer.baseAddress!, Int32(temporarySuffix.utf8.count))
        }
        guard descriptor >= 0 else {
            throw .cannotWrite(path: destination, reason: "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        let temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        do throws(SynthLabelError) {
            for piece in plan.pieces {
                switch piece {
                case .original(let range):
                    try source.copy(range, to: descriptor)
                case .bytes(let bytes):
                    try writeAll(descriptor, bytes[...])
                }
            }
            guard fchmod(descriptor, source.mode) == 0, fsync(descriptor) == 0 else {
                throw .cannotWrite(path: destination, reason: String(cString: strerror(errno)))
            }
            close(descriptor)
            guard rename(temporaryPath, destination) == 0 else {
                throw .cannotWrite(path: destination, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            if case .cannotWrite(_, let reason) = error {
                throw .cannotWrite(path: destination, reason: reason)
            }
            throw error
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) throws(SynthLabelError) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
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
