import ArgumentParser
import SynthLabel

/// `synthlabel formats`: what each format can do, from the library's registry (`Carrier.profile`).
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: CLILanguage.text(
            en: "List the formats SynthLabel reads and writes, and what it can do with each.", zh: "列出 SynthLabel 读写的格式，以及各格式支持的操作。"),
        discussion: CommandHelp.formats
    )

    @Flag(
        help: ArgumentHelp(
            en:
                "Print JSON: {\"formats\": [{format, name, kind, extensions, writes, writtenTo, alsoRead, sign, explicit, watermark}]}.",
            zh: "输出 JSON：{\"formats\": [{format, name, kind, extensions, writes, writtenTo, alsoRead, sign, explicit, watermark}]}。"))
    var json = false

    @OptionGroup var language: LanguageOption

    /// One format as `--json` prints it.
    struct Entry: Encodable {
        var format: String
        var name: String
        var kind: String
        var extensions: [String]
        var writes: Bool
        var writtenTo: String?
        var alsoRead: [String]
        var sign: Bool
        var explicit: String?
        var watermark: Bool

        init(_ profile: FormatProfile) {
            format = profile.carrier.rawValue
            name = profile.carrier.displayName
            kind = profile.kind.rawValue
            extensions = profile.extensions
            writes = profile.isWritable
            writtenTo = profile.writtenTo
            alsoRead = profile.alsoRead
            sign = profile.signs
            explicit = profile.explicitLabel?.rawValue
            watermark = profile.watermark
        }
    }

    func run() throws {
        let profiles = Carrier.allCases.map(\.profile)
        if json {
            struct Listing: Encodable { var formats: [Entry] }
            Output.json(Listing(formats: profiles.map(Entry.init)))
            return
        }
        for profile in profiles {
            let abilities = [
                profile.signs ? CLILanguage.text(en: "sign", zh: "签名") : nil,
                profile.explicitLabel.map { CLILanguage.text(en: "explicit: ", zh: "显式标识：") + $0.rawValue },
                profile.watermark ? CLILanguage.text(en: "watermark", zh: "水印") : nil,
            ].compactMap { $0 }
            let head = "\(profile.carrier.displayName) (\(profile.extensions.map { "." + $0 }.joined(separator: " ")))"
            Output.line(head + (abilities.isEmpty ? "" : " — " + abilities.joined(separator: CLILanguage.text(en: ", ", zh: "，"))))
            Output.line(
                CLILanguage.text(en: "  label written to: ", zh: "  标识写入：")
                    + (profile.writtenTo ?? CLILanguage.text(en: "not written yet (read and verified)", zh: "尚不写入（可读取和核验）")))
            if !profile.alsoRead.isEmpty {
                Output.line(CLILanguage.text(en: "  also read: ", zh: "  另外读取：") + profile.alsoRead.joined(separator: "; "))
            }
        }
    }
}
