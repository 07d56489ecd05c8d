/// A structural problem found while reading a container: what is wrong and where.
///
/// Adapters throw it without knowing the file's path; `SynthLabelError` adds the path.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What sort of problem: the verdict and the CLI's exit status follow from it.
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

    /// What sort of problem it is.
    public var kind: Kind
    /// Byte offset of the offending structure, when known.
    public var offset: Int?
    /// What is wrong, in words for a person.
    public var message: String

    /// A problem of `kind`, at byte `offset` when known.
    public init(_ kind: Kind, at offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    /// The message, with the offset when known.
    public var description: String {
        if let offset { return "\(message) (at byte \(offset))" }
        return message
    }
}
