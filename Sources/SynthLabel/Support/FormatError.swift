/// A structural problem found while reading a container: what is wrong and where.
///
/// Adapters throw it without knowing the file's path; `SynthLabelError` adds the path.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The file ends before a structure it announces.
        case truncated
        /// A length or marker is wrong.
        case corrupt
        /// A stored checksum does not match the bytes it covers.
        case checksum
        /// Valid, but a variant this version does not handle.
        case unsupported
        /// A size beyond what the tool will hold in memory.
        case tooLarge
    }

    public var kind: Kind
    /// Byte offset of the offending structure, when known.
    public var offset: Int?
    public var message: String

    public init(_ kind: Kind, at offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String {
        if let offset { return "\(message) (at byte \(offset))" }
        return message
    }
}
