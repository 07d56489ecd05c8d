import Foundation
import HTTPTypes
import Hummingbird
import SynthLabel

/// A request body written to a file in the spool folder as it arrives, hashed on the way, never
/// held whole in memory. The file goes when the value does: a client that disconnects mid-upload
/// leaves nothing behind. Its name marks it as this process's, so a service started after a kill
/// removes it (`Labeller.removeStaleTemporaryFiles`).
final class SpooledFile: Sendable {
    let path: String

    /// A new, empty, owner-only file in `folder`, its name ending in `fileExtension` when given
    /// (Markdown and plain text are told apart by name alone).
    init(in folder: String, fileExtension: String? = nil) throws {
        let template = folder + (folder.hasSuffix("/") ? "" : "/") + FileSink.scratchName("serve", fileExtension: fileExtension)
        let descriptor = open(template, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ServiceError(status: .internalServerError, code: "spool_unwritable", message: "cannot create a file in the spool folder")
        }
        close(descriptor)
        path = template
    }

    deinit { unlink(path) }
}

extension SpooledFile {
    /// Writes `body` into a new spool file (named with `fileExtension`, if given), refusing more
    /// than `limit` bytes (413). Returns the file with its size and SHA-256.
    static func receiving(_ body: RequestBody, declaredLength: Int?, into folder: String, limit: Int, fileExtension: String? = nil)
        async throws -> (file: SpooledFile, size: Int, sha256: String)
    {
        if let declaredLength, declaredLength > limit { throw ServiceError.tooLarge(limit: limit) }
        let file = try SpooledFile(in: folder, fileExtension: fileExtension)
        let descriptor = open(file.path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ServiceError(status: .internalServerError, code: "spool_unwritable", message: "cannot write to the spool folder")
        }
        defer { close(descriptor) }
        var hasher = Hasher256(.sha256)
        var size = 0
        for try await buffer in body {
            size += buffer.readableBytes
            if size > limit { throw ServiceError.tooLarge(limit: limit) }
            let bytes = Array(buffer.readableBytesView)
            hasher.update(bytes)
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else {
                    throw ServiceError(
                        status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), code: "spool_full",
                        message: "the spool folder has no room for the body")
                }
                written += count
            }
        }
        guard size > 0 else { throw ServiceError.badRequest("the body is empty: send the file's bytes") }
        return (file, size, hasher.finish().map { String(format: "%02x", $0) }.joined())
    }

    /// The file as a response body, read in 256 KiB pieces as the client takes them; `owner`
    /// (the spool file) is kept until the last piece is sent.
    func responseBody(size: Int) -> ResponseBody {
        let path = self.path
        return ResponseBody(contentLength: size) { writer in
            guard let handle = FileHandle(forReadingAtPath: path) else { throw ServiceError.badRequest("the result vanished") }
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: 256 << 10), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
            withExtendedLifetime(self) {}
        }
    }
}
