import ArgumentParser
import SynthLabel

/// `--watermark-key PATH`, shared by `label`, `verify` and `scan`.
struct WatermarkKeyOption: ParsableArguments {
    @Option(
        name: .customLong("watermark-key"),
        help: ArgumentHelp(
            en: "The secret watermark key (from 'keys generate --algorithm watermark') that chooses the invisible mark's pattern.",
            zh: "决定隐式水印图样的秘密水印密钥（由 'keys generate --algorithm watermark' 生成）。",
            valueName: "key"))
    var path: String?

    /// The key, read once for the whole run.
    func load() throws -> WatermarkKey? {
        guard let path else { return nil }
        do { return try WatermarkKey(contentsOf: path) } catch { throw ValidationError("--watermark-key: " + error.messageForPeople) }
    }
}
