import Glibc

/// File names as Linux has them, bytes, carried in Swift strings without loss.
///
/// A Linux file name is any bytes but `/` and NUL; Swift's `String` holds only valid Unicode,
/// and turns a name that is not UTF-8 into U+FFFD, after which the file cannot be opened. So a
/// byte that is not part of valid UTF-8 travels as one scalar of the private-use range
/// U+10FF80–U+10FFFF (byte 0x80 + n as U+10FF80 + n), and is turned back into its byte at the
/// system call. A name that already holds a scalar of that range (four bytes F4 8F BE/BF xx)
/// has those bytes escaped too, so every name round-trips exactly.
public enum PathBytes {
    private static let escapeBase: UInt32 = 0x10_FF00

    /// A name or path from its bytes; valid UTF-8 outside the escape range comes back as is.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                scalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
            if length > 0, index + length <= bytes.count,
                let scalar = decodeOne(bytes[index..<index + length]), scalar.value < escapeBase + 0x80
            {
                scalars.append(scalar)
                index += length
            } else {
                // Private-use scalars (plane 16), always valid.
                scalars.append(Unicode.Scalar(escapeBase + UInt32(byte)) ?? "\u{FFFD}")
                index += 1
            }
        }
        return String(scalars)
    }

    /// The bytes a path stands for: its UTF-8, with each escape scalar turned back into its byte.
    public static func bytes(_ path: String) -> [UInt8] {
        guard needsUnescaping(path) else { return Array(path.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 {
                out.append(UInt8(truncatingIfNeeded: scalar.value - escapeBase))
            } else {
                out += Array(String(scalar).utf8)
            }
        }
        return out
    }

    /// Calls `body` with the path as the C string the kernel expects.
    public static func withCString<Result>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        guard needsUnescaping(path) else { return try path.withCString(body) }
        let raw = bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try raw.withUnsafeBufferPointer { buffer in
            // Never empty (it ends in the NUL), so it has storage.
            guard let start = buffer.baseAddress else { preconditionFailure("a path buffer without storage") }
            return try body(start)
        }
    }

    /// The text with each escaped byte shown as `\xNN`, for people to read.
    public static func display(_ text: String) -> String {
        guard needsUnescaping(text) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 {
                let hex = String(scalar.value - escapeBase, radix: 16, uppercase: true)
                out += "\\x" + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Escape scalars are encoded F4 8F BE xx or F4 8F BF xx: a path without an F4 byte has none.
    private static func needsUnescaping(_ path: String) -> Bool { path.utf8.contains(0xF4) }

    private static func decodeOne(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), iterator.next() == nil else { return nil }
        return scalar
    }
}

/// The system calls SynthLabel makes on paths, through `PathBytes`, so names that are not
/// UTF-8 work everywhere.
package enum FileSystem {
    package static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        PathBytes.withCString(path) { Glibc.open($0, flags, mode) }
    }

    package static func stat(_ path: String) -> Glibc.stat? {
        var status = Glibc.stat()
        let result = PathBytes.withCString(path) { statFile($0, &status) }
        return result == 0 ? status : nil
    }

    package static func lstat(_ path: String) -> Glibc.stat? {
        var status = Glibc.stat()
        let result = PathBytes.withCString(path) { lstatFile($0, &status) }
        return result == 0 ? status : nil
    }

    package static func rename(_ from: String, _ to: String) -> Int32 {
        PathBytes.withCString(from) { from in PathBytes.withCString(to) { Glibc.rename(from, $0) } }
    }

    @discardableResult
    package static func unlink(_ path: String) -> Int32 { PathBytes.withCString(path) { Glibc.unlink($0) } }

    package static func opendir(_ path: String) -> OpaquePointer? { PathBytes.withCString(path) { Glibc.opendir($0) } }

    /// The folder part of a path ("." for a bare name).
    package static func parentFolder(of path: String) -> String { FileSink.parentDirectory(of: path) }

    /// Creates the folder and any missing parents (`mkdir -p`); nil on success, else the
    /// folder that could not be made and the system's reason.
    package static func makeFolders(_ path: String, mode: mode_t = 0o777) -> (folder: String, reason: String)? {
        if let status = stat(path) {
            return status.st_mode & S_IFMT == S_IFDIR ? nil : (path, String(cString: strerror(ENOTDIR)))
        }
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if !parent.isEmpty, let failure = makeFolders(parent, mode: mode) { return failure }
        guard PathBytes.withCString(path, { Glibc.mkdir($0, mode) }) == 0 || errno == EEXIST else {
            return (path, String(cString: strerror(errno)))
        }
        return nil
    }
}

// The enum's own `stat` and `lstat` hide Glibc's inside it.
private func statFile(_ path: UnsafePointer<CChar>, _ status: UnsafeMutablePointer<stat>) -> Int32 { stat(path, status) }
private func lstatFile(_ path: UnsafePointer<CChar>, _ status: UnsafeMutablePointer<stat>) -> Int32 { lstat(path, status) }
