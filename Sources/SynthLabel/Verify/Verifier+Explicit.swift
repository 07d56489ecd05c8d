/// The explicit-label checks: is the caption, audio prompt or text notice there?
///
/// A missing explicit label is a warning, not a failure: a platform may show the label around
/// the content instead (GB 45438 §5). A caption this tool recorded that is no longer in the
/// pixels, or that shrank below 5 % of the shortest side, fails: someone removed or weakened it.
extension Verifier {
    /// Shortest correlation between the re-drawn caption and the pixels that counts as present.
    static let captionMatchThreshold = 0.5

    func explicitFindings(_ file: FileSource, carrier: Carrier, reading: CarrierReading) -> [Finding] {
        switch carrier {
        case .markdown, .text:
            // Plain text's notice is its only label, so it is always looked for; a Markdown
            // notice is an explicit label beside the front matter, checked like the others.
            guard explicitChecks || carrier == .text else { return [] }
            let head = (try? file.bytes(upTo: TextNotice.window, at: 0)) ?? []
            let tail = file.size > TextNotice.window ? try? file.bytes(upTo: TextNotice.window, at: file.size - TextNotice.window) : nil
            let found = TextNotice.find(head: head, tail: tail)
            guard !found.isEmpty else {
                return [
                    Finding(.textNotice, .warn, "no notice with an AI element and 生成/合成 in the first or last \(TextNotice.lines) lines")
                ]
            }
            let places = found.map { "\"\($0.line)\" \($0.position.phrase)" }
            return [Finding(.textNotice, .pass, "notice " + places.joined(separator: ", "))]
        case .office:
            // A Word document's notice paragraph; presentations and workbooks have none to find.
            guard explicitChecks, let document = try? DocumentNotice(file) else { return [] }
            let found = document.notices
            guard !found.isEmpty else {
                return [
                    Finding(
                        .textNotice, .warn,
                        "no paragraph with an AI element and 生成/合成 among the first or last \(DocumentNotice.paragraphs) of the document")
                ]
            }
            return [Finding(.textNotice, .pass, "notice " + found.map { "\"\($0.line)\" \($0.position.phrase)" }.joined(separator: ", "))]
        case .wav, .flac, .ogg, .mp3:
            guard explicitChecks else { return [] }
            do throws(SynthLabelError) {
                let matches = try RhythmDetector(prompt: RhythmPrompt()).detect(file)
                guard !matches.isEmpty else {
                    return [Finding(.audioPrompt, .warn, "no rhythm prompt ·− ·· (800 Hz) in the first or last 4 s")]
                }
                let places = matches.map { "\($0.position.phrase) (\(Int(($0.offset * 1000).rounded())) ms into the window)" }
                return [Finding(.audioPrompt, .pass, "rhythm prompt ·− ·· " + places.joined(separator: " and "))]
            } catch {
                // The container was read and found whole; only the samples' encoding is beyond the
                // decoder, which says nothing about the label, so the check is skipped, not failed.
                return [Finding(.audioPrompt, .skip, "not looked for: \(error.reason)")]
            }
        case .png, .jpeg:
            guard explicitChecks, let record = reading.caption else { return [] }
            return [captionFinding(record, file: file, carrier: carrier)]
        case .mp4, .matroska, .avi:
            guard explicitChecks else { return [] }
            return [videoCaptionFinding(file, record: reading.caption), videoPromptFinding(file)]
        default:
            return []
        }
    }

