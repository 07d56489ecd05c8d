/// What looking for a mark (in an image or in audio) found.
public struct WatermarkDetection: Sendable, Equatable {
    /// True only when a payload decoded with a valid check.
    public var present: Bool
    /// The 64-bit payload, when present: a keyed hash of the label's producer and ProduceID.
    public var payload: UInt64?
    /// Near 1 when present (1 − the false-positive bound); when absent, below 0.5: how much of
    /// a sync pattern was seen without a readable payload.
    public var confidence: Double
    /// The resize an image detector saw (new size over marked size, per axis), when present.
    public var scale: (x: Double, y: Double)?
    /// Decoding attempts made (each may match by chance with probability 2⁻³²).
    public var attempts: Int
    /// Whether the mark found was made for this content (see `WatermarkBinding`); nil when
    /// no mark was found.
    public var binding: WatermarkBinding?

    /// A detection result with every field given.
    public init(
        present: Bool, payload: UInt64?, confidence: Double, scale: (x: Double, y: Double)? = nil, attempts: Int,
        binding: WatermarkBinding? = nil
    ) {
        self.present = present
        self.payload = payload
        self.confidence = confidence
        self.scale = scale
        self.attempts = attempts
        self.binding = binding
    }

    /// The payload as 16 lowercase hex digits.
    public var payloadHex: String? { payload.map(Self.hex) }

    /// A payload as 16 lowercase hex digits, as `ledger find --watermark` takes it.
    public static func hex(_ payload: UInt64) -> String {
        Array((0..<8).map { UInt8(truncatingIfNeeded: payload >> (56 - 8 * $0)) }).hex
    }

    /// Same presence and payload (the confidence and attempts may differ).
    public static func == (a: Self, b: Self) -> Bool { a.present == b.present && a.payload == b.payload }

    /// Whether the mark found is exactly this payload's: what marking checks by reading back.
    func carries(_ payload: UInt64) -> Bool { present && self.payload == payload }

    /// Before marking with `payload`: true when the file already carries that very mark; an
    /// error when it carries a mark under this key for another label, because a second mark
    /// would garble the first, whose record must stay findable.
    func alreadyCarries(_ payload: UInt64, path: String) throws(SynthLabelError) -> Bool {
        guard present else { return false }
        guard self.payload == payload else {
            throw .markedForAnotherLabel(path: path, payload: payloadHex ?? "")
        }
        return true
    }
}

extension Carrier {
    /// Whether `label --watermark` marks this format's pixels or samples.
    public var takesWatermark: Bool { profile.watermark }
}

/// Whether a mark found belongs to the content it is in: the correlation of the mark's
/// content-bound layer with the content (`ImageBinding`), as a z-score, against what a mark made
/// for this content would give.
public struct WatermarkBinding: Sendable, Equatable {
    /// What the content-bound layer says.
    public enum Verdict: String, Sendable {
        /// The mark was made for this content.
        case confirmed
        /// The mark was made for other content and copied here: it attributes nothing.
        case copied
        /// The content-bound layer is too weak here to tell (a flat picture, or one degraded
        /// until the mark only just reads).
        case unconfirmed
    }

    /// The correlation as a z-score: a copied mark reaches z with probability below exp(−z²/2).
    public var score: Double
    /// About the score a mark made for this content would give, from its textured parts alone.
    public var expected: Double

    /// Tied from z 4 (a copy gets there with probability below 3.4e-4); copied only where a
    /// genuine mark would have shown plainly (8 from the textured parts alone) and z stays under
    /// 2; otherwise too little is left to tell.
    public var verdict: Verdict {
        if score >= Self.confirmedFrom { return .confirmed }
        if expected >= Self.decisiveFrom && score < Self.copiedBelow { return .copied }
        return .unconfirmed
    }

    static let confirmedFrom = 4.0
    static let copiedBelow = 2.0
    static let decisiveFrom = 8.0
}
