import Glibc

/// Scratch files for libraries that write by name (libsndfile, libav).
enum TemporaryFile {
    /// A new empty file `$TMPDIR/<name>-XXXXXX`, readable by its owner only; the caller removes it.
    static func create(named name: String) throws(SynthLabelError) -> String {
        let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(folder)/\(name)-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else {
            throw .cannotWrite(path: folder, reason: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
