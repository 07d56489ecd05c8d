import Glibc

/// The name in a `readdir` entry; `d_name` arrives as a fixed-size C array tuple.
package func directoryEntryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
    withUnsafeBytes(of: entry.pointee.d_name) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
}
