import Dispatch

/// Times the image mark on decoded pixels, codecs excluded: what `bench/watermark-speed.sh`
/// reports against the target (embed and detect each under 80 ms for 1024², one core).
package enum WatermarkTiming {
    package struct Result {
        package var width: Int
        package var height: Int
        package var embedSeconds: [Double]
        package var detectSeconds: [Double]
        package var found: Bool
    }

    package static func measure(imageAt path: String, keyAt keyPath: String, rounds: Int) throws(SynthLabelError) -> Result {
        let watermark = ImageWatermark(key: try WatermarkKey(contentsOf: keyPath))
        let file = try FileSource(path: path, readingWholeUpTo: 0)
        let bytes = try file.wholeBytes(path: path)
        let carrier: Carrier = bytes.starts(with: PNGAdapter.signature) ? .png : .jpeg
        let raster = try DecodedImage(bytes, carrier: carrier, path: path).raster
        let payload: UInt64 = 0x0123_4567_89AB_CDEF
        var result = Result(width: raster.width, height: raster.height, embedSeconds: [], detectSeconds: [], found: true)
        for _ in 0..<rounds {
            var marked = raster
            var start = DispatchTime.now().uptimeNanoseconds
            watermark.embed(payload, into: &marked, orientation: .normal)
            result.embedSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            start = DispatchTime.now().uptimeNanoseconds
            let detection = watermark.detect(in: marked, orientation: .normal)
            result.detectSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            result.found = result.found && detection.payload == payload
        }
        return result
    }
}
