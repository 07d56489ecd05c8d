import Foundation
import Testing

@testable import SynthLabel

@Suite("Markdown adapter")
struct MarkdownAdapterTests {
    let folder = TemporaryDirectory()

    func labelled(_ text: [UInt8], id: String = "ID-1") throws -> String {
        let path = folder.file("doc-\(id).md")
        Fixtures.write(text, to: path)
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: id))
        return String(decoding: Fixtures.read(path), as: UTF8.self)
    }

    static let block = """
        AIGC:
          Label: "1"
          ContentProducer: "001191110102MACQD9K64018705"
          ProduceID: "ID-1"
          ReservedCode1: ""
          ContentPropagator: ""
          PropagateID: ""
          ReservedCode2: ""

        """

    @Test func addsFrontMatterToAPlainDocument() throws {
        #expect(try labelled(Array("# Title\n\nBody\n".utf8)) == "---\n" + Self.block + "---\n# Title\n\nBody\n")
    }

    @Test func mergesIntoExistingFrontMatter() throws {
        let text = "---\ntitle: Story\ntags: [a, b]\n---\nBody\n"
        #expect(try labelled(Array(text.utf8)) == "---\ntitle: Story\ntags: [a, b]\n" + Self.block + "---\nBody\n")
    }

    @Test func relabellingReplacesTheMapping() throws {
        let path = folder.copy(Fixtures.sample("story.md"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "a"))
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "b"))
        let text = String(decoding: Fixtures.read(path), as: UTF8.self)
        #expect(text.components(separatedBy: "AIGC:").count == 2)
        #expect(text.hasPrefix("---\ntitle: A short generated story\nlang: en\nAIGC:\n"))
        #expect(try Fixtures.report(path).label?.produceID == "b")
    }

    @Test func keepsCRLFAndTheByteOrderMark() throws {
        let text = [0xEF, 0xBB, 0xBF] + Array("---\r\ntitle: x\r\n---\r\nBody\r\n".utf8)
        let result = try labelled(text)
        #expect(result.hasPrefix("\u{FEFF}---\r\ntitle: x\r\nAIGC:\r\n  Label: \"1\"\r\n"))
        #expect(result.hasSuffix("---\r\nBody\r\n"))
        #expect(!result.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func readsTheJSONStringForm() throws {
        let path = folder.file("json.md")
        Fixtures.write(Array("---\nAIGC: '\(Fixtures.label(id: "j").wrappedJSON)'\n---\nx\n".utf8), to: path)
        let report = try Fixtures.report(path)
        #expect(report.label?.produceID == "j")
        #expect(report.verdict == .compliant)
    }

    @Test func unknownKeysInTheMappingAreNoncompliant() throws {
        let path = folder.file("unknown.md")
        Fixtures.write(Array("---\nAIGC:\n  Label: \"1\"\n  ContentProducer: P\n  ProduceID: X\n  Propagator: Q\n---\n".utf8), to: path)
        let report = try Fixtures.report(path)
        #expect(report.verdict == .noncompliant)
        #expect(report.findings.contains { $0.check == .unknownField })
    }

    @Test func nonUTF8FrontMatterIsRefused() throws {
        let path = folder.file("latin1.md")
        Fixtures.write(Array("---\ntitle: caf".utf8) + [0xE9] + Array("\n---\nx\n".utf8), to: path)
        #expect(try Fixtures.report(path).verdict == .inconclusive)
        #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(path, to: path) }
        #expect(Fixtures.read(path).contains(0xE9))
    }

    @Test func anOpeningFenceNeverClosedIsNotFrontMatter() throws {
        let text = "---\ntitle: x\nno end\n"
        #expect(try labelled(Array(text.utf8)) == "---\n" + Self.block + "---\n" + text)
    }

    /// A `---` thematic break followed by prose is body text: the label goes into front matter
    /// of its own ahead of it, which PyYAML and pandoc read, and pandoc sees the same body.
    @Test func aThematicBreakFollowedByProseIsNotFrontMatter() throws {
        let original = "---\nSome prose here, not YAML.\nMore of it.\n---\n\nA paragraph.\n"
        let source = folder.file("rule.md")
        Fixtures.write(Array(original.utf8), to: source)
        #expect(try Fixtures.report(source).verdict == .unlabelled)
        let text = try labelled(Array(original.utf8))
        #expect(text == "---\n" + Self.block + "---\n" + original)
        let path = folder.file("doc-ID-1.md")

        let yaml = try Fixtures.run(
            "python3",
            ["-c", "import sys, yaml; print(yaml.safe_load(open(sys.argv[1]).read().split('---\\n')[1])['AIGC']['ProduceID'])", path])
        #expect(yaml.stdout == "ID-1\n", "\(yaml.stderr)")
        let meta = try Fixtures.run("pandoc", ["-f", "markdown", "-t", "json", path])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(meta.stdout.utf8)) as? [String: Any])
        let aigc = ((document["meta"] as? [String: Any])?["AIGC"] as? [String: Any])?["c"] as? [String: Any]
        #expect(Set(aigc?.keys.map { $0 } ?? []) == Set(AIGCLabel.Field.allCases.map(\.rawValue)), "\(meta.stdout)")
        let bodyBefore = try Fixtures.run("pandoc", ["-f", "markdown", "-t", "native", source]).stdout
        let bodyAfter = try Fixtures.run("pandoc", ["-f", "markdown", "-t", "native", path]).stdout
        #expect(bodyBefore == bodyAfter && !bodyAfter.contains("ContentProducer"))
    }

    /// Hugo's TOML front matter is kept and the label is written there as TOML: an inline table
    /// on the first line, where it belongs to no [table]; Python's tomllib reads every key.
    @Test func tomlFrontMatterTakesTheLabelAsTOML() throws {
        let original = "+++\ntitle = \"Hugo page\"\ndate = 2024-01-01\n\n[params]\nauthor = \"me\"\n+++\nBody\n"
        let text = try labelled(Array(original.utf8), id: "T-1")
        #expect(text.hasPrefix("+++\nAIGC = { Label = \"1\", ContentProducer = \"\(Fixtures.producer)\", ProduceID = \"T-1\""))
        #expect(text.hasSuffix("title = \"Hugo page\"\ndate = 2024-01-01\n\n[params]\nauthor = \"me\"\n+++\nBody\n"))
        let path = folder.file("doc-T-1.md")
        let script = """
            import sys, tomllib
            d = tomllib.loads(open(sys.argv[1]).read().split('+++\\n')[1])
            print(d['AIGC']['ProduceID'], len(d['AIGC']), d['title'], d['params']['author'])
            """
        let toml = try Fixtures.run("python3", ["-c", script, path])
        #expect(toml.stdout == "T-1 7 Hugo page me\n", "\(toml.stderr)")
        let report = try Fixtures.report(path)
        #expect(report.verdict == .compliant && report.sites.first?.location.hasPrefix("TOML front matter") == true)

        // Relabelling replaces the line; an [AIGC] table written by another tool is read and folded in.
        try Fixtures.labelFile(path, to: path, with: Fixtures.label(id: "T-2"))
        #expect(String(decoding: Fixtures.read(path), as: UTF8.self).components(separatedBy: "AIGC").count == 2)
        let table = folder.file("table.md")
        Fixtures.write(Array("+++\ntitle = \"t\"\n[AIGC]\nLabel = \"1\"\nContentProducer = 'P'\nProduceID = \"X\"\n+++\n".utf8), to: table)
        #expect(try Fixtures.report(table).label?.produceID == "X")
        try Fixtures.labelFile(table, to: table, with: Fixtures.label(id: "X", producer: "P"))
        let folded = try Fixtures.run("python3", ["-c", script.replacingOccurrences(of: ", d['params']['author']", with: ""), table])
        #expect(folded.stdout == "X 7 t\n", "\(folded.stderr)")
    }
}
