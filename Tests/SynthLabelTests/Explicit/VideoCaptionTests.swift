import Foundation
import Testing

@testable import SynthLabel

/// The opening-frames caption on video, on clips FFmpeg's encoders make. FFmpeg decodes the
/// result without a word, tesseract reads the caption in frames at 0.5 s and 1.9 s, the frames
/// after the re-encoded GOPs are bit for bit the original's, and `verify` finds the caption.
@Suite struct VideoCaptionTests {
    let folder = TemporaryDirectory()

    /// A clip from FFmpeg's test pattern with a sine tone: `video` and `audio` are encoder options.
    func clip(_ name: String, seconds: Int = 5, rate: Int = 25, size: String = "640x360", video: String, audio: String = "-c:a aac")
        throws -> String
    {
        let path = folder.file(name)
        try Media.shell(
            "ffmpeg -v error -f lavfi -i testsrc2=size=\(size):rate=\(rate):duration=\(seconds) -f lavfi -i sine=f=440:d=\(seconds) "
                + "\(video) \(audio) -shortest '\(path)'")
        return path
    }

    /// The MD5 of every decoded video frame, in order.
    func frameDigests(_ path: String) throws -> [String] {
        try Media.shell("ffmpeg -v error -i '\(path)' -map 0:v -f framemd5 -").stdout.split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { String($0.split(separator: ",").last ?? "") }
    }

    /// What tesseract reads inside `box` (view coordinates) of the frame shown at `seconds`.
    func textInFrame(_ path: String, at seconds: Double, box: CaptionBox) throws -> String {
        let frame = folder.file("frame-\(UUID().uuidString).png")
        try Media.shell("ffmpeg -v error -ss \(seconds) -i '\(path)' -frames:v 1 '\(frame)'")
        return try Media.ocr(frame, box: (box.x, box.y, box.width, box.height))
    }

    func expectDecodesCleanly(_ path: String) throws {
        let decoded = try Fixtures.run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        #expect(decoded.status == 0 && decoded.stderr.isEmpty, "\(decoded.stderr)")
    }

    func caption(of path: String) throws -> CaptionRecord {
        let file = try FileSource(path: path)
        let reading = try Inspection.carrier(of: file).adapter.read(file)
        return try #require(reading.caption)
    }

    @Test(arguments: [
        ("h264.mp4", "-c:v libx264 -g 25"), ("h264-faststart.mp4", "-c:v libx264 -g 25 -bf 0 -movflags +faststart"),
        ("h264.mov", "-c:v libx264 -g 25"), ("h264.mkv", "-c:v libx264 -g 25"),
    ])
    func h264IsReencodedOnlyWhereTheCaptionIs(_ name: String, _ video: String) throws {
        let source = try clip(name, video: video + " -pix_fmt yuv420p", audio: name.hasSuffix(".mkv") ? "-c:a libvorbis" : "-c:a aac")
        let before = Fixtures.read(source)
        let output = folder.file("captioned-" + name)
        let outcome = try Fixtures.labelExplicitly(source, to: output)
        #expect(Fixtures.read(source) == before, "the original is untouched")
        let summary = try #require(outcome.explicit)
        #expect(summary.contains("the opening 2 s re-encoded (libx264), every later packet copied"), "\(summary)")

        try expectDecodesCleanly(output)
        let record = try caption(of: output)
        #expect(record.duration == 2)
        for seconds in [0.5, 1.9] {
            let text = try textInFrame(output, at: seconds, box: record.box)
            #expect(text.contains("生成") || text.contains("AI"), "at \(seconds) s: \(text)")
        }
        // GOPs are 1 s (25 frames): the first two were re-encoded, every later frame is the original's.
        let original = try frameDigests(source)
        let captioned = try frameDigests(output)
        #expect(captioned.count == original.count)
        #expect(Array(captioned[50...]) == Array(original[50...]), "frames after the caption are bit for bit the original's")
        #expect(zip(captioned[..<50], original[..<50]).allSatisfy { $0 != $1 }, "every captioned frame changed")
        // Every other stream is copied: its packets and their timing are the original's.
        let audio = { (path: String) in try Media.shell("ffmpeg -v error -i '\(path)' -map 0:a -c copy -f framemd5 -").stdout }
        #expect(try audio(output) == audio(source))
        #expect(try Media.formatTag("AIGC", output) == Fixtures.label(id: "EX-1").wrappedJSON)

        let report = try Fixtures.report(output)
        #expect(report.verdict == .compliant)
        let found = try #require(report.findings.first { $0.check == .caption })
        #expect(found.outcome == .pass && found.message.contains("shown for the first 2 s"), "\(found.message)")
    }

