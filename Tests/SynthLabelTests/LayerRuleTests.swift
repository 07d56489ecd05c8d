import Foundation
import Testing

/// The library's folders are layers, and a layer only uses those below it (docs/architecture.md):
/// this reads the sources and fails on any use of a type declared in a higher folder.
@Suite("layer rule")
struct LayerRuleTests {
    /// Lowest first. Files directly in Sources/SynthLabel (the fuzzing entry points) are above all.
    static let layers = [
        "Support", "Label", "Files", "Formats", "Decoding", "Imaging", "Trust", "Explicit", "Watermark", "Ledger", "Labelling", "Verify",
    ]
    static let root = Fixtures.packageRoot.appendingPathComponent("Sources/SynthLabel").path

    /// Every Swift file of the library: its layer (its first folder) and its text without comments.
    static func sources() throws -> [(path: String, layer: String, code: String)] {
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }
        return try paths.map { path in
            let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            let code = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
                .joined(separator: "\n")
            let folder = path.contains("/") ? String(path.split(separator: "/")[0]) : "(top)"
            return (path, folder, code)
        }
    }

    /// The names a piece of code declares: top-level ones (`topLevel`) or any.
    static func declaredNames(in code: String, topLevel: Bool) -> Set<String> {
        let keywords = "(?:struct|enum|class|protocol|typealias|actor)"
        let modifiers = "(?:(?:public|package|private|fileprivate|internal|final|indirect) )*"
        let pattern = (topLevel ? "^" : "^\\s*") + modifiers + keywords + " ([A-Z][A-Za-z0-9_]*)"
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        let range = NSRange(code.startIndex..., in: code)
        return Set(
            expression.matches(in: code, range: range).compactMap { match in Range(match.range(at: 1), in: code).map { String(code[$0]) } })
    }

    @Test func everyFolderIsALayerAndUsesOnlyThoseBelowIt() throws {
        let sources = try Self.sources()
        let folders = Set(sources.map(\.layer)).subtracting(["(top)"])
        #expect(folders == Set(Self.layers), "folders not in the layer list: \(folders.subtracting(Self.layers))")
        var owner: [String: String] = [:]
        for source in sources {
            for name in Self.declaredNames(in: source.code, topLevel: true) { owner[name] = owner[name] ?? source.layer }
        }
        var violations: [String] = []
        for source in sources where source.layer != "(top)" {
            guard let rank = Self.layers.firstIndex(of: source.layer) else { continue }
            // A nested type of the same name as another folder's is this file's own.
            let own = Self.declaredNames(in: source.code, topLevel: false)
            for (name, layer) in owner where layer != source.layer && !own.contains(name) {
                guard let used = Self.layers.firstIndex(of: layer), used > rank else { continue }
                let pattern = "(?<![.\\w])" + name + "\\b"
                if source.code.range(of: pattern, options: .regularExpression) != nil {
                    violations.append("\(source.path) (\(source.layer)) uses \(name) from \(layer)")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }

    /// The check finds a use from below: a lower folder naming a higher folder's type.
    @Test func theCheckSeesAnUpwardUse() {
        let names = Self.declaredNames(in: "public struct Labeller: Sendable {\n    struct Inner {}\n}", topLevel: true)
        #expect(names == ["Labeller"])
        let code = "let x = Labeller()"
        #expect(code.range(of: "(?<![.\\w])Labeller\\b", options: .regularExpression) != nil)
        #expect("x.Labeller".range(of: "(?<![.\\w])Labeller\\b", options: .regularExpression) == nil)
    }
}
