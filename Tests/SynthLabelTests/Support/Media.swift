import Foundation

@testable import SynthLabel

/// Media made and read by real tools for the explicit-label tests.
enum Media {
    /// A textured PNG from netpbm: `ppmpat`'s `pattern` (seeded) plus grey noise (seeded) divided
    /// by `noiseDivisor`: the pictures the watermark tests mark, attack and copy marks onto.
    static func texturedPicture(
        _ path: String, pattern: String = "-anticamo", seed: Int, noiseSeed: Int, width: Int = 640, height: Int = 512,
        noiseDivisor: Int = 12
    ) throws {
        try shell(
            "ppmpat \(pattern) -randomseed \(seed) \(width) \(height) > '\(path).a.ppm';"
                + " pgmnoise -randomseed \(noiseSeed) \(width) \(height) | pgmtoppm white > '\(path).b.ppm';"
                + " pamarith -add '\(path).a.ppm' <(pamfunc -divisor \(noiseDivisor) '\(path).b.ppm') | pnmtopng > '\(path)'")
    }

    /// Runs a bash pipeline (with pipefail); fails the test when it fails.
    @discardableResult
    /// FFmpeg's MD5 of every packet of every stream, with its timing: equal for two files whose
    /// media data was not touched, whatever their metadata.
    static func packetDigests(_ path: String) throws -> String {
        try shell("ffmpeg -v error -i '\(path)' -map 0 -c copy -f framemd5 -").stdout
    }

