import Dispatch
import Glibc
import Synchronization

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
    /// Explicit labels to add (caption, audio prompt, text notice); nil writes metadata only.
    public var explicit: ExplicitLabel?
    /// Plain text has no metadata; with this set the label is hidden in it as invisible
    /// variation selectors (fragile: see `InvisibleTextLabel`).
    public var invisibleTextLabel: Bool
    /// Signs the label: a producer's into `ReservedCode1`, a platform's step into `ReservedCode2`.
    public var signingKey: SigningKey?
    /// How the signature is written: the TC260 guide's `SecurityData` object (the default), or
    /// SynthLabel's older `SL1` record.
    public var signatureFormat: SignatureFormat
    /// Embeds the invisible watermark (images and audio) under this key, its payload tied to the
    /// label's producer and ProduceID.
    public var watermarkKey: WatermarkKey?
    /// The SNR, in dB, the audio mark is made at (`audioWatermarkSNRRange`): lower is stronger,
    /// for channels that transcode harder; higher is fainter and reads back less often. Images
    /// keep their own strength.
    public var audioWatermarkSNR: Double

    /// The audio mark's SNR unless asked otherwise, and the SNRs it can be made at, in dB.
    public static let defaultAudioWatermarkSNR = AudioMarkEmbedder.defaultSNR
    /// The SNRs the audio mark can be made at, in dB.
    public static let audioWatermarkSNRRange = AudioMarkEmbedder.snrRange

    /// A labeller: the IPTC source type written beside the label, whether a C2PA manifest may be broken, the explicit label to add, whether plain text gets the hidden label, the keys that sign (and in which form) and watermark (nil: none).
    public init(
        sourceType: DigitalSourceType = .trainedAlgorithmicMedia, allowBreakingC2PA: Bool = false, explicit: ExplicitLabel? = nil,
        invisibleTextLabel: Bool = false, signingKey: SigningKey? = nil, signatureFormat: SignatureFormat = .securityData,
        watermarkKey: WatermarkKey? = nil, audioWatermarkSNR: Double = Labeller.defaultAudioWatermarkSNR
    ) {
        self.signatureFormat = signatureFormat
        self.watermarkKey = watermarkKey
        self.audioWatermarkSNR = audioWatermarkSNR
        self.sourceType = sourceType
        self.allowBreakingC2PA = allowBreakingC2PA
        self.explicit = explicit
        self.invisibleTextLabel = invisibleTextLabel
        self.signingKey = signingKey
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
        try self.label(
            fileAt: path, request: .produce(label), writingTo: destination, mayReplaceOriginal: mayReplaceOriginal, dryRun: dryRun)
    }

    /// As `label(fileAt:with:…)`, for a producer's label or a platform's propagation step.
    @discardableResult
    public func label(
        fileAt path: String, request: LabelRequest, writingTo destination: String,
        mayReplaceOriginal: Bool = true, dryRun: Bool = false
    ) throws(SynthLabelError) -> LabelOutcome {
        let planned = try plan(fileAt: path, request: request, writingTo: destination, mayReplaceOriginal: mayReplaceOriginal)
        if dryRun { return planned.outcome }
        let staged = try FileSink.stage(
            planned.edits, from: planned.file, to: destination, replacing: planned.replacesOriginal ? planned.original : nil,
            flushNow: true)
        try FileSink.commit(staged)
        return planned.outcome
    }

    /// The first half of `label`: reads the file, checks the policy and plans the edit,
    /// writing nothing. Safe to call from many threads at once.
    ///
    /// Bulk callers plan files in parallel, then hand batches to `write(_:)`, which writes
    /// them one after another (parallel creates in one folder only fight over its lock) and
    /// makes those that replace originals durable with one filesystem sync per batch.
    public func plan(
        fileAt path: String, with label: AIGCLabel, writingTo destination: String, mayReplaceOriginal: Bool = true
    ) throws(SynthLabelError) -> PlannedLabel {
        try plan(fileAt: path, request: .produce(label), writingTo: destination, mayReplaceOriginal: mayReplaceOriginal)
    }

    /// Plans a producer's label or a platform's propagation step; see `LabelRequest`.
    public func plan(
        fileAt path: String, request: LabelRequest, writingTo destination: String, mayReplaceOriginal: Bool = true
    ) throws(SynthLabelError) -> PlannedLabel {
        if case .produce(let label) = request {
            let problems = label.validationProblems()
            guard problems.isEmpty else { throw .invalidLabel(problems) }
        }

        let file = try FileSource(path: path, followingSymlinks: destination != path)
        let carrier = try Inspection.carrier(of: file)
        guard carrier.isWritable else {
            throw .readOnlyFormat(path: path, format: carrier)
        }
        let adapter = carrier.adapter
        let reading: CarrierReading
        do { reading = try adapter.read(file) } catch { throw SynthLabelError(error, path: path) }
        if let damage = reading.damage.first { throw .damaged(path: path, damage) }
        if let manifest = reading.c2paManifest, !allowBreakingC2PA {
            throw .carriesC2PA(path: path, manifest: manifest)
        }

        let existing = reading.sites.compactMap { try? $0.parsed.get().label }
        var finalLabel = try request.resolve(existing: existing, path: path)

        // The explicit step, if asked for, produces a new file (in memory; audio in a temporary
        // file); the implicit label is then planned on top of it exactly as on an original.
        var source = file
        var caption: CaptionRecord?
        var explicitSummary: String?
        if let explicit {
            if let result = try explicit.apply(to: file, carrier: carrier, reading: reading, path: path) {
                explicitSummary = result.summary
                if let changed = result.file {
                    source = changed
                    caption = result.caption
                }
            } else {
                explicitSummary = "no explicit label is drawn into \(carrier.displayName) files yet"
            }
        } else if carrier == .text && !invisibleTextLabel {
            throw .noMetadataSite(path: path)
        }

        // The watermark goes into the pixels or samples as they will be shown or heard, caption
        // or prompt included.
        var watermark: String?
        var watermarkNote: String?
        if let watermarkKey {
            let marked: (FileSource, payload: String)?
            if ImageWatermarker.carriers.contains(carrier) {
                marked = try ImageWatermarker.mark(
                    source, carrier: carrier, for: finalLabel, key: watermarkKey, jpegQuality: explicit?.jpegQuality, path: path)
            } else if AudioWatermarker.carriers.contains(carrier) {
                guard Self.audioWatermarkSNRRange.contains(audioWatermarkSNR) else {
                    throw .watermarkSNROutOfRange(path: path, snr: audioWatermarkSNR, allowed: Self.audioWatermarkSNRRange)
                }
                marked = try AudioWatermarker.mark(
                    source, carrier: carrier, for: finalLabel, key: watermarkKey, snr: audioWatermarkSNR, path: path)
            } else {
                marked = nil
            }
            if let marked {
                (source, watermark) = marked
            } else {
                watermarkNote = Self.unmarkedReason(carrier)
            }
        }

        var writeRequest = WriteRequest(label: finalLabel, sourceType: sourceType, caption: caption, invisibleText: invisibleTextLabel)
        if let signingKey {
            let field: AIGCLabel.Field = if case .propagate = request { .reservedCode2 } else { .reservedCode1 }
            writeRequest.label = try Self.signed(
                writeRequest, field: field, key: signingKey, format: signatureFormat, adapter: adapter, source: source, path: path)
            finalLabel = writeRequest.label
        }
        let plan: EditPlan
        do { plan = try adapter.plan(writeRequest, for: source) } catch {
            throw SynthLabelError(error, path: path)
        }
        let replacesOriginal = destination == path || Self.sameFile(path, destination)
        if replacesOriginal && !mayReplaceOriginal {
            throw .destinationIsOriginal(path: destination)
        }
        return PlannedLabel(
            outcome: LabelOutcome(
                carrier: carrier, destination: destination, label: finalLabel, replacedSites: reading.sites.count,
                size: plan.outputSize, explicit: explicitSummary, watermark: watermark, watermarkNote: watermarkNote,
                otherNames: replacesOriginal ? file.linkCount - 1 : 0),
            original: file, file: source, edits: plan, replacesOriginal: replacesOriginal)
    }

    /// Writes planned files to temporary files, forces those that replace originals to disk
    /// with one sync, then renames each into place, in order. One result per file; a file
    /// that fails leaves its destination as it was.
    ///
    /// `beforeRenaming` is called once, after every file is complete on disk and before the
    /// first rename, with the positions in `batch` of the files about to be renamed: where a
    /// caller records the acts, so no file is ever in place without its record. If it returns
    /// an error, nothing is renamed and those files fail with it.
    ///
    /// `digesting` lists the positions of the files whose SHA-256 before and after are taken as
    /// they are written (`FileDigests`; with the original's digest when the caller has it):
    /// `beforeRenaming` gets them, and so do the outcomes.
    public static func write(
        _ batch: [PlannedLabel], digesting: [Int: String?] = [:],
        beforeRenaming: (_ ready: [Int], _ digests: [Int: FileDigests]) -> SynthLabelError? = { _, _ in nil }
    ) -> [Result<LabelOutcome, SynthLabelError>] {
        var staged = batch.enumerated().map { index, planned in
            Result { () throws(SynthLabelError) in
                try FileSink.stage(
                    planned.edits, from: planned.file, to: planned.outcome.destination,
                    replacing: planned.replacesOriginal ? planned.original : nil, flushNow: false,
                    digesting: digesting[index].map { (planned.original, $0) })
            }
        }
        let flushed = FileSink.flush(staged.compactMap { try? $0.get() })
        for index in staged.indices {
            guard case .success(let file) = staged[index], file.needsFlush && !flushed else { continue }
            FileSink.discard(file)
            staged[index] = .failure(.cannotWrite(path: file.destination, reason: "could not force the new file to disk"))
        }
        let ready = staged.indices.filter { (try? staged[$0].get()) != nil }
        var digests: [Int: FileDigests] = [:]
        for index in ready { digests[index] = try? staged[index].get().digests }
        if let refusal = beforeRenaming(ready, digests) {
            for index in ready {
                if case .success(let file) = staged[index] { FileSink.discard(file) }
                staged[index] = .failure(refusal)
            }
        }
        return zip(batch, staged).map { planned, staged in
            Result { () throws(SynthLabelError) in
                let file = try staged.get()
                try FileSink.commit(file)
                var outcome = planned.outcome
                outcome.digests = file.digests
                return outcome
            }
        }
    }

    /// Deletes temporary files in `folder` left by labelling processes of this host that no
    /// longer run (killed mid-write); another host's or a live process's are left alone.
    /// Returns how many were removed.
    @discardableResult
    public static func removeStaleTemporaryFiles(in folder: String) -> Int {
        FileSink.removeStaleTemporaryFiles(in: folder)
    }

    /// The label with a signature record in `field`: laid out once with a placeholder record of
    /// the final length, hashed as that layout (never written), then signed.
    static func signed(
        _ request: WriteRequest, field: AIGCLabel.Field, key: SigningKey, format: SignatureFormat, adapter: any CarrierAdapter,
        source: FileSource, path: String
    ) throws(SynthLabelError) -> AIGCLabel {
        /// The digest of the bytes the label does not own, in the file laid out with `value`.
        func contentDigest(laidOutWith value: String) throws(SynthLabelError) -> [UInt8] {
            var draft = request
            draft.label[field] = value
            let layout: FileSource
            let owned: [Range<Int>]
            do throws(FormatError) {
                layout = FileSource(plan: try adapter.plan(draft, for: source), over: source)
                owned = try adapter.read(layout).ownedRanges
            } catch { throw SynthLabelError(error, path: path) }
            guard !owned.isEmpty else { throw .signingUnsupported(path: path, format: adapter.carrier) }
            do { return try ContentDigest.compute(layout, excluding: owned, algorithm: key.algorithm.digest) } catch {
                throw SynthLabelError(error, path: path)
            }
        }
        var label = request.label
        switch format {
        case .sl1:
            // Every record of an algorithm has one length, so a placeholder lays the file out.
            let digest = try contentDigest(laidOutWith: SignatureRecord.placeholder(for: key).serialized)
            label[field] = try SignatureRecord.sign(fields: label.signedFields(for: field), contentDigest: digest, with: key).serialized
        case .securityData:
            // SM2 signatures vary in length. A large file is signed again until they have the
            // length the placeholder assumed (re-hashing it would cost more); a small one is signed
            // once and, if the value came out longer or shorter, laid out and hashed again: the
            // bytes the label does not own rarely depend on its length, and then nothing more is
            // signed.
            let fixedLength = source.size > Self.signAgainAbove
            let placeholder = try SecurityData.signed(
                request.label, field: field, contentDigest: [UInt8](repeating: 0, count: 32), key: key, fixedLength: true, placeholder: true
            )
            var laidOut = placeholder.serialized
            var digest = try contentDigest(laidOutWith: laidOut)
            for _ in 0..<16 {
                let value = try SecurityData.signed(request.label, field: field, contentDigest: digest, key: key, fixedLength: fixedLength)
                label[field] = value.serialized
                if value.serialized.count == laidOut.count { return label }
                laidOut = value.serialized
                let again = try contentDigest(laidOutWith: laidOut)
                if again == digest { return label }
                digest = again
            }
            throw .signingFailed(keyID: key.keyID)
        }
        return label
    }

    /// Files above this size are signed again rather than hashed again (see `signed`).
    static let signAgainAbove = 16 << 20

    /// Why a file asked to be watermarked is labelled without the mark.
    static func unmarkedReason(_ carrier: Carrier) -> String {
        switch carrier {
        case _ where ImageWatermarker.carriers.contains(carrier):
            "the mark did not read back from the marked image tied to it (too little of it is opaque, or too flat, to hold it)"
        case _ where AudioWatermarker.carriers.contains(carrier):
            "the mark did not read back from the marked audio tied to it (too short, silent, noise-like or too steady to hold it; about 10 s of sound whose level moves is needed)"
        case .webp: "WebP images are not watermarked yet (PNG and JPEG are)"
        case _ where carrier.profile.kind == .video:
            "video frames are not watermarked yet (the frame mark is a later step); the metadata label is written without it"
        default: "\(carrier.displayName) files take no watermark (it is for images and audio)"
        }
    }

    /// Whether two paths name the same existing file (so a write to one replaces the other).
    static func sameFile(_ first: String, _ second: String) -> Bool {
        guard let a = FileSystem.stat(first), let b = FileSystem.stat(second) else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}