    @Test(arguments: [
        ("vp9.webm", "-c:v libvpx-vp9 -b:v 400k -g 50 -deadline realtime", "-c:a libopus", "libvpx-vp9"),
        ("hevc.mp4", "-c:v libx265 -b:v 400k -tag:v hvc1 -x265-params log-level=error", "-c:a aac", "libx265"),
        ("av1.mp4", "-c:v libsvtav1 -b:v 300k -g 50", "-c:a aac", "libsvtav1"),
    ])
    func otherCodecsAreReencodedWholeAtTheirBitrate(_ name: String, _ video: String, _ audio: String, _ encoder: String) throws {
        let source = try clip(name, video: video, audio: audio)
        let output = folder.file("captioned-" + name)
        let outcome = try Fixtures.labelExplicitly(source, to: output)
        let summary = try #require(outcome.explicit)
        #expect(summary.contains("the whole video stream re-encoded with \(encoder)"), "\(summary)")
        try expectDecodesCleanly(output)

        // Same codec, size, rate and pixel format; the bitrate within 10 % of the original's.
        let probe = { (path: String) in
            try Media.shell(
                "ffprobe -v error -select_streams v -show_entries stream=codec_name,width,height,avg_frame_rate,pix_fmt -of csv=p=0 '\(path)'"
            ).stdout
        }
        #expect(try probe(output) == probe(source))
        let bytes = { (path: String) in
            try Media.shell("ffprobe -v error -select_streams v -show_entries packet=size -of csv=p=0 '\(path)' | paste -sd+ | bc").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let ratio = try #require(Double(bytes(output))) / #require(Double(bytes(source)))
        #expect(abs(ratio - 1) <= 0.10, "video bytes \(ratio)× the original's")
        let record = try caption(of: output)
        let text = try textInFrame(output, at: 1.9, box: record.box)
        #expect(text.contains("生成") || text.contains("AI"), "\(text)")
        #expect(try Fixtures.report(output).findings.first { $0.check == .caption }?.outcome == .pass)
    }

    /// The 800 Hz band's RMS level in dB over a stretch of the sound, as FFmpeg's filters measure it.
    func toneLevel(_ path: String, _ range: String) throws -> Double {
        let run = try Media.shell(
            "ffmpeg -hide_banner \(range) -i '\(path)' -map 0:a -af 'bandpass=f=800:w=40:t=h,astats=measure_overall=RMS_level:measure_perchannel=none' -f null - 2>&1"
        )
        let line = try #require(run.stdout.split(separator: "\n").last { $0.contains("RMS level dB:") })
        return try #require(Double(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? ""))
    }

    @Test(arguments: [("prompt.mp4", "-c:a aac"), ("prompt.mkv", "-c:a libvorbis"), ("prompt.webm", "-c:a libopus")])
    func theAudioPromptIsMixedIntoTheStartOfTheSoundWhenAsked(_ name: String, _ audio: String) throws {
        let video = name.hasSuffix(".webm") ? "-c:v libvpx-vp9 -b:v 300k -deadline realtime" : "-c:v libx264 -g 25"
        let source = try clip(name, video: video, audio: audio)
        let output = folder.file("prompted-" + name)
        let outcome = try Fixtures.labelExplicitly(source, to: output) { $0.audioPromptOnVideo = true }
        #expect(outcome.explicit?.contains("rhythm prompt ·− ·· mixed into the start of the sound") == true, "\(outcome.explicit ?? "")")
        try expectDecodesCleanly(output)
        // FFmpeg hears the 800 Hz tone in the first seconds, far above the same band later on.
        let opening = try toneLevel(output, "-t 2.3")
        let later = try toneLevel(output, "-ss 3 -t 2")
        #expect(opening - later >= 12, "800 Hz: \(opening) dB in the opening, \(later) dB later")
        // As many samples as before, from the same start: picture and sound stay together.
        let samples = { (path: String) in try Media.shell("ffmpeg -v error -i '\(path)' -map 0:a -f s16le - | wc -c").stdout }
        #expect(try samples(output) == samples(source))
        let report = try Fixtures.report(output)
        #expect(report.findings.first { $0.check == .audioPrompt }?.outcome == .pass)
        #expect(report.findings.first { $0.check == .caption }?.outcome == .pass)
        // Without asking, the sound's packets are copied and the prompt is not there.
        let plain = folder.file("plain-" + name)
        _ = try Fixtures.labelExplicitly(source, to: plain)
        let copied = { (path: String) in try Media.shell("ffmpeg -v error -i '\(path)' -map 0:a -c copy -f framemd5 -").stdout }
        #expect(try copied(plain) == copied(source))
        #expect(try Fixtures.report(plain).findings.first { $0.check == .audioPrompt }?.outcome == .skip)
    }

    @Test func aCaptionedVideoIsSignedOverWhatItShows() throws {
        let source = try clip("signed.mp4", video: "-c:v libx264 -g 25")
        let output = folder.file("signed-captioned.mp4")
        let keyName = folder.file("producer")
        let key = try KeyFile.generate(.sm2, writingTo: keyName)
        let labeller = Labeller(explicit: ExplicitLabel(), signingKey: try SigningKey(contentsOf: keyName + ".key"))
        try labeller.label(fileAt: source, with: Fixtures.label(id: "SIGNED"), writingTo: output)
        let report = try Verifier(trust: TrustStore(keys: [key])).verify(fileAt: output)
        let signature = report.findings.first { $0.check == .producerSignature }
        #expect(
            signature?.outcome == .pass && signature?.message.contains("content binding holds") == true, "\(String(describing: signature))")
        #expect(report.findings.first { $0.check == .caption }?.outcome == .pass)
    }

