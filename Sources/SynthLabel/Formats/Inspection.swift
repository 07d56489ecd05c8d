/// Finds which carrier a file is, from its first bytes.
enum Inspection {
    static func carrier(of file: FileSource) throws(SynthLabelError) -> Carrier {
        let head: [UInt8]
        do { head = try file.bytes(upTo: 64, at: 0) } catch {
            throw .cannotRead(path: file.path, reason: error.description)
        }
        guard file.size > 0 else { throw .unsupportedFile(path: file.path, reason: "the file is empty (0 bytes)") }
        guard let carrier = Carrier.detect(head: head, path: file.path) else {
            throw .unsupportedFile(
                path: file.path, reason: "not a format SynthLabel reads (\(Carrier.allCases.map(\.displayName).joined(separator: ", ")))")
        }
        return carrier
    }
}
