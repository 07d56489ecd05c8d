/// Where on the image the caption goes, as the viewer sees it (EXIF orientation applied).
public enum CaptionPlacement: String, Sendable, CaseIterable {
    case topLeft = "top-left"
    case top
    case topRight = "top-right"
    case left, right
    case bottomLeft = "bottom-left"
    case bottom
    case bottomRight = "bottom-right"
}

/// A caption measured and placed: the text mask and the backing box, in view coordinates.
struct CaptionLayout {
    typealias Box = CaptionBox

    /// Text height (ink, top of the tallest glyph to the bottom of the lowest) as a share of the
    /// image's shortest side. GB 45438 §5 asks for at least 5 %; the default leaves a margin.
    static let defaultTextHeight = 0.055
    /// Below this many pixels CJK strokes merge, whatever the share.
    static let minimumTextPixels = 12
    /// The dark backing's opacity: white text on it contrasts on white (backing ≈ 22 % grey) and on black.
    static let backingOpacity = 0.78

    var mask: CoverageMask
    var pixelSize: Int
    var box: Box
    var textOrigin: (x: Int, y: Int)

    /// Measures `text` so its ink is at least `share` of the shortest side and places it.
    /// Throws, naming the smallest size that fits, when the image is too small.
    init(
        text: String, renderer: GlyphRenderer, viewWidth: Int, viewHeight: Int, placement: CaptionPlacement,
        share: Double, path: String
    ) throws(SynthLabelError) {
        let shortest = min(viewWidth, viewHeight)
        let target = max(Self.minimumTextPixels, Int((share * Double(shortest)).rounded(.up)))
        var size = target
        var mask = renderer.render(text, pixelSize: size)
        guard mask.height > 0 else {
            throw .captionDrawsNothing(path: path, text: text)
        }
        // Ink height grows with the em size; scale once, then nudge up until the target is met.
        size = max(size, Int((Double(size) * Double(target) / Double(mask.height)).rounded()))
        mask = renderer.render(text, pixelSize: size)
        var attempts = 0
        while mask.height < target && attempts < 8 {
            size += 1
            mask = renderer.render(text, pixelSize: size)
            attempts += 1
        }
        let padding = max(2, target * 3 / 10)
        let margin = max(1, shortest / 50)
        let boxWidth = mask.width + 2 * padding
        let boxHeight = mask.height + 2 * padding
        guard boxWidth + 2 * margin <= viewWidth, boxHeight + 2 * margin <= viewHeight else {
            throw .imageTooSmallForCaption(
                path: path, width: viewWidth, height: viewHeight, neededWidth: boxWidth + 2 * margin,
                neededHeight: boxHeight + 2 * margin, text: text)
        }
        let x: Int
        let y: Int
        switch placement {
        case .topLeft, .left, .bottomLeft: x = margin
        case .top, .bottom: x = (viewWidth - boxWidth) / 2
        case .topRight, .right, .bottomRight: x = viewWidth - margin - boxWidth
        }
        switch placement {
        case .topLeft, .top, .topRight: y = margin
        case .left, .right: y = (viewHeight - boxHeight) / 2
        case .bottomLeft, .bottom, .bottomRight: y = viewHeight - margin - boxHeight
        }
        self.mask = mask
        self.pixelSize = size
        self.box = Box(x: x, y: y, width: boxWidth, height: boxHeight)
        self.textOrigin = (x + padding, y + padding)
    }

    /// The record verification reads back: the wording, where the box is, the em size.
    func record(text: String) -> CaptionRecord {
        CaptionRecord(text: text, box: box, pixelSize: pixelSize, textHeight: mask.height)
    }
}
