/// A caption's backing box in view coordinates (EXIF orientation applied), in pixels.
public struct CaptionBox: Equatable, Sendable {
    /// Left edge.
    public var x: Int
    /// Top edge.
    public var y: Int
    /// Width.
    public var width: Int
    /// Height.
    public var height: Int
}

/// What the companion XMP (or a video's container metadata) says about a caption this tool
/// drew, so `verify` need not guess.
///
/// Stored as `x,y,width,height,emPixels,textHeight|text` (view coordinates): in XMP as
/// `synthlabel:Caption`; in video as the metadata item `SYNTHLABEL_CAPTION`, with a seventh
/// number, how long the caption is shown, in milliseconds.
public struct CaptionRecord: Equatable, Sendable {
    /// The caption's text.
    public var text: String
    /// Where its backing box is, in view coordinates.
    public internal(set) var box: CaptionBox
    /// The font size it was drawn at, in pixels per em.
    public var pixelSize: Int
    /// Measured ink height of the drawn text in pixels.
    public var textHeight: Int
    /// Video: seconds from the start the caption is shown.
    public var duration: Double?

    /// The metadata item (MP4 `mdta` key, Matroska SimpleTag) holding a video caption's record.
    static let videoKey = "SYNTHLABEL_CAPTION"

    var serialized: String {
        let milliseconds = duration.map { ",\(Int(($0 * 1000).rounded()))" } ?? ""
        return "\(box.x),\(box.y),\(box.width),\(box.height),\(pixelSize),\(textHeight)\(milliseconds)|\(text)"
    }

    init(text: String, box: CaptionBox, pixelSize: Int, textHeight: Int, duration: Double? = nil) {
        self.text = text
        self.box = box
        self.pixelSize = pixelSize
        self.textHeight = textHeight
        self.duration = duration
    }

    init?(serialized: String) {
        guard let bar = serialized.firstIndex(of: "|") else { return nil }
        let numbers = serialized[..<bar].split(separator: ",").compactMap { Int($0) }
        guard numbers.count == 6 || numbers.count == 7, numbers.prefix(6).allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else { return nil }
        text = String(serialized[serialized.index(after: bar)...])
        box = CaptionBox(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
        pixelSize = numbers[4]
        textHeight = numbers[5]
        duration = numbers.count == 7 && numbers[6] >= 0 ? Double(numbers[6]) / 1000 : nil
    }
}
