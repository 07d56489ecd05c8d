import CFreeType
import Glibc

/// Antialiased text as an 8-bit coverage mask, drawn by FreeType.
///
/// The default font is a subset of Noto Sans CJK SC Bold compiled into the library
/// (`Explicit/Font`, SIL OFL 1.1), so captions draw the same on any machine; `--font` takes any
/// TrueType/OpenType file for wording outside that subset. FreeType objects are not thread-safe,
/// so every renderer owns its own library instance.
final class GlyphRenderer {
    private var library: FT_Library?
    private var face: FT_Face?
    /// FreeType reads the font from this buffer for the face's lifetime; it must outlive `face`.
    private let fontData: UnsafeMutableBufferPointer<UInt8>

    /// Where the font came from, for messages and the caption record.
    let fontName: String

    init(fontPath: String?) throws(SynthLabelError) {
        let bytes: [UInt8]
        if let fontPath {
            guard let data = Self.readFont(fontPath) else {
                throw .unusableFont(path: fontPath, reason: "the file cannot be read")
            }
            bytes = data
            fontName = fontPath
        } else {
            bytes = PackageResources.CaptionFont_otf
            fontName = "built-in SynthLabel Caption (Noto Sans CJK SC Bold subset)"
        }
        fontData = .allocate(capacity: bytes.count)
        _ = fontData.initialize(from: bytes)
        guard FT_Init_FreeType(&library) == 0,
            FT_New_Memory_Face(library, fontData.baseAddress, FT_Long(bytes.count), 0, &face) == 0
        else {
            if library != nil { FT_Done_FreeType(library) }
            fontData.deallocate()
            throw .unusableFont(path: fontPath ?? "built-in font", reason: "FreeType cannot load it")
        }
    }

    deinit {
        if face != nil { FT_Done_Face(face) }
        if library != nil { FT_Done_FreeType(library) }
        fontData.deallocate()
    }

    /// Characters of `text` the font has no glyph for (spaces excepted).
    func missingCharacters(in text: String) -> [Character] {
        text.filter { character in
            !character.isWhitespace && character.unicodeScalars.contains { FT_Get_Char_Index(face, FT_ULong($0.value)) == 0 }
        }.reduce(into: [Character]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// `text` drawn at `pixelSize` pixels per em, cropped to its ink.
    func render(_ text: String, pixelSize: Int) -> CoverageMask {
        guard let face, FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelSize)) == 0 else { return CoverageMask(width: 0, height: 0) }
        // Lay out on a canvas tall enough for any glyph, baseline at 1.5 em; crop afterwards.
        let scalars = Array(text.unicodeScalars)
        let canvasHeight = pixelSize * 2 + 2
        let baseline = pixelSize * 3 / 2
        var pen = pixelSize / 4
        var placed: [(x: Int, y: Int, width: Int, height: Int, pitch: Int, pixels: [UInt8])] = []
        for scalar in scalars {
            let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
            guard FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_RENDER)) == 0, let slot = face.pointee.glyph else { continue }
            let bitmap = slot.pointee.bitmap
            let rows = Int(bitmap.rows)
            let width = Int(bitmap.width)
            let pitch = Int(bitmap.pitch)
            if rows > 0, width > 0, let buffer = bitmap.buffer, bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) {
                var pixels = [UInt8](repeating: 0, count: rows * width)
                for row in 0..<rows {
                    let source = pitch >= 0 ? buffer + row * pitch : buffer + (rows - 1 - row) * -pitch
                    for column in 0..<width { pixels[row * width + column] = source[column] }
                }
                placed.append(
                    (pen + Int(slot.pointee.bitmap_left), baseline - Int(slot.pointee.bitmap_top), width, rows, width, pixels))
            }
            pen += Int((slot.pointee.advance.x + 32) >> 6)
        }
        let canvasWidth = pen + pixelSize / 4
        var canvas = CoverageMask(width: canvasWidth, height: canvasHeight)
        for glyph in placed {
            for row in 0..<glyph.height {
                let y = glyph.y + row
                guard y >= 0, y < canvasHeight else { continue }
                for column in 0..<glyph.width {
                    let x = glyph.x + column
                    guard x >= 0, x < canvasWidth else { continue }
                    canvas[x, y] = max(canvas[x, y], glyph.pixels[row * glyph.pitch + column])
                }
            }
        }
        return canvas.croppedToInk()
    }

    private static func readFont(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = fread(&chunk, 1, chunk.count, file)
            if got <= 0 { break }
            bytes += chunk[0..<got]
            if bytes.count > 64 << 20 { return nil }  // no font is this large
        }
        return bytes.isEmpty ? nil : bytes
    }
}

/// One byte of coverage per pixel (0 = none, 255 = full), row by row.
struct CoverageMask: Sendable {
    var width: Int
    var height: Int
    var values: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        values = [UInt8](repeating: 0, count: width * height)
    }

    subscript(x: Int, y: Int) -> UInt8 {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// The smallest rectangle holding every covered pixel.
    func croppedToInk() -> CoverageMask {
        var top = height
        var bottom = -1
        var left = width
        var right = -1
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] > 0 {
                top = min(top, y)
                bottom = max(bottom, y)
                left = min(left, x)
                right = max(right, x)
            }
        }
        guard bottom >= top else { return CoverageMask(width: 0, height: 0) }
        var cropped = CoverageMask(width: right - left + 1, height: bottom - top + 1)
        for y in 0..<cropped.height {
            for x in 0..<cropped.width { cropped[x, y] = self[left + x, top + y] }
        }
        return cropped
    }
}
