import ArgumentParser
import SynthLabel

/// `--watermark-key PATH`, shared by `label`, `verify` and `scan`.
struct WatermarkKeyOption: ParsableArguments {
    @Option(
        name: .customLong("watermark-key"),
        help: ArgumentHelp(
            "The secret watermark key (from 'keys generate --algorithm watermark') that chooses the invisible mark's pattern.",
            valueName: "key"))
    var path: String?

    /// The key, read once for the whole run.
    func load() throws -> WatermarkKey? {
        guard let path else { return nil }
        do { return try WatermarkKey(contentsOf: path) } catch { throw ValidationError("--watermark-key: \(error.message)") }
    }
}
