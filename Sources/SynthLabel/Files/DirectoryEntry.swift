import Glibc

/// The name in a `readdir` entry (`d_name` arrives as a fixed-size C array tuple), kept
/// byte for byte through `PathBytes` when it is not UTF-8.
package func directoryEntryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
    withUnsafeBytes(of: entry.pointee.d_name) { raw in
        PathBytes.string(raw.prefix { $0 != 0 })
    }
}
