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
        let codec = withUnsafeBytes(of: info.codec, text)
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

    /// The first audio stream's sample rate and RMS level (full scale 1); nil without sound.
    static func audioLevel(of file: FileSource) throws(SynthLabelError) -> (sampleRate: Int, rms: Double)? {
        var rate: Int32 = 0
        var rms = 0.0
        var error = [CChar](repeating: 0, count: 512)
        guard cvideo_audio_level(file.descriptorPath, &rate, &rms, &error, error.count) == 0 else {
            throw .cannotDecode(path: file.path, reason: message(error))
        }
        return rate > 0 ? (Int(rate), rms) : nil
    }

    /// The first `seconds` of the first audio stream as mono samples, with its rate; nil without sound.
    static func audioHead(of file: FileSource, seconds: Double) throws(SynthLabelError) -> (samples: [Double], sampleRate: Int)? {
        var mono: UnsafeMutablePointer<Float>?
        var count = 0
        var rate: Int32 = 0
        var error = [CChar](repeating: 0, count: 512)
        guard cvideo_audio_head(file.descriptorPath, seconds, &mono, &count, &rate, &error, error.count) == 0 else {
            throw .cannotDecode(path: file.path, reason: message(error))
        }
        defer { free(mono) }
        guard let mono, rate > 0 else { return nil }
        return (UnsafeBufferPointer(start: mono, count: count).map(Double.init), Int(rate))
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
        /// The sound's encoder when a prompt was mixed in (nil: its packets were copied).
        var audioEncoder: String?
    }

    /// Writes `file` to `output` (libav muxer `format`) with `overlay` (straight-alpha RGBA of
    /// the coded size, transparent outside `box`) blended into every frame shown before `until`
    /// seconds; `prompt` (mono, at the sound's rate) mixed into the first audio stream's start,
    /// the programme lowered to `programmeGain` beneath it; `record` goes into the container's metadata.
    static func caption(
        _ file: FileSource, into output: String, format: String, overlay: Raster, box: CaptionBox, until: Double,
        prompt: [Float]?, programmeGain: Float, moovFirst: Bool, record: (key: String, value: String)
    ) throws(SynthLabelError) -> CaptionOutcome {
        var error = [CChar](repeating: 0, count: 512)
        var job = cvideo_caption_job()
        let promptSamples = prompt ?? []
        let status = overlay.samples.withUnsafeBufferPointer { samples in
            promptSamples.withUnsafeBufferPointer { promptBuffer in
                record.key.withCString { key in
                    record.value.withCString { value in
                        job.overlay = samples.baseAddress
                        (job.box_x, job.box_y) = (Int32(box.x), Int32(box.y))
                        (job.box_width, job.box_height) = (Int32(box.width), Int32(box.height))
                        job.until = until
                        job.moov_first = moovFirst ? 1 : 0
                        job.prompt = prompt == nil ? nil : promptBuffer.baseAddress
                        job.prompt_length = promptBuffer.count
                        job.programme_gain = programmeGain
                        job.record_key = key
                        job.record_value = value
                        return cvideo_caption(file.descriptorPath, output, format, &job, &error, error.count)
                    }
                }
            }
        }
        guard status == 0 else { throw .cannotEncode(path: file.path, reason: message(error)) }
        let audioEncoder = withUnsafeBytes(of: job.audio_encoder, text)
        return CaptionOutcome(
            smartRendered: job.smart != 0, copiedTheRest: job.copied != 0, reencodedSeconds: job.reencoded_seconds,
            originalBitRate: Int(job.original_bit_rate), newBitRate: Int(job.new_bit_rate), encoder: withUnsafeBytes(of: job.encoder, text),
            audioEncoder: audioEncoder.isEmpty ? nil : audioEncoder)
    }
}

extension VideoCodec {
    /// The shim's sentence, up to its terminating zero.
    fileprivate static func message(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBytes(text)
    }

    /// A fixed C character array's text, up to its terminating zero.
    fileprivate static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
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
