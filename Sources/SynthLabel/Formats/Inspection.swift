/// Finds which carrier a file is, from its first bytes.
enum Inspection {
    static func carrier(of file: FileSource) throws(SynthLabelError) -> Carrier {
        let head: [UInt8]
        do { head = try file.bytes(upTo: 64, at: 0) } catch {
            throw .cannotRead(path: file.path, reason: error.description)
        }
        guard file.size > 0 else { throw .emptyFile(path: file.path) }
        guard let carrier = Carrier.detect(head: head, path: file.path) else {
            throw .unrecognisedFormat(path: file.path)
        }
        return carrier
    }
}
