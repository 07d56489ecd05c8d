extension Labeller {
    /// `label(fileAt:with:writingTo:mayReplaceOriginal:dryRun:)` without blocking the caller's
    /// executor: the file work runs on SynthLabel's own threads (`BlockingWork`), safe to await
    /// from a server's request handler.
    public func label(
        fileAt path: String, with label: AIGCLabel, writingTo destination: String, mayReplaceOriginal: Bool = true,
        dryRun: Bool = false
    ) async throws(SynthLabelError) -> LabelOutcome {
        try await self.label(
            fileAt: path, request: .produce(label), writingTo: destination, mayReplaceOriginal: mayReplaceOriginal, dryRun: dryRun)
    }

    /// `label(fileAt:request:writingTo:mayReplaceOriginal:dryRun:)` (a producer's label or a
    /// platform's propagation) without blocking the caller's executor.
    public func label(
        fileAt path: String, request: LabelRequest, writingTo destination: String, mayReplaceOriginal: Bool = true,
        dryRun: Bool = false
    ) async throws(SynthLabelError) -> LabelOutcome {
        let labeller = self
        return try await BlockingWork.run { () throws(SynthLabelError) in
            try labeller.label(
                fileAt: path, request: request, writingTo: destination, mayReplaceOriginal: mayReplaceOriginal, dryRun: dryRun)
        }
    }
}