    @Test func aRotatedVideoGetsItsCaptionUpright() throws {
        let plain = try clip("plain.mp4", video: "-c:v libx264 -g 25")
        let rotated = folder.file("rotated.mp4")
        try Media.shell("ffmpeg -v error -i '\(plain)' -c copy -metadata:s:v:0 rotate=90 '\(rotated)'")
        let output = folder.file("captioned-rotated.mp4")
        _ = try Fixtures.labelExplicitly(rotated, to: output)
        let record = try caption(of: output)
        // Laid out on the 360×640 picture a player shows, at its bottom right.
        #expect(record.box.x + record.box.width <= 360 && record.box.y > 320, "\(record.box)")
        let text = try textInFrame(output, at: 0.5, box: record.box)
        #expect(text.contains("生成") || text.contains("AI"), "\(text)")
        #expect(try Fixtures.report(output).findings.first { $0.check == .caption }?.outcome == .pass)
    }

    @Test func aLongerCaptionCoversMoreGOPs() throws {
        let source = try clip("long.mp4", seconds: 6, video: "-c:v libx264 -g 25")
        let output = folder.file("captioned-long.mp4")
        let outcome = try Fixtures.labelExplicitly(source, to: output) { $0.captionDuration = 3.5 }
        #expect(outcome.explicit?.contains("for the first 3.5 s; the opening 4 s re-encoded") == true, "\(outcome.explicit ?? "")")
        let record = try caption(of: output)
        #expect(record.duration == 3.5)
        let text = try textInFrame(output, at: 3.3, box: record.box)
        #expect(text.contains("生成") || text.contains("AI"), "\(text)")
        let original = try frameDigests(source)
        #expect(try Array(frameDigests(output)[100...]) == Array(original[100...]))
    }

    @Test func verifyFailsWhenTheRecordedCaptionIsGone() throws {
        let source = try clip("gone.mp4", video: "-c:v libx264 -g 25")
        let output = folder.file("captioned-gone.mp4")
        _ = try Fixtures.labelExplicitly(source, to: output)
        // The captioned file's metadata (label and caption record) over the uncaptioned pictures.
        let tampered = folder.file("tampered.mp4")
        try Media.shell(
            "ffmpeg -v error -i '\(output)' -i '\(source)' -map 1:v -map 0:a -map_metadata 0 -c copy -movflags use_metadata_tags '\(tampered)'"
        )
        let finding = try #require(Fixtures.report(tampered).findings.first { $0.check == .caption })
        #expect(finding.outcome == .fail && finding.message.contains("is not in the frame at 0.5 s"), "\(finding.message)")

        // No record and no caption: a warning, as for a missing caption anywhere.
        let plain = try #require(Fixtures.report(source).findings.first { $0.check == .caption })
        #expect(plain.outcome == .warn)
    }

    @Test func aVideoTooSmallForTheCaptionIsRefusedAndLeftAlone() throws {
        let source = try clip("tiny.mp4", size: "32x24", video: "-c:v libx264")
        let output = folder.file("captioned-tiny.mp4")
        let error = Fixtures.thrown { _ = try Fixtures.labelExplicitly(source, to: output) }
        guard case .imageTooSmallForCaption(let path, 32, 24, _, _, _) = error else {
            Issue.record("expected imageTooSmallForCaption, got \(String(describing: error))")
            return
        }
        #expect(path == source && !FileManager.default.fileExists(atPath: output))
    }

    @Test func theCLISaysWhatWasReencoded() throws {
        let source = try clip("cli.mp4", video: "-c:v libx264 -g 25")
        let out = folder.file("out")
        let run = try Fixtures.synthlabel(
            "label", source, "--producer", Fixtures.producer, "--explicit", "--caption-duration", "2.5", "--output", out)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("for the first 2.5 s; the opening 3 s re-encoded (libx264)"), "\(run.stdout)")
        let scan = try Fixtures.synthlabel("scan", out, "--explicit", "--json")
        #expect(scan.stdout.contains("\"explicit.caption\"") && scan.status == 0, "\(scan.stdout)")
        let refused = try Fixtures.synthlabel(
            "label", source, "--producer", Fixtures.producer, "--explicit", "--caption-duration", "1", "--output", out)
        #expect(refused.status != 0 && refused.stderr.contains("--caption-duration must be a number of seconds from 2 up"))
    }
}
