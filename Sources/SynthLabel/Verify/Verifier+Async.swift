extension Verifier {
    /// `verify(fileAt:)` without blocking the caller's executor.
    public func verify(fileAt path: String) async throws(SynthLabelError) -> FileReport {
        let verifier = self
        return try await BlockingWork.run { () throws(SynthLabelError) in try verifier.verify(fileAt: path) }
    }
}
