import ArgumentParser
import SynthLabel

/// `synthlabel formats`: what each format can do, from the library's registry (`Carrier.profile`).
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: CLILanguage.text(
            en: "List the formats SynthLabel reads and writes, and what it can do with each.", zh: "列出 SynthLabel 读写的格式，以及各格式支持的操作。"),
        discussion: """
            One line per format: whether label writes it and where the label goes, what else \
            is read, and which of signing (--sign), the explicit label (--explicit: caption, \
            audio prompt or notice) and the watermark (--watermark) it takes. Files are \
            recognised by their content; the extensions are where such files are usually found \
            (Markdown and text, which have no signature, go by them).

            Examples:
              synthlabel formats
              synthlabel formats --json | jq '.formats[] | select(.writes) | .format'
            """
    )

    @Flag(
        help: ArgumentHelp(
            CLILanguage.text(
                en:
                    "Print JSON: {\"formats\": [{format, name, kind, extensions, writes, writtenTo, alsoRead, sign, explicit, watermark}]}.",
                zh: "输出 JSON：{\"formats\": [{format, name, kind, extensions, writes, writtenTo, alsoRead, sign, explicit, watermark}]}。")))
    var json = false

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
                profile.signs ? "sign" : nil, profile.explicitLabel.map { "explicit: \($0.rawValue)" },
                profile.watermark ? "watermark" : nil,
            ].compactMap { $0 }
            let head = "\(profile.carrier.displayName) (\(profile.extensions.map { "." + $0 }.joined(separator: " ")))"
            Output.line(head + (abilities.isEmpty ? "" : " — " + abilities.joined(separator: ", ")))
            Output.line("  label written to: " + (profile.writtenTo ?? "not written yet (read and verified)"))
            if !profile.alsoRead.isEmpty { Output.line("  also read: " + profile.alsoRead.joined(separator: "; ")) }
        }
    }
}
