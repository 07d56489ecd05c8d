import Glibc

/// The caption on a video's opening frames (GB 45438 §5.4: shown at the start, for a while):
/// laid out and drawn exactly as on an image, upright as the player shows the video (its
/// rotation honoured), and burnt in by `VideoCodec.caption`.
///
/// H.264 is smart-rendered: only the GOPs the caption covers are re-encoded and every later
/// packet is copied untouched. Other codecs are re-encoded whole with the same codec, size,
/// frame rate, pixel format and bitrate, and the summary says so. Other streams are copied.
struct VideoCaption {
    var style: CaptionStyle
    /// Seconds from the start; `.infinity` for the whole video.
    var duration: Double
    var renderer: GlyphRenderer
    /// The audio prompt to mix into the sound's opening, when asked for.
    var audioPrompt: (kind: AudioPromptKind, rhythm: RhythmPrompt)?

    /// The programme's gain beneath the prompt (−12 dB): the prompt is mixed over the sound rather
    /// than put before it (which would part sound from picture), and this keeps it the clearly
    /// dominant tone that `RhythmDetector` and a listener pick out.
    static let programmeGain: Float = 0.25

    func apply(to file: FileSource, carrier: Carrier, path: String) throws(SynthLabelError) -> ExplicitLabel.Result {
        let info = try VideoCodec.probe(file)
        let view = info.viewSize
        let layout = try CaptionLayout(
            text: style.text, renderer: renderer, viewWidth: view.width, viewHeight: view.height, placement: style.placement,
            share: style.textHeight, path: path)
        var overlay = Raster(
            width: info.width, height: info.height, channels: 4, bytesPerSample: 1,
            samples: [UInt8](repeating: 0, count: info.width * info.height * 4))
        overlay.paint(layout, orientation: info.orientation)
        let shown = duration.isFinite && (info.duration <= 0 || duration < info.duration) ? duration : info.duration
        var record = layout.record(text: style.text)
        record.duration = shown

        let prompt = try audioPrompt.flatMap { (kind, rhythm) throws(SynthLabelError) in try Self.prompt(kind, rhythm, for: file) }
        let temporary = try TemporaryFile.create(named: "synthlabel-video")
        defer { unlink(temporary) }
        let outcome = try VideoCodec.caption(
            file, into: temporary, format: try Self.muxer(for: file, carrier: carrier), overlay: overlay,
            box: Self.storedBox(layout.box, orientation: info.orientation, width: info.width, height: info.height),
            until: duration.isFinite ? duration : .infinity, prompt: prompt, programmeGain: Self.programmeGain,
            moovFirst: try Self.moovFirst(file, carrier: carrier),
            record: (CaptionRecord.videoKey, record.serialized))
        chmod(temporary, file.mode)
        // Readable through its descriptor after the deferred unlink.
        let captioned = try FileSource(path: temporary)
        return ExplicitLabel.Result(
            file: captioned, caption: record,
            summary: "caption \"\(style.text)\" \(record.textHeight) px high at \(style.placement.rawValue) for "
                + (duration.isFinite ? "the first \(Self.seconds(shown))" : "the whole video") + "; " + Self.describe(outcome)
                + Self.describePrompt(audioPrompt?.kind, encoder: outcome.audioEncoder))
    }

    /// The prompt's samples at the sound's rate and level (as `AudioPromptWriter` makes them,
    /// followed by its pause), or nil when the video has no sound.
    static func prompt(_ kind: AudioPromptKind, _ rhythm: RhythmPrompt, for file: FileSource) throws(SynthLabelError) -> [Float]? {
        guard let (rate, rms) = try VideoCodec.audioLevel(of: file) else { return nil }
        let samples =
            kind == .rhythm
            ? rhythm.samples(sampleRate: rate, amplitude: rhythm.amplitude(programmeRMS: rms), pauseAfter: true)
            : SpokenPrompt(relativeLevel: rhythm.relativeLevel, pause: rhythm.pause).samples(
                sampleRate: rate, programmeRMS: rms, pauseAfter: true)
        return samples.map(Float.init)
    }

    static func describePrompt(_ kind: AudioPromptKind?, encoder: String?) -> String {
        guard let kind else { return "" }
        let name = kind == .rhythm ? "rhythm prompt ·− ··" : "spoken prompt \"人工智能生成\""
        guard let encoder else { return "; no sound to add the \(name) to" }
        return
            "; \(name) mixed into the start of the sound, the programme 12 dB lower beneath it (re-encoded with \(encoder) at its bitrate)"
    }

    /// How the caption went in, for the user: which part was re-encoded and how.
    static func describe(_ outcome: VideoCodec.CaptionOutcome) -> String {
        let kbits = { (rate: Int) in "\(rate / 1000) kbit/s" }
        if outcome.smartRendered {
            return outcome.copiedTheRest
                ? "the opening \(seconds(outcome.reencodedSeconds)) re-encoded (\(outcome.encoder)), every later packet copied"
                : "the whole video re-encoded (\(outcome.encoder)): no keyframe follows the caption"
        }
        return "the whole video stream re-encoded with \(outcome.encoder) at \(kbits(outcome.newBitRate)) "
            + "(original \(kbits(outcome.originalBitRate))): only H.264 is re-encoded in part"
    }

    static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths)) s" : "\(tenths) s"
    }

    /// The box as stored in the coded picture: opposite corners stay opposite under any turn or flip.
    static func storedBox(_ box: CaptionBox, orientation: Orientation, width: Int, height: Int) -> CaptionBox {
        let (ax, ay) = orientation.storedPoint(box.x, box.y, storedWidth: width, storedHeight: height)
        let (bx, by) = orientation.storedPoint(box.x + box.width - 1, box.y + box.height - 1, storedWidth: width, storedHeight: height)
        return CaptionBox(x: min(ax, bx), y: min(ay, by), width: abs(ax - bx) + 1, height: abs(ay - by) + 1)
    }

    /// The libav muxer that writes the same kind of file: MOV for QuickTime's brand, WebM for
    /// WebM's DocType.
    static func muxer(for file: FileSource, carrier: Carrier) throws(SynthLabelError) -> String {
        let head: [UInt8]
        do { head = try file.bytes(upTo: 64, at: 0) } catch { throw SynthLabelError(error, path: file.path) }
        switch carrier {
        case .mp4: return head.count >= 12 && Array(head[8..<12]) == Array("qt  ".utf8) ? "mov" : "mp4"
        case .matroska: return head.firstRange(of: Array("webm".utf8)) != nil ? "webm" : "matroska"
        case .avi: return "avi"
        default: throw .cannotEncode(path: file.path, reason: "\(carrier.displayName) is not a video container")
        }
    }

    /// Whether an MP4's `moov` comes before its media data (so the captioned file keeps it first).
    static func moovFirst(_ file: FileSource, carrier: Carrier) throws(SynthLabelError) -> Bool {
        guard carrier == .mp4 else { return false }
        do {
            let types = try MP4Adapter.boxes(in: 0..<file.size, of: file).map(\.type)
            guard let moov = types.firstIndex(of: "moov") else { return false }
            return types.firstIndex(of: "mdat").map { moov < $0 } ?? true
        } catch {
            throw SynthLabelError(error, path: file.path)
        }
    }
}
