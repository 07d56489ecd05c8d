import Foundation
import Testing

@testable import SynthLabel

/// Thumbnails for the report: a JPEG is decoded already reduced (libjpeg-turbo's DCT scaling),
/// and must look like the thumbnail of the same picture decoded whole, turned as displayed.
@Suite("thumbnails")
struct ThumbnailTests {
    let folder = TemporaryDirectory()

    /// Mean absolute difference per sample between two thumbnails' pixels.
    func difference(_ first: Thumbnail, _ second: Thumbnail) throws -> Double {
        let a = try JPEGCodec.decode(first.jpeg, path: "a").0
        let b = try JPEGCodec.decode(second.jpeg, path: "b").0
        #expect(a.width == b.width && a.height == b.height)
        let total = zip(a.samples, b.samples).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        return Double(total) / Double(max(1, a.samples.count))
    }

    @Test func aReducedJPEGDecodeLooksLikeTheWholeOneTurnedAsDisplayed() throws {
        let jpeg = folder.file("big.jpg")
        let png = folder.file("big.png")
        try Media.shell("ffmpeg -loglevel error -f lavfi -i testsrc2=size=2400x1600 -frames:v 1 -q:v 2 '\(jpeg)'")
        try Media.shell("ffmpeg -loglevel error -i '\(jpeg)' '\(png)'")  // the same pixels, decoded whole
        // Shown turned a quarter (EXIF orientation 6): a portrait 1600×2400.
        #expect(try Fixtures.run("exiftool", ["-q", "-overwrite_original", "-Orientation#=6", jpeg]).status == 0)
        let reduced = try Thumbnail(ofImageAt: jpeg, carrier: .jpeg)
        #expect(reduced.viewWidth == 1600 && reduced.viewHeight == 2400, "caption boxes are measured in the full image")
        #expect(reduced.width == 133 && reduced.height == 200)

        // The whole decode of the same file, through the PNG path, turned the same way by hand.
        let turned = folder.file("turned.png")
        try Media.shell("ffmpeg -loglevel error -i '\(png)' -vf transpose=1 '\(turned)'")
        let whole = try Thumbnail(ofImageAt: turned, carrier: .png)
        #expect(whole.width == reduced.width && whole.height == reduced.height)
        #expect(try difference(reduced, whole) < 4, "the reduced decode shows the same picture")
    }
}
