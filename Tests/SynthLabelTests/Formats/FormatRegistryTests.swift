import Foundation
import Testing

@testable import SynthLabel

/// The format registry (`Carrier.profile`) is the one statement of what each format does: the
/// capability checks, detection, `synthlabel formats` and docs/formats.md all agree with it.
@Suite("format registry")
struct FormatRegistryTests {
    /// The first column of the markdown table that follows `heading` in docs/formats.md.
    func tableNames(after heading: String) throws -> [String] {
        let text = try String(contentsOfFile: Fixtures.packageRoot.appendingPathComponent("docs/formats.md").path, encoding: .utf8)
        let start = try #require(text.range(of: heading))
        var names: [String] = []
        var inTable = false
        for line in text[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                if inTable { break }
                continue
            }
            inTable = true
            let name = line.split(separator: "|").first?.trimmingCharacters(in: .whitespaces) ?? ""
            if name != "format", !name.hasPrefix("---") { names.append(name) }
        }
        return names
    }

    @Test func docsFormatsListsWhatTheRegistrySays() throws {
        let written = try tableNames(after: "| format | written to")
        #expect(written.sorted() == Carrier.allCases.filter(\.isWritable).map(\.displayName).sorted())
        // Formats read but not written have a table of their own, when there are any.
        let heading = "Read and verified, not yet written:"
        let text = try String(contentsOfFile: Fixtures.packageRoot.appendingPathComponent("docs/formats.md").path, encoding: .utf8)
        let readOnly = text.contains(heading) ? try tableNames(after: heading) : []
        #expect(readOnly.sorted() == Carrier.allCases.filter { !$0.isWritable }.map(\.displayName).sorted())
    }

    @Test func theCapabilitiesFollowTheProfiles() {
        for carrier in Carrier.allCases {
            let profile = carrier.profile
            #expect(profile.carrier == carrier)
            #expect(carrier.isWritable == (profile.writtenTo != nil))
            #expect(carrier.takesWatermark == profile.watermark)
            #expect(ImageWatermarker.carriers.contains(carrier) == (profile.watermark && profile.kind == .image), "\(carrier)")
            #expect(AudioWatermarker.carriers.contains(carrier) == (profile.watermark && profile.kind == .audio), "\(carrier)")
            // Only a format label writes can be signed, marked or given an explicit label.
            if !profile.isWritable { #expect(!profile.signs && !profile.watermark && profile.explicitLabel == nil, "\(carrier)") }
            #expect(!profile.extensions.isEmpty)
        }
    }

    /// Each sample is recognised by its own adapter, and only by it.
    @Test func everySampleIsRecognisedByExactlyOneAdapter() throws {
        let samples = try FileManager.default.contentsOfDirectory(atPath: Fixtures.samples).sorted()
        #expect(samples.count >= 8)
        for name in samples {
            let path = Fixtures.samples + "/" + name
            let head = Array(Fixtures.read(path).prefix(64))
            let claims = Carrier.allCases.filter { type(of: $0.adapter).recognises(head: head, path: path) }
            #expect(claims.count == 1, "\(name): \(claims)")
            #expect(claims.first.map { $0.profile.hasExtension(of: path) } == true, "\(name): \(claims)")
        }
    }

    @Test func theFormatsCommandPrintsTheRegistry() throws {
        let run = try Fixtures.run(Fixtures.binary, ["formats", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let listing = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let formats = try #require(listing["formats"] as? [[String: Any]])
        #expect(formats.compactMap { $0["format"] as? String } == Carrier.allCases.map(\.rawValue))
        for (entry, carrier) in zip(formats, Carrier.allCases) {
            #expect(entry["writes"] as? Bool == carrier.isWritable, "\(carrier)")
            #expect(entry["watermark"] as? Bool == carrier.profile.watermark, "\(carrier)")
        }
        let text = try Fixtures.run(Fixtures.binary, ["formats"])
        for carrier in Carrier.allCases { #expect(text.stdout.contains(carrier.displayName + " (")) }
    }
}
