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

    @Test func unclosedFrontMatterIsAnError() throws {
        let path = folder.file("open.md")
        Fixtures.write(Array("---\ntitle: x\nno end\n".utf8), to: path)
        #expect(try Fixtures.report(path).verdict == .inconclusive)
    }
}