/// A file checked and planned for labelling, nothing written yet; `Labeller.write(_:)` writes it.
public struct PlannedLabel: Sendable {
    /// What writing it will do.
    public let outcome: LabelOutcome
    /// The file as read; `file` differs when an explicit label was drawn first.
    let original: FileSource
    let file: FileSource
    let edits: EditPlan
    let replacesOriginal: Bool
}

extension PlannedLabel {
    /// SHA-256 of the file as it was read and of the file writing it will produce, when both
    /// are in memory (a small file: hashing it costs no reading, and runs wherever the caller
    /// plans, on every core); nil for a larger file, whose digests `Labeller.write` takes as it
    /// writes it. `before`, when the caller already hashed the original, is used as is.
    public func digestsInMemory(before known: String? = nil) throws(SynthLabelError) -> FileDigests? {
        guard file.isInMemory, original.isInMemory else { return nil }
        return FileDigests(
            before: try FileDigest.sha256(of: original, unlessKnown: known),
            after: try FileDigest.sha256(of: FileSource(plan: edits, over: file)))
    }
}

/// What labelling one file did.
public struct LabelOutcome: Sendable {
    /// The file's format.
    public var carrier: Carrier
    /// Where the labelled file is (or would be) written.
    public var destination: String
    /// The label as written (with any propagation fields carried over).
    public var label: AIGCLabel
    /// How many label sites the file had before; all were replaced by one.
    public var replacedSites: Int
    /// Size of the labelled file in bytes.
    public var size: Int
    /// What the explicit step did (drew a caption, found one already there, …), when asked for.
    public var explicit: String?
    /// The watermark payload (hex) the image carries, when one was asked for and embedded.
    public var watermark: String?
    /// Why a watermark that was asked for is not in the file (nil when it is, or was not asked for).
    public var watermarkNote: String?
    /// SHA-256 of the file before and after, when `Labeller.write` was asked to take them.
    public var digests: FileDigests?
    /// Other hard links of a file labelled in place: the rename replaced one name, and the
    /// others still hold the original.
    public var otherNames: Int = 0
}
