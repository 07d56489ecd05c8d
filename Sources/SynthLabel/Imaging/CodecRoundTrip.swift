/// A plain decode and re-encode with the codecs and settings captions use, and nothing else:
/// the baseline the caption benchmark compares against (`bench/caption-vs-reencode.sh`).
package enum CodecRoundTrip {
    /// Reads `path`, decodes it (libpng or libjpeg-turbo), encodes it again and writes `destination`.
    package static func reencode(_ path: String, to destination: String) throws(SynthLabelError) {
        let file = try FileSource(path: path, readingWholeUpTo: 0)
        let bytes = try file.wholeBytes(path: path)
        let output: [UInt8]
        if bytes.starts(with: PNGAdapter.signature) {
            output = try PNGCodec.encode(try PNGCodec.decode(bytes, path: path).raster, path: path)
        } else {
            let (raster, subsampling) = try JPEGCodec.decode(bytes, path: path)
            output = try JPEGCodec.encode(raster, subsampling: subsampling, quality: JPEGCodec.fallbackQuality, path: path)
        }
        let staged = try FileSink.stage(
            {
                var plan = EditPlan()
                plan.insert(output)
                return plan
            }(), from: FileSource(bytes: output), to: destination,
            replacing: nil, flushNow: false)
        try FileSink.commit(staged)
    }
}
