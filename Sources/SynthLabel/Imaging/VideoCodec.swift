import CVideo
import Glibc

/// Video through FFmpeg's libraries (the CVideo shim): what a stream holds, the pixels of one
/// frame, and a caption burnt into the opening frames.
///
/// libav opens files by name, so a `FileSource` is handed over as `/proc/self/fd/N`: the very
/// file SynthLabel opened and checked, even if its name has since changed or gone.
enum VideoCodec {
    /// The video stream's shape and timing.
    struct Info: Sendable {
        var width: Int
        var height: Int
        /// How a player turns the coded picture (its display matrix), as an EXIF orientation.
        var orientation: Orientation
        var duration: Double
        var frameRate: Double
        var bitRate: Int
        var codec: String

        var viewSize: (width: Int, height: Int) { orientation.viewSize(storedWidth: width, storedHeight: height) }
    }

    static func probe(_ file: FileSource) throws(SynthLabelError) -> Info {
        var info = cvideo_info()
        var error = [CChar](repeating: 0, count: 512)
        guard cvideo_probe(file.descriptorPath, &info, &error, error.count) == 0 else {
            throw .cannotDecode(path: file.path, reason: message(error))
        }
        let codec = withUnsafeBytes(of: info.codec) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Info(
            width: Int(info.width), height: Int(info.height), orientation: Orientation(clockwiseRotation: Int(info.clockwise_rotation)),
            duration: info.duration, frameRate: info.frame_rate, bitRate: Int(info.bit_rate), codec: codec)
    }

    /// The frame on screen `seconds` in, as 8-bit RGB in coded orientation.
    static func frame(of file: FileSource, at seconds: Double) throws(SynthLabelError) -> Raster {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0
        var height: Int32 = 0
        var error = [CChar](repeating: 0, count: 512)
        guard cvideo_frame(file.descriptorPath, seconds, &pixels, &width, &height, &error, error.count) == 0, let pixels else {
            throw .cannotDecode(path: file.path, reason: message(error))
        }
        defer { free(pixels) }
        let count = Int(width) * Int(height) * 3
        return Raster(
            width: Int(width), height: Int(height), channels: 3, bytesPerSample: 1,
            samples: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// What `caption` did.
    struct CaptionOutcome: Sendable {
        /// H.264 re-encoded only up to the first keyframe after the caption...
        var smartRendered: Bool
        /// ...and the packets from there on copied (false when no keyframe followed).
        var copiedTheRest: Bool
        var reencodedSeconds: Double
        var originalBitRate: Int
        var newBitRate: Int
        var encoder: String
    }

    /// Writes `file` to `output` (libav muxer `format`) with `overlay` (straight-alpha RGBA of
    /// the coded size, transparent outside `box`) blended into every frame shown before `until`
    /// seconds; `record` goes into the container's metadata.
    static func caption(
        _ file: FileSource, into output: String, format: String, overlay: Raster, box: CaptionBox, until: Double,
        wholeStream: Bool, moovFirst: Bool, record: (key: String, value: String)
    ) throws(SynthLabelError) -> CaptionOutcome {
        var error = [CChar](repeating: 0, count: 512)
        var job = cvideo_caption_job()
        let status = overlay.samples.withUnsafeBufferPointer { samples in
            record.key.withCString { key in
                record.value.withCString { value in
                    job.overlay = samples.baseAddress
                    (job.box_x, job.box_y) = (Int32(box.x), Int32(box.y))
                    (job.box_width, job.box_height) = (Int32(box.width), Int32(box.height))
                    job.until = until
                    job.whole_stream = wholeStream ? 1 : 0
                    job.moov_first = moovFirst ? 1 : 0
                    job.record_key = key
                    job.record_value = value
                    return cvideo_caption(file.descriptorPath, output, format, &job, &error, error.count)
                }
            }
        }
        guard status == 0 else { throw .cannotEncode(path: file.path, reason: message(error)) }
        let encoder = withUnsafeBytes(of: job.encoder) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return CaptionOutcome(
            smartRendered: job.smart != 0, copiedTheRest: job.copied != 0, reencodedSeconds: job.reencoded_seconds,
            originalBitRate: Int(job.original_bit_rate),
            newBitRate: Int(job.new_bit_rate), encoder: encoder)
    }
}

extension VideoCodec {
    /// The shim's sentence, up to its terminating zero.
    fileprivate static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Orientation {
    /// The EXIF orientation that turns a picture `degrees` clockwise (0, 90, 180, 270).
    init(clockwiseRotation degrees: Int) {
        switch degrees {
        case 90: self.init(value: 6)
        case 180: self.init(value: 3)
        case 270: self.init(value: 8)
        default: self = .normal
        }
    }
}
