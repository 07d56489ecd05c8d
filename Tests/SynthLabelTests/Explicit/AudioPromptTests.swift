import Foundation
import Testing

@testable import SynthLabel

/// The rhythm prompt ·− ·· in audio: formats kept, programme samples kept, found by the
/// detector, also after lame's MP3 at 128 kbit/s and a level change.
@Suite struct AudioPromptTests {
    let folder = TemporaryDirectory()

    func wav(_ name: String, channels: Int, rate: Int, encoding: Media.SampleEncoding, seconds: Double = 3) -> String {
        let path = folder.file(name)
        Fixtures.write(
            Media.wav(
                Media.programme(seconds: seconds, rate: rate, channels: channels), channels: channels, rate: rate, encoding: encoding),
            to: path)
        return path
    }

    @Test(arguments: [
        ("mono8.wav", 1, 8000, Media.SampleEncoding.unsigned8, "Bit Width     : 8"),
        ("stereo16.wav", 2, 44100, .pcm16, "Bit Width     : 16"),
        ("mono24.wav", 1, 48000, .pcm24, "Bit Width     : 24"),
        ("stereo-float.wav", 2, 22050, .float32, "WAVE_FORMAT_IEEE_FLOAT"),
    ])
    func wavFormsKeepRateChannelsDepthAndSamples(
        _ name: String, _ channels: Int, _ rate: Int, _ encoding: Media.SampleEncoding, _ description: String
    ) throws {
        let source = wav(name, channels: channels, rate: rate, encoding: encoding)
        let output = folder.file("prompted-" + name)
        let outcome = try Fixtures.labelExplicitly(source, to: output)
        #expect(outcome.explicit?.contains("rhythm prompt") == true)
        // libsndfile's own reader says what the file is.
        let info = try Fixtures.run("sndfile-info", [output]).stdout
        #expect(info.contains("Sample Rate : \(rate)") && info.contains("Channels    : \(channels)"), "\(info)")
        #expect(info.contains(description), "\(info)")
        // The programme follows the prompt and its pause untouched, sample for sample.
        let before = try AudioSamples(contentsOf: source)
        let after = try AudioSamples(contentsOf: output)
        let prompt = RhythmPrompt()
        let promptFrames = Int((prompt.duration * Double(rate)).rounded(.up)) + Int(prompt.pause * Double(rate))
        #expect(after.frames == before.frames + promptFrames)
        #expect(Array(after.samples[(promptFrames * channels)...]) == before.samples)
        // The prompt is quieter than a startle and louder than a whisper (integer reads are
        // full-scale for PCM only).
        if encoding != .float32 {
            let peak = after.samples[0..<promptFrames * channels].map { abs(Double($0)) / Double(Int32.max) }.max() ?? 0
            #expect(peak > 0.01 && peak <= 0.51)
        }
        let report = try Fixtures.report(output)
        #expect(
            report.findings.first { $0.check == .audioPrompt }?.outcome == .pass, "\(report.findings.filter { $0.check == .audioPrompt })")
        #expect(
            try Fixtures.exiftool("RIFF:AIGC", output).contains("EX-1") || Fixtures.read(output).contains(subsequence: Array("EX-1".utf8)))
    }

    @Test func flacOggOpusAndMP3StayInTheirFormat() throws {
        let source = wav("music.wav", channels: 2, rate: 44100, encoding: .pcm16)
        try Media.shell(
            "cd '\(folder.path)' && flac -s -f -o music.flac music.wav && oggenc -Q -o music.ogg music.wav && opusenc --quiet music.wav music.opus && lame --quiet -b 128 music.wav music.mp3"
        )
        _ = source
        for (name, codec, rate) in [
            ("music.flac", "flac", 44100), ("music.ogg", "vorbis", 44100), ("music.opus", "opus", 48000), ("music.mp3", "mp3", 44100),
        ] {
            let output = folder.file("prompted-" + name)
            try Fixtures.labelExplicitly(folder.file(name), to: output) { $0.position = .both }
            let probe = try Fixtures.run(
                "ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels", "-of", "csv=p=0", output]
            ).stdout
            #expect(probe.trimmingCharacters(in: .whitespacesAndNewlines) == "\(codec),\(rate),2", "\(name): \(probe)")
            let finding = try Fixtures.report(output).findings.first { $0.check == .audioPrompt }
            #expect(
                finding?.outcome == .pass && finding?.message.contains("start") == true && finding?.message.contains("end") == true,
                "\(name): \(String(describing: finding))")
            #expect(try Fixtures.report(output).label?.produceID == "EX-1")
        }
    }

    /// Through lame at 128 kbit/s, quieter by 10 dB: the prompt is still found, at the start and at the end.
    @Test(arguments: [PromptPosition.start, .end])
    func survivesMP3At128kAndALevelChange(_ position: PromptPosition) throws {
        let source = wav("long.wav", channels: 2, rate: 44100, encoding: .pcm16, seconds: 12)
        let output = folder.file("long-\(position.rawValue).wav")
        try Fixtures.labelExplicitly(source, to: output) { $0.position = position }
        let mp3 = folder.file("long-\(position.rawValue).mp3")
        try Media.shell("lame --quiet -b 128 --scale 0.316 '\(output)' '\(mp3)'")
        let matches = try RhythmDetector(prompt: RhythmPrompt()).detect(FileSource(path: mp3))
        #expect(matches.map(\.position) == [position], "\(matches)")
    }

    @Test func unpromptedAudioAndASteadyToneAreNotMistakenForThePrompt() throws {
        let plain = wav("plain.wav", channels: 1, rate: 44100, encoding: .pcm16)
        #expect(try RhythmDetector(prompt: RhythmPrompt()).detect(FileSource(path: plain)).isEmpty)
        // A steady 800 Hz tone, and the same tone keyed in an even rhythm (·· ··), are not ·− ··.
        let rate = 22050
        let steady = (0..<rate * 3).map { 0.3 * sin(2 * Double.pi * 800 * Double($0) / Double(rate)) }
        let even = steady.enumerated().map { index, value in (index / (rate / 8)) % 2 == 0 ? value : 0 }
        for (name, samples) in [("steady.wav", steady), ("even.wav", even)] {
            let path = folder.file(name)
            Fixtures.write(Media.wav(samples, channels: 1, rate: rate, encoding: .pcm16), to: path)
            #expect(try RhythmDetector(prompt: RhythmPrompt()).detect(FileSource(path: path)).isEmpty, "\(name)")
        }
        #expect(try Fixtures.report(plain).findings.first { $0.check == .audioPrompt }?.outcome == .warn)
    }

    @Test func thePromptedFileKeepsTheOriginalsPermissions() throws {
        let source = folder.copy(Fixtures.sample("chirp.flac"))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: source)
        let output = folder.file("permissions.flac")
        try Fixtures.labelExplicitly(source, to: output)
        let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(try Fixtures.run("flac", ["-t", "-s", output]).status == 0)  // the FLAC decoder's own test
    }

    @Test func promptingTwiceAddsOnePrompt() throws {
        let once = folder.file("once.wav")
        try Fixtures.labelExplicitly(Fixtures.sample("chirp.wav"), to: once)
        let twice = folder.file("twice.wav")
        let outcome = try Fixtures.labelExplicitly(once, to: twice, id: "EX-2")
        #expect(outcome.explicit?.contains("already") == true)
        #expect(try AudioSamples(contentsOf: once) == AudioSamples(contentsOf: twice))
    }

    /// The spoken prompt: 6 characters at 120–160 per minute, resampled to the file's rate,
    /// then the programme untouched.
    @Test func spokenPromptIsSpeechAtANormalRate() throws {
        let source = wav("speech-host.wav", channels: 2, rate: 44100, encoding: .pcm16)
        let output = folder.file("spoken.wav")
        let outcome = try Fixtures.labelExplicitly(source, to: output) { $0.audioPrompt = .spoken }
        #expect(outcome.explicit?.contains("spoken prompt") == true)
        let before = try AudioSamples(contentsOf: source)
        let after = try AudioSamples(contentsOf: output)
        let added = after.frames - before.frames
        let seconds = Double(added) / 44100 - RhythmPrompt().pause
        #expect(seconds >= 6.0 / 160 * 60 && seconds <= 6.0 / 120 * 60, "\(seconds) s for 人工智能生成")
        #expect(Array(after.samples[(added * 2)...]) == before.samples)
        // Loud enough to hear: RMS within 10 dB of the programme's.
        let rms = { (samples: ArraySlice<Int32>) in
            (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
        }
        let ratio = rms(after.samples[0..<Int(seconds * 44100) * 2]) / rms(before.samples[...])
        #expect(ratio > 0.3 && ratio < 1.5, "\(ratio)")
    }

    @Test func resamplingKeepsPitchAndLevel() {
        let tone = (0..<16000).map { sin(2 * Double.pi * 1000 * Double($0) / 16000) }
        let resampled = Resampler.resample(tone, from: 16000, to: 44100)
        #expect(abs(resampled.count - 44100) <= 1)
        let middle = resampled[4410..<39690]
        let crossings = zip(middle, middle.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        #expect(abs(crossings - 800) <= 2)  // 1 kHz over 0.8 s
        #expect(abs((middle.map(abs).max() ?? 0) - 1) < 0.02)
        #expect(abs(SpokenPrompt.muLaw(0xFF)) < 1e-9 && SpokenPrompt.muLaw(0x80) > 0.97)
    }

    @Test func levelFollowsTheProgramme() {
        let prompt = RhythmPrompt()
        #expect(prompt.amplitude(programmeRMS: 0.2) > prompt.amplitude(programmeRMS: 0.02))
        #expect(prompt.amplitude(programmeRMS: 1) == 0.5)  // capped: never startling
        #expect(prompt.amplitude(programmeRMS: 0) == 0.01)  // floor: audible over silence
        let samples = prompt.samples(sampleRate: 8000, amplitude: 0.5, pauseAfter: true)
        #expect(abs(samples[0]) < 0.01)  // starts from silence: no click
        #expect(samples.count == Int((prompt.duration * 8000).rounded(.up)) + Int(prompt.pause * 8000))
    }
}

extension [UInt8] {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<$0 + subsequence.count]) == subsequence }
    }
}
