/// Everything the public API can throw; each case names the file and says what to do.
public enum SynthLabelError: Error, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotRead(path: String, reason: String)
    /// The output could not be written; the original is untouched.
    case cannotWrite(path: String, reason: String)
    /// The file is damaged, so it is neither labelled nor trusted.
    case damaged(path: String, FormatError)
    /// Not a format this tool labels.
    case unsupportedFile(path: String, reason: String)
    /// The label to write breaks a rule of GB 45438 Annex E.
    case invalidLabel([String])
    /// Labelling would harm something in the file; the reason says how to proceed.
    case refused(path: String, reason: String)

    /// A format problem found in the file at `path`: damage (truncated, corrupt, a bad
    /// checksum) or something the tool will not do (unsupported, too large).
    init(_ error: FormatError, path: String) {
        switch error.kind {
        case .truncated, .corrupt, .checksum: self = .damaged(path: path, error)
        case .unsupported, .tooLarge: self = .refused(path: path, reason: error.description)
        }
    }

    /// What went wrong, without the path: for messages that already name the file.
    public var reason: String {
        switch self {
        case .cannotRead(_, let reason), .cannotWrite(_, let reason), .unsupportedFile(_, let reason), .refused(_, let reason): reason
        case .damaged(_, let error): error.description
        case .invalidLabel(let problems): problems.joined(separator: "; ")
        }
    }

    /// The error in words for a person, naming the file.
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .cannotWrite(let path, let reason):
            "\(path): cannot write: \(reason); the original is unchanged"
        case .damaged(let path, let error):
            "\(path): damaged file: \(error); not labelled"
        case .unsupportedFile(let path, let reason):
            "\(path): not supported: \(reason)"
        case .invalidLabel(let problems):
            "invalid label: " + problems.joined(separator: "; ")
        case .refused(let path, let reason):
            "\(path): refused: \(reason)"
        }
    }
}
