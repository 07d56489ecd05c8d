/// Captions drawn into PNG and JPEG pixels (`PNGCodec`, `JPEGCodec` do the decoding and
/// re-encoding; this draws).
extension PNGCodec {
    /// `bytes` with a caption drawn in, and the record of it; every other chunk kept.
    static func caption(_ bytes: [UInt8], style: CaptionStyle, renderer: GlyphRenderer, path: String) throws(SynthLabelError)
        -> (bytes: [UInt8], record: CaptionRecord)
    {
        var record: CaptionRecord?
        let output = try rewrite(bytes, path: path) { (raster, converted, chunkData) throws(SynthLabelError) in
            let layout = try CaptionLayout(
                text: style.text, renderer: renderer, viewWidth: raster.width, viewHeight: raster.height, placement: style.placement,
                share: style.textHeight, path: path)
            raster.paint(layout, orientation: .normal)
            if converted.keepsTransparencyKey, let key = chunkData("tRNS") {
                let widened = key.count == 2 ? Int(key[0...].uint16BEOrZero) * converted.scale : -1
                raster.avoidTransparentKey(widened >= 0 ? [UInt8(widened >> 8), UInt8(widened & 0xFF)] : key, in: layout.box)
            }
            record = layout.record(text: style.text)
        }
        guard let record else { throw .cannotWrite(path: path, reason: "the caption was not drawn") }
        return (output, record)
    }
}

extension JPEGCodec {
    /// `bytes` with a caption drawn in, upright as a viewer sees the image (EXIF orientation
    /// applied), and the record of it; every APPn and COM segment kept.
    static func caption(
        _ bytes: [UInt8], style: CaptionStyle, quality requestedQuality: Int?, renderer: GlyphRenderer, path: String
    ) throws(SynthLabelError) -> (bytes: [UInt8], record: CaptionRecord) {
        var record: CaptionRecord?
        let output = try rewrite(bytes, quality: requestedQuality, path: path) { (raster, orientation) throws(SynthLabelError) in
            let view = orientation.viewSize(storedWidth: raster.width, storedHeight: raster.height)
            let layout = try CaptionLayout(
                text: style.text, renderer: renderer, viewWidth: view.width, viewHeight: view.height, placement: style.placement,
                share: style.textHeight, path: path)
            raster.paint(layout, orientation: orientation)
            record = layout.record(text: style.text)
        }
        guard let record else { throw .cannotWrite(path: path, reason: "the caption was not drawn") }
        return (output, record)
    }
}

/// What to draw and where.
struct CaptionStyle: Sendable {
    var text: String
    var placement: CaptionPlacement
    var textHeight: Double
}

extension Raster {
    /// Composites a caption: a dark backing of `backingOpacity` over the box, then white text
    /// with the mask's coverage, in the viewer's coordinates (`orientation` maps them to storage).
    ///
    /// With an alpha channel the layers are composited "over" with straight alpha, so the
    /// caption is opaque enough to read even where the image is transparent.
    mutating func paint(_ layout: CaptionLayout, orientation: Orientation, backingOpacity: Double = CaptionLayout.backingOpacity) {
        let box = layout.box
        let maximum = maximum
        let colourChannels = hasAlpha ? channels - 1 : channels
        for viewY in box.y..<box.y + box.height {
            for viewX in box.x..<box.x + box.width {
                let maskX = viewX - layout.textOrigin.x
                let maskY = viewY - layout.textOrigin.y
                let coverage =
                    maskX >= 0 && maskY >= 0 && maskX < layout.mask.width && maskY < layout.mask.height
                    ? Double(layout.mask[maskX, maskY]) / 255 : 0
                let (x, y) = orientation.storedPoint(viewX, viewY, storedWidth: width, storedHeight: height)
                let first = (y * width + x) * channels
                if hasAlpha {
                    let alphaIndex = first + channels - 1
                    let alpha = sample(alphaIndex) / maximum
                    let backedAlpha = backingOpacity + alpha * (1 - backingOpacity)
                    let finalAlpha = coverage + backedAlpha * (1 - coverage)
                    for channel in 0..<colourChannels {
                        let value = sample(first + channel) / maximum
                        let backed = value * alpha * (1 - backingOpacity) / backedAlpha
                        let final = (coverage + backed * backedAlpha * (1 - coverage)) / finalAlpha
                        setSample(first + channel, final * maximum)
                    }
                    setSample(alphaIndex, finalAlpha * maximum)
                } else {
                    for channel in 0..<colourChannels {
                        let backed = sample(first + channel) * (1 - backingOpacity)
                        setSample(first + channel, backed + (maximum - backed) * coverage)
                    }
                }
            }
        }
    }

    /// A PNG `tRNS` key makes every pixel of that exact colour transparent; nudge caption pixels
    /// that happen to match it by one step so the caption cannot turn see-through.
    mutating func avoidTransparentKey(_ key: [UInt8], in box: CaptionLayout.Box) {
        guard !hasAlpha, key.count == channels * 2 else { return }
        let values = (0..<channels).map { Double(Int(key[$0 * 2]) << 8 | Int(key[$0 * 2 + 1])) }
        for y in box.y..<box.y + box.height {
            for x in box.x..<box.x + box.width {
                let first = (y * width + x) * channels
                if (0..<channels).allSatisfy({ sample(first + $0) == values[$0] }) {
                    setSample(first, values[0] > 0 ? values[0] - 1 : 1)
                }
            }
        }
    }
}
