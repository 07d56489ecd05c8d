/// A caption's backing box in view coordinates (EXIF orientation applied), in pixels.
struct CaptionBox: Equatable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int
}

/// What the companion XMP says about a caption this tool drew, so `verify` need not guess.
///
/// Stored as `synthlabel:Caption` = `x,y,width,height,emPixels,textHeight|text` (view coordinates).
public struct CaptionRecord: Equatable, Sendable {
    /// The caption's text.
    public var text: String
    var box: CaptionBox
    /// The font size it was drawn at, in pixels per em.
    public var pixelSize: Int
    /// Measured ink height of the drawn text in pixels.
    public var textHeight: Int

    var serialized: String {
        "\(box.x),\(box.y),\(box.width),\(box.height),\(pixelSize),\(textHeight)|\(text)"
    }

    init(text: String, box: CaptionBox, pixelSize: Int, textHeight: Int) {
        self.text = text
        self.box = box
        self.pixelSize = pixelSize
        self.textHeight = textHeight
    }

    init?(serialized: String) {
        guard let bar = serialized.firstIndex(of: "|") else { return nil }
        let numbers = serialized[..<bar].split(separator: ",").compactMap { Int($0) }
        guard numbers.count == 6, numbers.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else { return nil }
        text = String(serialized[serialized.index(after: bar)...])
        box = CaptionBox(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
        pixelSize = numbers[4]
        textHeight = numbers[5]
    }
}
