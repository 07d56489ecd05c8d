/// The image watermark check: is the keyed invisible mark there, and does it belong to the label?
///
/// Outcomes: the mark matches the label's producer and ProduceID (pass); the mark is there but the
/// file has no metadata label, so it is still known to be AI-generated (pass, with the payload to
/// look up in the ledger); the mark was made for another label (fail); a labelled image without
/// the mark (warn); an unlabelled image without it (skip).
extension Verifier {
    func watermarkFinding(_ file: FileSource, carrier: Carrier, reading: CarrierReading)
        -> (finding: Finding, detection: WatermarkDetection?)?
    {
        guard let watermarkKey, carrier == .png || carrier == .jpeg else { return nil }
        let watermark = ImageWatermark(key: watermarkKey)
        let detection: WatermarkDetection
        do {
            detection = try ImageWatermarker.detect(
                ExplicitLabel.wholeFile(file, path: file.path), carrier: carrier, with: watermark, path: file.path)
        } catch {
            return (Finding(.imageWatermark, .error, "the pixels could not be decoded to look for the watermark: \(error)"), nil)
        }
        let parsed = reading.sites.compactMap { site in (try? site.parsed.get()).map { (site, $0.label) } }
        let label = (parsed.first { $0.0.isCanonical } ?? parsed.first)?.1
        guard detection.present, let found = detection.payload, let hex = detection.payloadHex else {
            let message = "no watermark under \(watermarkKey)"
            return (Finding(.imageWatermark, label == nil ? .skip : .warn, message), detection)
        }
        guard let label else {
            return (
                Finding(
                    .imageWatermark, .pass,
                    "AI-generated: watermark \(hex) found though the metadata label is gone ('synthlabel ledger find --watermark \(hex)' names its record)"
                ), detection
            )
        }
        let expected = watermark.payload(for: label)
        guard expected == found else {
            return (
                Finding(
                    .imageWatermark, .fail,
                    "the watermark (\(hex)) was made for another label than this one, whose mark would be \(WatermarkDetection.hex(expected))"
                ), detection
            )
        }
        return (Finding(.imageWatermark, .pass, "watermark \(hex) matches the label"), detection)
    }
}
