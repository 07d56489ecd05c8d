/// Writes the Annex E label into files, losslessly, one label per file.
///
/// The policy lives here, not in the adapters: a label is validated before anything is
/// written, another producer's label is never replaced (Measures Art. 10), a platform's
/// propagation fields survive a producer relabelling its own file, and a C2PA manifest is
/// not broken unless the caller says so.
public struct Labeller: Sendable {
    /// The IPTC source type written beside XMP labels.
    public var sourceType: DigitalSourceType
    /// Editing a file invalidates a C2PA hard binding; refuse unless this is set.
    public var allowBreakingC2PA: Bool

    public init(sourceType: DigitalSourceType = .trainedAlgorithmicMedia, allowBreakingC2PA: Bool = false) {
        self.sourceType = sourceType
        self.allowBreakingC2PA = allowBreakingC2PA
    }

    /// Labels the file at `path`, writing the result to `destination` (the same path to
    /// replace the original). The destination only ever changes by an atomic rename.
    @discardableResult
    public func label(
        fileAt path: String, with label: AIGCLabel, writingTo destination: String, dryRun: Bool = false
    ) throws(SynthLabelError) -> LabelOutcome {
        let problems = label.validationProblems()
        guard problems.isEmpty else { throw .invalidLabel(problems.map(\.description)) }

        let file = try FileSource(path: path)
        let carrier = try Inspection.carrier(of: file)
        let adapter = carrier.adapter
        let reading: CarrierReading
        do { reading = try adapter.read(file) } catch { throw Self.mapped(error, path: path) }
        if let damage = reading.damage.first { throw .damaged(path: path, damage) }
        if let manifest = reading.c2paManifest, !allowBreakingC2PA {
            throw .refused(path: path, reason: "it carries a C2PA manifest (\(manifest)) whose signature any edit invalidates; pass --break-c2pa to label it anyway")
        }

        var finalLabel = label
        let existing = reading.sites.compactMap { try? $0.parsed.get().label }
        if let foreign = existing.first(where: { $0.contentProducer != nil && $0.contentProducer != label.contentProducer }) {
            throw .refused(path: path, reason: "it already carries a label from producer \(foreign.contentProducer!); SynthLabel never replaces another producer's label (Measures Art. 10)")
        }
        if let previous = existing.first {
            for field in [AIGCLabel.Field.contentPropagator, .propagateID, .reservedCode2] where finalLabel[field] == nil {
                finalLabel[field] = previous[field]
            }
        }

        let plan: EditPlan
        do { plan = try adapter.plan(WriteRequest(label: finalLabel, sourceType: sourceType), for: file) } catch {
            throw Self.mapped(error, path: path)
        }
        if !dryRun {
            try FileSink.write(plan, from: file, to: destination)
        }
        return LabelOutcome(
            carrier: carrier, destination: destination, label: finalLabel,
            replacedSites: reading.sites.count, size: plan.outputSize)
    }

    static func mapped(_ error: FormatError, path: String) -> SynthLabelError {
        switch error.kind {
        case .truncated, .corrupt: .damaged(path: path, error)
        case .unsupported, .tooLarge: .refused(path: path, reason: error.description)
        }
    }
}

/// What labelling one file did.
public struct LabelOutcome: Sendable {
    public var carrier: Carrier
    public var destination: String
    /// The label as written (with any propagation fields carried over).
    public var label: AIGCLabel
    /// How many label sites the file had before; all were replaced by one.
    public var replacedSites: Int
    /// Size of the labelled file in bytes.
    public var size: Int
}