    private func captionFinding(_ record: CaptionRecord, file: FileSource, carrier: Carrier) -> Finding {
        let image: DecodedImage
        do throws(SynthLabelError) {
            image = try DecodedImage(try file.wholeBytes(path: file.path), carrier: carrier, path: file.path)
        } catch {
            return Finding(.caption, .skip, "not compared: the pixels could not be decoded (\(error.reason))")
        }
        let (raster, orientation, view) = (image.raster, image.orientation, image.viewSize)
        let box = record.box
        if let outside = Self.outsideFinding(box, view: view, picture: "image") { return outside }
        let share = Double(record.textHeight) / Double(min(view.width, view.height))
        guard let renderer = try? GlyphRenderer(fontPath: nil), renderer.missingCharacters(in: record.text).isEmpty else {
            return Finding(.caption, .warn, "caption \"\(record.text)\" recorded, drawn with a font SynthLabel does not ship; not compared")
        }
        let mask = renderer.render(record.text, pixelSize: record.pixelSize)
        let match = Self.correlation(mask, raster: raster, orientation: orientation, box: box)
        if match < Self.captionMatchThreshold {
            return Finding(
                .caption, .fail,
                "the caption \"\(record.text)\" recorded in the label is no longer in the image (match \(Self.percent(match))): it was removed or painted over"
            )
        }
        if let small = Self.tooSmallFinding(record, share: share) { return small }
        return Finding(
            .caption, .pass,
            "caption \"\(record.text)\" found at \(box.x),\(box.y) (match \(Self.percent(match))), text \(record.textHeight) px = \(Self.percent(share)) of the shortest side"
        )
    }

