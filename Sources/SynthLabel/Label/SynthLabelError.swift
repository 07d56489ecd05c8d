/// Everything the public API can throw: one case per failure, carrying what a caller needs to act
/// on it (the file, the byte offset, the producer, the key). `description` says it in words for a
/// person without naming any command-line flag; the CLI adds its own hints.
public enum SynthLabelError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: Files

    /// The file could not be opened or read; `reason` is the system's.
    case cannotRead(path: String, reason: String)
    /// The output could not be written; the original is untouched.
    case cannotWrite(path: String, reason: String)
    /// A directory, device, FIFO or socket where a regular file was expected.
    case notARegularFile(path: String, kind: String)
    /// A symbolic link given to be labelled in place: the link's target is the file to label.
    case symbolicLink(path: String)
    /// Larger than SynthLabel holds in memory to decode (`limit` bytes or samples).
    case tooLargeToDecode(path: String, limit: Int)

    // MARK: Formats

    /// The file has no bytes.
    case emptyFile(path: String)
    /// Not a format SynthLabel reads.
    case unrecognisedFormat(path: String)
    /// A format whose labels SynthLabel reads but does not write yet.
    case readOnlyFormat(path: String, format: Carrier)
    /// Plain text has no metadata to hold a label: only a visible notice or invisible text can.
    case noMetadataSite(path: String)
    /// The file is damaged (truncated, corrupt, a bad checksum), so it is neither labelled nor trusted.
    case damaged(path: String, FormatError)
    /// A valid variant of the format that this version does not handle, or one too large to hold.
    case unsupportedVariant(path: String, FormatError)
    /// The format's signature cannot cover its content yet.
    case signingUnsupported(path: String, format: Carrier)
    /// The decoder could not turn the file into samples or pixels; `reason` says why, in a sentence.
    case cannotDecode(path: String, reason: String)
    /// The encoder could not write the changed samples or pixels.
    case cannotEncode(path: String, reason: String)
    /// A CMYK or YCCK JPEG (print separations): captions and marks are drawn on RGB and grey only.
    case cmykJPEG(path: String)

    // MARK: The label

    /// The label to write breaks rules of GB 45438 Annex E.
    case invalidLabel([LabelProblem])
    /// The file carries a label from another producer, which is never replaced (Measures Art. 10).
    case anotherProducersLabel(path: String, producer: String)
    /// The file carries propagation fields from another platform, which are never replaced.
    case anotherPlatformsFields(path: String, propagator: String)
    /// The file's label sites disagree, so which producer label to keep is unclear.
    case sitesDisagree(path: String)
    /// The producer label a platform would add to is not valid, and a platform cannot change it.
    case invalidProducerLabel(path: String, problems: [LabelProblem])
    /// A platform met a file with no label: whether it was declared or suspected must be said.
    case unlabelledNeedsDeclaration(path: String)
    /// The file carries a C2PA manifest whose signature any edit breaks; labelling must be allowed to break it.
    case carriesC2PA(path: String, manifest: String)
    /// The destination is the original file, and replacing originals was not allowed.
    case destinationIsOriginal(path: String)

    // MARK: Explicit labels

    /// The words of a caption or notice do not qualify as a prompt (GB 45438 4.1).
    case invalidWording(String)
    /// The caption font has no glyph for these characters.
    case fontLacksGlyphs(path: String, characters: String)
    /// The font could not be read or loaded.
    case unusableFont(path: String, reason: String)
    /// The font draws nothing for the caption's text.
    case captionDrawsNothing(path: String, text: String)
    /// The image, as displayed, is smaller than a legible caption needs.
    case imageTooSmallForCaption(path: String, width: Int, height: Int, neededWidth: Int, neededHeight: Int, text: String)
    /// Text in an encoding other than UTF-8 and GB18030, so a notice cannot be written in it.
    case unknownTextEncoding(path: String)
    /// The notice's characters cannot be written in the text's encoding.
    case noticeNotEncodable(path: String, notice: String, encoding: String)

    // MARK: Watermarks

    /// Not a format the watermark is written into or read from.
    case watermarkUnsupported(path: String, format: Carrier)
    /// The image, as displayed, is smaller than the watermark needs.
    case imageTooSmallForWatermark(path: String, width: Int, height: Int, minimum: Int)
    /// The audio watermark's signal-to-noise ratio is outside what it is made for.
    case watermarkSNROutOfRange(path: String, snr: Double, allowed: ClosedRange<Double>)
    /// The file already carries a mark under this key for another label; a second would garble it.
    case markedForAnotherLabel(path: String, payload: String)
    /// The file is not a watermark key.
    case notAWatermarkKey(path: String)

    // MARK: Signing keys

    /// The file is not an SM2 or Ed25519 key of the kind expected, or libcrypto cannot load it.
    case notAKey(path: String, isPrivate: Bool, reason: String)
    /// A private key reached through a symbolic link.
    case keyThroughSymbolicLink(path: String)
    /// A private key that others can read (`mode` in octal): a key anyone can read signs for anyone.
    case keyReadableByOthers(path: String, mode: UInt32)
    /// Far larger than any key file.
    case keyFileTooLarge(path: String)
    /// libcrypto failed to sign with the key named by `keyID`.
    case signingFailed(keyID: String)

    /// A format problem found in the file at `path`: damage (truncated, corrupt, a bad
    /// checksum) or a variant the tool does not handle (unsupported, too large).
    init(_ error: FormatError, path: String) {
        switch error.kind {
        case .truncated, .corrupt, .checksum: self = .damaged(path: path, error)
        case .unsupported, .tooLarge: self = .unsupportedVariant(path: path, error)
        }
    }

    /// The file the error is about; nil for errors about the request itself.
    public var path: String? {
        switch self {
        case .cannotRead(let path, _), .cannotWrite(let path, _), .notARegularFile(let path, _), .symbolicLink(let path),
            .tooLargeToDecode(let path, _), .emptyFile(let path), .unrecognisedFormat(let path), .readOnlyFormat(let path, _),
            .noMetadataSite(let path), .damaged(let path, _), .unsupportedVariant(let path, _), .signingUnsupported(let path, _),
            .cannotDecode(let path, _), .cannotEncode(let path, _), .cmykJPEG(let path), .anotherProducersLabel(let path, _),
            .anotherPlatformsFields(let path, _), .sitesDisagree(let path), .invalidProducerLabel(let path, _),
            .unlabelledNeedsDeclaration(let path), .carriesC2PA(let path, _), .destinationIsOriginal(let path),
            .fontLacksGlyphs(let path, _), .unusableFont(let path, _), .captionDrawsNothing(let path, _),
            .imageTooSmallForCaption(let path, _, _, _, _, _), .unknownTextEncoding(let path), .noticeNotEncodable(let path, _, _),
            .watermarkUnsupported(let path, _), .imageTooSmallForWatermark(let path, _, _, _), .watermarkSNROutOfRange(let path, _, _),
            .markedForAnotherLabel(let path, _), .notAWatermarkKey(let path), .notAKey(let path, _, _),
            .keyThroughSymbolicLink(let path), .keyReadableByOthers(let path, _), .keyFileTooLarge(let path):
            path
        case .invalidLabel, .invalidWording, .signingFailed: nil
        }
    }

    /// Whether the file could not be labelled because of what it is (its format or contents)
    /// rather than because something failed: a batch skips such files instead of failing.
    public var isUnsupportedFile: Bool {
        switch self {
        case .emptyFile, .unrecognisedFormat, .readOnlyFormat, .noMetadataSite: true
        default: false
        }
    }

    /// What went wrong, without the path: for messages that already name the file.
    public var reason: String {
        switch self {
        case .cannotRead(_, let reason): "cannot read: \(reason)"
        case .cannotWrite(_, let reason): "cannot write: \(reason); the original is unchanged"
        case .notARegularFile(_, let kind): "\(kind); only regular files are read"
        case .symbolicLink: "it is a symbolic link; label its target instead"
        case .tooLargeToDecode(_, let limit): "it is larger than \(Self.bytes(limit)), the most SynthLabel decodes in memory"
        case .emptyFile: "the file is empty (0 bytes)"
        case .unrecognisedFormat:
            "not a format SynthLabel reads (\(Carrier.allCases.map(\.displayName).joined(separator: ", ")))"
        case .readOnlyFormat(_, let format):
            "SynthLabel reads and verifies labels in \(format.displayName) files but does not write them yet"
        case .noMetadataSite:
            "plain text has no metadata to hold a label"
        case .damaged(_, let error): "damaged file: \(error); not labelled"
        case .unsupportedVariant(_, let error): "not supported: \(error)"
        case .signingUnsupported(_, let format): "signing \(format.displayName) files is not supported yet"
        case .cannotDecode(_, let reason): reason
        case .cannotEncode(_, let reason): "the changed file could not be encoded: \(reason)"
        case .cmykJPEG: "it is a CMYK JPEG (print separations); captions and marks are drawn on RGB and grey JPEGs only"
        case .invalidLabel(let problems): "invalid label: " + problems.map(\.description).joined(separator: "; ")
        case .anotherProducersLabel(_, let producer):
            "it already carries a label from producer \(producer); SynthLabel never replaces another producer's label (Measures Art. 10)"
        case .anotherPlatformsFields(_, let propagator):
            "it already carries propagation fields of \(propagator); SynthLabel never replaces another platform's fields"
        case .sitesDisagree: "its label sites disagree, so which producer label to keep is unclear; resolve that first"
        case .invalidProducerLabel(_, let problems):
            "its producer label is not valid (\(problems.map(\.description).joined(separator: "; "))); a platform cannot change producer fields"
        case .unlabelledNeedsDeclaration:
            "it carries no label; say whether the uploader declared it AI-generated (Label \"2\") or traces were found (Label \"3\")"
        case .carriesC2PA(_, let manifest):
            "it carries a C2PA manifest (\(manifest)) whose signature any edit invalidates; not labelled unless that is allowed"
        case .destinationIsOriginal: "the destination is the original file; label in place to replace originals"
        case .invalidWording(let problem): problem
        case .fontLacksGlyphs(_, let characters): "the caption font has no glyph for \(characters)"
        case .unusableFont(_, let reason): "not a usable font: \(reason)"
        case .captionDrawsNothing(_, let text): "the font draws nothing for the caption \"\(text)\""
        case .imageTooSmallForCaption(_, let width, let height, let neededWidth, let neededHeight, let text):
            "the image (\(width)×\(height) as displayed) is too small for a legible caption: \"\(text)\" needs "
                + "\(neededWidth)×\(neededHeight) px; use a shorter caption or label a larger rendition"
        case .unknownTextEncoding: "it is neither UTF-8 nor GB18030 text, so a notice cannot be written in its encoding"
        case .noticeNotEncodable(_, let notice, let encoding): "the notice \"\(notice)\" cannot be written in \(encoding)"
        case .watermarkUnsupported(_, let format): "the watermark is not written into or read from \(format.displayName) files"
        case .imageTooSmallForWatermark(_, let width, let height, let minimum):
            "it is \(width)×\(height); the watermark needs at least \(minimum) px on the short side"
        case .watermarkSNROutOfRange(_, let snr, let allowed):
            "the audio watermark's SNR must be \(allowed.lowerBound)–\(allowed.upperBound) dB, not \(snr)"
        case .markedForAnotherLabel(_, let payload):
            "it already carries a watermark under this key for another label (payload \(payload)); a second mark would garble the first"
        case .notAWatermarkKey: "not a watermark key"
        case .notAKey(_, let isPrivate, let reason): "not a usable \(isPrivate ? "private" : "public") key: \(reason)"
        case .keyThroughSymbolicLink: "a private key must not be reached through a symbolic link; give the key file itself"
        case .keyReadableByOthers(let path, let mode):
            "the private key is readable by others (mode \(String(mode, radix: 8))); run chmod 600 \(path) to use it"
        case .keyFileTooLarge: "too large to be a key file"
        case .signingFailed(let keyID): "libcrypto could not sign with key \(keyID)"
        }
    }

    /// The error in words for a person, naming the file.
    public var description: String {
        guard let path else { return reason }
        return "\(path): \(reason)"
    }

    private static func bytes(_ count: Int) -> String {
        count >= 1 << 30 && count % (1 << 30) == 0 ? "\(count >> 30) GiB" : "\(count) bytes"
    }
}
