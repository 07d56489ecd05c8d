import Glibc

/// This machine's name, read once: the ledger records it, and temporary file names carry a
/// hash of it so only this host's leftovers are ever cleaned up.
package enum HostName {
    package static let current: String = {
        var name = [UInt8](repeating: 0, count: 256)
        _ = name.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { gethostname($0, buffer.count - 1) } ?? -1 }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }()
}
