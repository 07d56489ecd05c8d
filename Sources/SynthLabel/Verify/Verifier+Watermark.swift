/// The watermark checks (`watermark.image` in PNG and JPEG pixels, `watermark.audio` in the
/// samples of WAV, FLAC, Ogg and MP3): is the keyed invisible mark there, and does it belong to
/// the label?
///
/// Outcomes: the mark matches the label's producer and ProduceID (pass); the mark is there but the
/// file has no metadata label, so it is still known to be AI-generated (pass, with the payload to
/// look up in the ledger, when the mark is tied to this content; warn when it is not); the mark
/// was made for another label (fail); a labelled file without the mark (warn); an unlabelled
/// file without it (skip).
///
/// `watermark.copied` says whether the mark was made for this picture or programme (its
/// content-bound layer: `ImageBinding`, `AudioBinding`): tied to it (pass), made for other
/// content and copied here (fail), or too little of that layer left to tell (warn).
extension Verifier {
    func watermarkFindings(_ file: FileSource, carrier: Carrier, reading: CarrierReading)
        -> (findings: [Finding], detection: WatermarkDetection?)?
    {
        guard let (finding, detection) = watermarkFinding(file, carrier: carrier, reading: reading) else { return nil }
        let content = ImageWatermarker.carriers.contains(carrier) ? "picture" : "programme"
        return ([finding, copiedFinding(detection, content: content)], detection)
    }

    /// `watermark.copied`: whether the mark found belongs to this content (a "picture" or a
    /// "programme").
    private func copiedFinding(_ detection: WatermarkDetection?, content: String) -> Finding {
        guard let detection, detection.present, let binding = detection.binding else {
            return Finding(.copiedWatermark, .skip, "no watermark found")
        }
        func tenths(_ value: Double) -> String { String(Double((value * 10).rounded()) / 10) }
        let figures = "z \(tenths(binding.score)), where a mark made for it would give about \(tenths(binding.expected))"
        switch binding.verdict {
        case .confirmed:
            return Finding(.copiedWatermark, .pass, "the mark was made for this \(content) (\(figures))")
        case .copied:
            return Finding(
                .copiedWatermark, .fail,
                "the mark was made for another \(content) and copied onto this one (\(figures)): it attributes nothing")
        case .unconfirmed:
            return Finding(
                .copiedWatermark, .warn,
                "the mark could not be tied to this \(content) (\(figures)): it may have been copied from another, or the \(content) changed too much to tell; it attributes nothing"
            )
        }
    }

    private func watermarkFinding(_ file: FileSource, carrier: Carrier, reading: CarrierReading)
        -> (finding: Finding, detection: WatermarkDetection?)?
    {
        guard let watermarkKey else { return nil }
        let isImage = ImageWatermarker.carriers.contains(carrier)
        guard isImage || AudioWatermarker.carriers.contains(carrier) else { return nil }
        let check: Check = isImage ? .imageWatermark : .audioWatermark
        let detection: WatermarkDetection
        do throws(SynthLabelError) {
            detection =
                isImage
                ? try ImageWatermarker.detect(
                    file.wholeBytes(path: file.path), carrier: carrier, with: ImageWatermark(key: watermarkKey),
                    path: file.path)
                : try AudioWatermarker.detect(file, key: watermarkKey, path: file.path)
        } catch {
            let what = isImage ? "pixels" : "samples"
            return (Finding(check, .skip, "not looked for: the \(what) could not be decoded (\(error.reason))"), nil)
        }
        let parsed = reading.sites.compactMap { site in (try? site.parsed.get()).map { (site, $0.label) } }
        let label = (parsed.first { $0.0.isCanonical } ?? parsed.first)?.1
        guard detection.present, let found = detection.payload, let hex = detection.payloadHex else {
            let message = "no watermark under \(watermarkKey)"
            return (Finding(check, label == nil ? .skip : .warn, message), detection)
        }
        guard let label else {
            if detection.binding?.verdict != .confirmed {
                let content = isImage ? "picture" : "programme"
                return (
                    Finding(
                        check, .warn,
                        "watermark \(hex) found though the metadata label is gone, but not tied to this \(content) (see watermark.copied): it shows neither that this file is AI-generated nor whose it is"
                    ), detection
                )
            }
            return (
                Finding(
                    check, .pass,
                    "AI-generated: watermark \(hex) found though the metadata label is gone ('synthlabel ledger find --watermark \(hex)' names its record)"
                ), detection
            )
        }
        let expected = watermarkKey.payload(for: label)
        guard expected == found else {
            return (
                Finding(
                    check, .fail,
                    "the watermark (\(hex)) was made for another label than this one, whose mark would be \(WatermarkDetection.hex(expected))"
                ), detection
            )
        }
        return (Finding(check, .pass, "watermark \(hex) matches the label"), detection)
    }
}