    /// Pearson correlation between the text mask and the luminance inside the box, over a
    /// mask-sized window centred in the box (the padding is equal on all sides).
    static func correlation(_ mask: CoverageMask, raster: Raster, orientation: Orientation, box: CaptionLayout.Box) -> Double {
        guard mask.width > 0, mask.height > 0, mask.width <= box.width, mask.height <= box.height else { return 0 }
        let originX = box.x + (box.width - mask.width) / 2
        let originY = box.y + (box.height - mask.height) / 2
        var sumMask = 0.0
        var sumLight = 0.0
        var sumMaskSquared = 0.0
        var sumLightSquared = 0.0
        var sumProduct = 0.0
        let count = Double(mask.width * mask.height)
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                let (storedX, storedY) = orientation.storedPoint(
                    originX + x, originY + y, storedWidth: raster.width, storedHeight: raster.height)
                let light = raster.luminance(x: storedX, y: storedY)
                let coverage = Double(mask[x, y]) / 255
                sumMask += coverage
                sumLight += light
                sumMaskSquared += coverage * coverage
                sumLightSquared += light * light
                sumProduct += coverage * light
            }
        }
        let covariance = sumProduct / count - sumMask / count * sumLight / count
        let spreadMask = (sumMaskSquared / count - (sumMask / count) * (sumMask / count)).squareRoot()
        let spreadLight = (sumLightSquared / count - (sumLight / count) * (sumLight / count)).squareRoot()
        guard spreadMask > 0, spreadLight > 0 else { return 0 }
        return covariance / (spreadMask * spreadLight)
    }

    /// The rhythm prompt at the start of a video's sound. Optional there (the caption is video's
    /// explicit label), so its absence is a skip, not a warning.
    private func videoPromptFinding(_ file: FileSource) -> Finding {
        let detector = RhythmDetector(prompt: RhythmPrompt())
        do throws(SynthLabelError) {
            guard let (samples, rate) = try VideoCodec.audioHead(of: file, seconds: detector.window) else {
                return Finding(.audioPrompt, .skip, "the video has no sound")
            }
            guard let match = detector.find(in: samples, rate: rate) else {
                return Finding(
                    .audioPrompt, .skip,
                    "no rhythm prompt ·− ·· in the sound's first 4 s (optional on video: its caption is the explicit label)")
            }
            return Finding(
                .audioPrompt, .pass, "rhythm prompt ·− ·· at the start of the sound (\(Int((match.offset * 1000).rounded())) ms in)")
        } catch {
            return Finding(.audioPrompt, .skip, "not looked for: \(error.reason)")
        }
    }

    /// A video's opening caption. A recorded one is compared in the frames at 0.5 s and just
    /// before its recorded end; without a record, the standard caption is looked for at 0.5 s in
    /// every placement (a caption drawn by hand or by another tool in other words is not found).
    private func videoCaptionFinding(_ file: FileSource, record: CaptionRecord?) -> Finding {
        let info: VideoCodec.Info
        do throws(SynthLabelError) {
            info = try VideoCodec.probe(file)
        } catch {
            return Finding(.caption, .skip, "not looked for: \(error.reason)")
        }
        guard let renderer = try? GlyphRenderer(fontPath: nil) else {
            return Finding(.caption, .skip, "not looked for: the built-in caption font cannot be loaded")
        }
        let view = info.viewSize
        let shortest = Double(min(view.width, view.height))
        func match(_ mask: CoverageMask, _ box: CaptionBox, at seconds: Double) throws(SynthLabelError) -> Double {
            Self.correlation(mask, raster: try VideoCodec.frame(of: file, at: seconds), orientation: info.orientation, box: box)
        }
        guard let record else {
            let text = PromptWording.caption.text
            var best: (placement: CaptionPlacement, match: Double)?
            for placement in CaptionPlacement.allCases {
                guard
                    let layout = try? CaptionLayout(
                        text: text, renderer: renderer, viewWidth: view.width, viewHeight: view.height, placement: placement,
                        share: CaptionLayout.defaultTextHeight, path: file.path),
                    let found = try? match(layout.mask, layout.box, at: 0.5)
                else { continue }
                if found > best?.match ?? -1 { best = (placement, found) }
            }
            guard let best, best.match >= Self.captionMatchThreshold else {
                return Finding(.caption, .warn, "no caption \"\(text)\" found at 0.5 s in any of the standard places, and none is recorded")
            }
            return Finding(
                .caption, .pass,
                "caption \"\(text)\" found at \(best.placement.rawValue) at 0.5 s (match \(Self.percent(best.match))); not recorded in the metadata, so its duration is unknown"
            )
        }
        let box = record.box
        if let outside = Self.outsideFinding(box, view: view, picture: "picture") { return outside }
        guard renderer.missingCharacters(in: record.text).isEmpty else {
            return Finding(.caption, .warn, "caption \"\(record.text)\" recorded, drawn with a font SynthLabel does not ship; not compared")
        }
        let mask = renderer.render(record.text, pixelSize: record.pixelSize)
        let shown = record.duration ?? ExplicitLabel.minimumCaptionDuration
        let times = [min(0.5, shown / 2), max(0, shown - 0.1)]
        var matches: [Double] = []
        for time in times {
            let found: Double
            do throws(SynthLabelError) {
                found = try match(mask, box, at: time)
            } catch {
                return Finding(.caption, .skip, "not compared: the frame at \(time) s could not be decoded (\(error.reason))")
            }
            if found < Self.captionMatchThreshold {
                return Finding(
                    .caption, .fail,
                    "the caption \"\(record.text)\" recorded in the label is not in the frame at \(time) s (match \(Self.percent(found))): it was removed, cut off or painted over"
                )
            }
            matches.append(found)
        }
        let share = Double(record.textHeight) / shortest
        if let small = Self.tooSmallFinding(record, share: share) { return small }
        let duration = VideoCaption.seconds(shown)
        return Finding(
            .caption, .pass,
            "caption \"\(record.text)\" shown for the first \(duration), found at \(times.map { "\($0) s" }.joined(separator: " and ")) (match \(matches.map(Self.percent).joined(separator: ", "))), text \(record.textHeight) px = \(Self.percent(share)) of the shortest side"
        )
    }

    /// A recorded box the picture no longer contains: cropped or resized after captioning.
    private static func outsideFinding(_ box: CaptionBox, view: (width: Int, height: Int), picture: String) -> Finding? {
        guard box.width <= 0 || box.height <= 0 || box.x + box.width > view.width || box.y + box.height > view.height else { return nil }
        return Finding(
            .caption, .fail,
            "the recorded caption box \(box.width)×\(box.height) at \(box.x),\(box.y) lies outside the \(view.width)×\(view.height) \(picture): it was cropped or resized after captioning"
        )
    }

    /// A caption found whose text is under GB 45438's 5 % of the shortest side.
    private static func tooSmallFinding(_ record: CaptionRecord, share: Double) -> Finding? {
        guard share < 0.05 else { return nil }
        return Finding(
            .caption, .fail,
            "caption \"\(record.text)\" found, but its text is \(Self.percent(share)) of the shortest side (GB 45438 §5: at least 5 %)")
    }

    static func percent(_ value: Double) -> String {
        "\(Double(Int((value * 1000).rounded())) / 10) %"
    }
}
