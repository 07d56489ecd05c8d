import Glibc

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
    /// With `mayReplaceOriginal` false, a destination that is the original file under another
    /// name is refused, so a copy-making caller can never overwrite its input.
    @discardableResult
    public func label(
        fileAt path: String, with label: AIGCLabel, writingTo destination: String,
        mayReplaceOriginal: Bool = true, dryRun: Bool = false
    ) throws(SynthLabelError) -> LabelOutcome {
        let prepared = try prepare(
            fileAt: path, with: label, writingTo: destination,
            mayReplaceOriginal: mayReplaceOriginal, dryRun: dryRun, flushNow: true)
        try Self.commit(prepared)
        return prepared.outcome
    }

    /// The first half of `label`: checks, plans and writes the labelled file beside its
    /// destination, but does not rename it into place yet.
    ///
    /// Bulk callers prepare many files, then `commit(_:)` them together, so the files that
    /// replace originals reach the disk with one filesystem sync instead of one per file.
    public func prepare(
        fileAt path: String, with label: AIGCLabel, writingTo destination: String,
        mayReplaceOriginal: Bool = true, dryRun: Bool = false
    ) throws(SynthLabelError) -> PreparedLabel {
        try prepare(
            fileAt: path, with: label, writingTo: destination, mayReplaceOriginal: mayReplaceOriginal, dryRun: dryRun, flushNow: false)
    }

    /// Forces prepared files to disk where they replace originals, then renames each into
    /// place, in order. Returns one result per file; a failed file leaves its destination as it was.
    public static func commit(_ batch: [PreparedLabel]) -> [Result<LabelOutcome, SynthLabelError>] {
        let staged = batch.compactMap(\.staged)
        let flushed = FileSink.flush(staged)
        return batch.map { prepared in
            Result { () throws(SynthLabelError) in
                if let file = prepared.staged, file.needsFlush && !file.isFlushed && !flushed {
                    FileSink.discard(file)
                    throw .cannotWrite(path: file.destination, reason: "could not force the new file to disk")
                }
                try commit(prepared)
                return prepared.outcome
            }
        }
    }

    private static func commit(_ prepared: PreparedLabel) throws(SynthLabelError) {
        if let staged = prepared.staged { try FileSink.commit(staged) }
    }

    private func prepare(
        fileAt path: String, with label: AIGCLabel, writingTo destination: String,
        mayReplaceOriginal: Bool, dryRun: Bool, flushNow: Bool
    ) throws(SynthLabelError) -> PreparedLabel {
        let problems = label.validationProblems()
        guard problems.isEmpty else { throw .invalidLabel(problems.map(\.description)) }

        let file = try FileSource(path: path, followingSymlinks: destination != path)
        let carrier = try Inspection.carrier(of: file)
        let adapter = carrier.adapter
        let reading: CarrierReading
        do { reading = try adapter.read(file) } catch { throw Self.mapped(error, path: path) }
        if let damage = reading.damage.first { throw .damaged(path: path, damage) }
        if let manifest = reading.c2paManifest, !allowBreakingC2PA {
            throw .refused(
                path: path,
                reason:
                    "it carries a C2PA manifest (\(manifest)) whose signature any edit invalidates; pass --break-c2pa to label it anyway")
        }

        var finalLabel = label
        let existing = reading.sites.compactMap { try? $0.parsed.get().label }
        if let foreign = existing.first(where: { $0.contentProducer != nil && $0.contentProducer != label.contentProducer }) {
            throw .refused(
                path: path,
                reason:
                    "it already carries a label from producer \(foreign.contentProducer!); SynthLabel never replaces another producer's label (Measures Art. 10)"
            )
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
        let replacesOriginal = destination == path || Self.sameFile(path, destination)
        if replacesOriginal && !mayReplaceOriginal {
            throw .refused(path: path, reason: "the destination \(destination) is the original file; label in place to replace originals")
        }
        let staged =
            dryRun ? nil : try FileSink.stage(plan, from: file, to: destination, replacesOriginal: replacesOriginal, flushNow: flushNow)
        return PreparedLabel(
            outcome: LabelOutcome(
                carrier: carrier, destination: destination, label: finalLabel, replacedSites: reading.sites.count, size: plan.outputSize),
            staged: staged)
    }

    /// Whether two paths name the same existing file (so a write to one replaces the other).
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat()
        var b = stat()
        return stat(first, &a) == 0 && stat(second, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    static func mapped(_ error: FormatError, path: String) -> SynthLabelError {
        switch error.kind {
        case .truncated, .corrupt: .damaged(path: path, error)
        case .unsupported, .tooLarge: .refused(path: path, reason: error.description)
        }
    }
}

/// A labelled file written beside its destination, waiting for `Labeller.commit(_:)`.
/// Dropping it without committing leaves a temporary file (suffix `.synthlabel-tmp`).
public struct PreparedLabel: Sendable {
    public let outcome: LabelOutcome
    let staged: FileSink.Staged?
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