    /// A container-level tag as ffprobe reads it ("" when absent).
    static func formatTag(_ name: String, _ path: String) throws -> String {
        try Fixtures.run("ffprobe", ["-v", "error", "-show_entries", "format_tags=\(name)", "-of", "default=nw=1:nk=1", path]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func shell(_ script: String) throws -> Fixtures.Run {
        let run = try Fixtures.run("bash", ["-c", "set -euo pipefail; " + script])
        if run.status != 0 { throw MediaError.commandFailed(script, run.stderr) }
        return run
    }

    enum MediaError: Error {
        case commandFailed(String, String)
        case badPNM(String)
    }

    /// A decoded picture as netpbm hands it over (P5 grey or P6 colour, 8 bits).
    struct Picture {
        var width: Int
        var height: Int
        var channels: Int
        var samples: [UInt8]

        func luminance(_ x: Int, _ y: Int) -> Double {
            let first = (y * width + x) * channels
            if channels == 1 { return Double(samples[first]) / 255 }
            return (0.299 * Double(samples[first]) + 0.587 * Double(samples[first + 1]) + 0.114 * Double(samples[first + 2])) / 255
        }

        /// The bounding box of the pixels that differ from `other` by more than `tolerance`.
        func changedBox(from other: Picture, tolerance: Double = 0.08) -> (x: Int, y: Int, width: Int, height: Int)? {
            var left = width
            var top = height
            var right = -1
            var bottom = -1
            for y in 0..<height {
                for x in 0..<width where abs(luminance(x, y) - other.luminance(x, y)) > tolerance {
                    left = min(left, x)
                    right = max(right, x)
                    top = min(top, y)
                    bottom = max(bottom, y)
                }
            }
            return right < 0 ? nil : (left, top, right - left + 1, bottom - top + 1)
        }

        /// Rows inside `box` holding a pixel brighter than `threshold`: the rendered text's height.
        func brightRowSpan(in box: (x: Int, y: Int, width: Int, height: Int), threshold: Double) -> Int {
            let rows = (box.y..<box.y + box.height).filter { y in
                (box.x..<box.x + box.width).contains { luminance($0, y) > threshold }
            }
            guard let first = rows.first, let last = rows.last else { return 0 }
            return last - first + 1
        }
    }

    /// Decodes a PNG (libpng via netpbm's pngtopnm, alpha dropped) or a JPEG (libjpeg-turbo's djpeg).
    static func picture(_ path: String, rotatingJPEG rotation: Int? = nil) throws -> Picture {
        let pnm = NSTemporaryDirectory() + "pic-" + UUID().uuidString + ".pnm"
        defer { try? FileManager.default.removeItem(atPath: pnm) }
        if path.hasSuffix(".png") {
            try shell("pngtopnm '\(path)' | pnmdepth 255 > '\(pnm)'")
        } else if let rotation {
            try shell("jpegtran -rotate \(rotation) '\(path)' | djpeg -pnm > '\(pnm)'")
        } else {
            try shell("djpeg -pnm '\(path)' > '\(pnm)'")
        }
        return try parsePNM(Fixtures.read(pnm))
    }

    static func parsePNM(_ bytes: [UInt8]) throws -> Picture {
        var fields: [String] = []
        var index = 0
        while fields.count < 4 && index < bytes.count {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            }
            let start = index
            while index < bytes.count, ![0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
            fields.append(String(decoding: bytes[start..<index], as: UTF8.self))
        }
        index += 1
        guard fields.count == 4, let width = Int(fields[1]), let height = Int(fields[2]), let maximum = Int(fields[3]),
            (1...255).contains(maximum)
        else {
            throw MediaError.badPNM(fields.joined(separator: " "))
        }
        let channels = fields[0] == "P6" ? 3 : 1
        let raw = bytes[index..<index + width * height * channels]
        return Picture(width: width, height: height, channels: channels, samples: raw.map { UInt8(Int($0) * 255 / maximum) })
    }

    /// Text tesseract (Simplified Chinese + English) reads in a region of an image, with the
    /// usual Latin confusions of a capital I (l, 1, |) read back as I.
    static func ocr(_ path: String, box: (x: Int, y: Int, width: Int, height: Int), rotatingJPEG rotation: Int? = nil) throws -> String {
        let crop = NSTemporaryDirectory() + "ocr-" + UUID().uuidString + ".png"
        defer { try? FileManager.default.removeItem(atPath: crop) }
        let decode =
            path.hasSuffix(".png")
            ? "pngtopnm '\(path)' | pnmdepth 255"
            : rotation.map { "jpegtran -rotate \($0) '\(path)' | djpeg -pnm" } ?? "djpeg -pnm '\(path)'"
        // Cropped to the changed box: surrounding background makes tesseract look for text there.
        // Read as drawn, and once more inverted (dark on light, as tesseract prefers) if needed.
        var text = ""
        for filter in ["cat", "pnminvert"] {
            try shell("\(decode) | pnmcut \(box.x) \(box.y) \(box.width) \(box.height) | \(filter) | pnmtopng > '\(crop)'")
            text += try Fixtures.run("tesseract", [crop, "-", "-l", "chi_sim+eng", "--psm", "7"]).stdout
            if text.contains("生成") || text.contains("合成") { break }
        }
        var normalised = text.filter { !$0.isWhitespace }
        for confusion in ["Al", "A1", "A|", "Ai"] { normalised = normalised.replacingOccurrences(of: confusion, with: "AI") }
        return normalised
    }

    enum SampleEncoding {
        case unsigned8, pcm16, pcm24, float32

        var bytes: Int {
            switch self {
            case .unsigned8: 1
            case .pcm16: 2
            case .pcm24: 3
            case .float32: 4
            }
        }
    }

    /// A WAV file of `frames` interleaved samples (−1…1) written byte by byte here.
    static func wav(_ samples: [Double], channels: Int, rate: Int, encoding: SampleEncoding) -> [UInt8] {
        let bytesPerSample = encoding.bytes
        let dataSize = samples.count * bytesPerSample
        var bytes = Array("RIFF".utf8)
        bytes.appendUInt32LE(UInt32(36 + dataSize))
        bytes += Array("WAVEfmt ".utf8)
        bytes.appendUInt32LE(16)
        bytes += [encoding == .float32 ? 3 : 1, 0, UInt8(channels), 0]
        bytes.appendUInt32LE(UInt32(rate))
        bytes.appendUInt32LE(UInt32(rate * channels * bytesPerSample))
        bytes += [UInt8(channels * bytesPerSample), 0, UInt8(bytesPerSample * 8), 0]
        bytes += Array("data".utf8)
        bytes.appendUInt32LE(UInt32(dataSize))
        for sample in samples {
            let clamped = max(-1, min(1, sample))
            switch encoding {
            case .unsigned8: bytes.append(UInt8(max(0, min(255, Int((clamped * 127).rounded()) + 128))))
            case .pcm16:
                let value = Int16(max(-32768, min(32767, (clamped * 32767).rounded())))
                bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
            case .pcm24:
                let value = Int32(max(-8_388_608, min(8_388_607, (clamped * 8_388_607).rounded())))
                bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value >> 16)]
            case .float32:
                bytes.appendUInt32LE(Float(clamped).bitPattern)
            }
        }
        return bytes
    }

    /// Music-like programme: a few partials with a slow tremolo and a little noise.
    static func programme(seconds: Double, rate: Int, channels: Int, level: Double = 0.3) -> [Double] {
        var state: UInt32 = 0x9E37_79B9
        let frames = Int(seconds * Double(rate))
        var samples: [Double] = []
        samples.reserveCapacity(frames * channels)
        for index in 0..<frames {
            let t = Double(index) / Double(rate)
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            let noise = Double(state) / Double(UInt32.max) - 0.5
            let tone = sin(2 * .pi * 220 * t) + 0.5 * sin(2 * .pi * 330 * t) + 0.25 * sin(2 * .pi * 554 * t)
            let value = level * (0.5 + 0.5 * sin(2 * .pi * 0.7 * t)) * tone / 1.75 + level * 0.1 * noise
            for _ in 0..<channels { samples.append(value) }
        }
        return samples
    }
}

extension Fixtures {
    /// Labels with the explicit label too (default settings unless changed).
    @discardableResult
    static func labelExplicitly(
        _ source: String, to destination: String, id: String = "EX-1", _ configure: (inout ExplicitLabel) -> Void = { _ in }
    ) throws -> LabelOutcome {
        var explicit = ExplicitLabel()
        configure(&explicit)
        return try Labeller(explicit: explicit).label(fileAt: source, with: label(id: id), writingTo: destination)
    }
}
