import Testing

@testable import SynthLabel

/// WAV, WebP and AVI walk their chunks one way (`RIFFChunks`), so the same damage reads the same
/// in each: a chunk past the end, stray bytes after the last chunk, a RIFF size past the file.
@Suite("RIFF chunks")
struct RIFFChunksTests {
    /// A RIFF file of `form` holding `chunks` (id, data), with `tail` bytes after them and the
    /// RIFF size counting everything unless `statedSize` says otherwise.
    static func riff(_ form: String, _ chunks: [(String, [UInt8])], tail: [UInt8] = [], statedSize: Int? = nil) -> [UInt8] {
        var body = Array(form.utf8)
        for (id, data) in chunks {
            body += Array(id.utf8)
            body.appendUInt32LE(UInt32(data.count))
            body += data + (data.count % 2 == 1 ? [0] : [])
        }
        body += tail
        var file = Array("RIFF".utf8)
        file.appendUInt32LE(UInt32(statedSize ?? body.count))
        return file + body
    }

    static let forms: [(form: String, chunks: [(String, [UInt8])], adapter: any CarrierAdapter)] = [
        ("WAVE", [("fmt ", [UInt8](repeating: 1, count: 16)), ("data", [1, 2, 3, 4])], WAVAdapter()),
        ("WEBP", [("VP8L", [UInt8](repeating: 2, count: 10))], WebPAdapter()),
        ("AVI ", [("hdrl", [UInt8](repeating: 3, count: 8))], AVIAdapter()),
    ]

    @Test func aWholeFileOfEachFormHasNoDamageAndItsChunksAreListed() throws {
        for (form, chunks, adapter) in Self.forms {
            let file = FileSource(bytes: Self.riff(form, chunks))
            let walk = try RIFFChunks(file, form: form)
            #expect(walk.damage.isEmpty, "\(form): \(walk.damage)")
            #expect(walk.chunks.map(\.id) == chunks.map(\.0))
            #expect(try adapter.read(file).damage.isEmpty, "\(form)")
        }
    }

    @Test func theSameDamageReadsTheSameInEveryForm() throws {
        for (form, chunks, adapter) in Self.forms {
            // Three stray bytes after the last chunk.
            let stray = try adapter.read(FileSource(bytes: Self.riff(form, chunks, tail: [9, 9, 9])))
            #expect(stray.damage.contains { $0.message.contains("stray bytes") }, "\(form): \(stray.damage)")
            // The last chunk's data cut short.
            var cut = Self.riff(form, chunks)
            cut.removeLast(3)
            let short = try adapter.read(FileSource(bytes: cut))
            #expect(short.damage.contains { $0.message.contains("runs past the end of the file") }, "\(form): \(short.damage)")
            // A RIFF size past the end of the file.
            let whole = Self.riff(form, chunks)
            let oversized = try adapter.read(FileSource(bytes: Self.riff(form, chunks, statedSize: whole.count + 100)))
            #expect(oversized.damage.contains { $0.message.contains("RIFF size says") }, "\(form): \(oversized.damage)")
        }
    }

    /// Many writers drop the pad byte after an odd-sized last chunk: that is not damage.
    @Test func aMissingPadByteAtTheEndIsNotDamage() throws {
        var file = Self.riff("AVI ", [("hdrl", [1, 2, 3])])
        file.removeLast()
        file.replaceSubrange(4..<8, with: [UInt8(file.count - 8), 0, 0, 0])
        let walk = try RIFFChunks(FileSource(bytes: file), form: "AVI ")
        #expect(walk.damage.isEmpty, "\(walk.damage)")
        #expect(walk.chunks.first?.padMissing == true)
    }
}
