import SynthLabel

extension SynthLabelError {
    /// The library's words plus, where a flag gets past the error, which one: the library
    /// cannot name flags, since its callers have none.
    var message: String { description + hintSuffix }

    /// The reason without the path, with the hint: for lines that name the file already.
    var hintedReason: String { reason + hintSuffix }

    private var hintSuffix: String { hint.map { "; " + $0 } ?? "" }

    /// `message` in the command line's language, for lines people read (JSON keeps `message`).
    var messageForPeople: String {
        guard CLILanguage.current == .zh else { return message }
        return (path.map { $0 + "：" } ?? "") + reasonForPeople
    }

    /// `hintedReason` in the command line's language.
    var reasonForPeople: String {
        guard CLILanguage.current == .zh else { return hintedReason }
        return chineseReason + (chineseHint.map { "；" + $0 } ?? "")
    }

    /// What to pass to `label` or `propagate` to get past the error, when a flag can.
    var hint: String? {
        switch self {
        case .carriesC2PA: "pass --break-c2pa to label it anyway"
        case .unlabelledNeedsDeclaration:
            "pass --declared (the uploader declared it AI-generated: Label \"2\") or --suspected (traces found: Label \"3\")"
        case .noMetadataSite: "--explicit writes a notice, --invisible-text a hidden label"
        case .fontLacksGlyphs: "pass --font with a font that has them (e.g. Debian's fonts-noto-cjk)"
        case .imageTooSmallForCaption: "pass a shorter --explicit-text"
        case .destinationIsOriginal: "pass --in-place"
        case .notAWatermarkKey: "make one with 'synthlabel keys generate --algorithm watermark --out NAME'"
        case .watermarkSNROutOfRange: "choose --watermark-snr in that range"
        case .signingUnsupported: "label it without --sign"
        default: nil
        }
    }
}
