import Foundation
import Testing

@testable import SynthLabel

/// `scan` (and `verify` of metadata) reads headers and metadata, never whole large files, even
/// to find a label at a file's end: the bytes it reads stay small however big the file is.
/// (`verify`'s explicit check decodes up to 4 s of audio at each end to hear the rhythm prompt,
/// and Ogg to its end; those reads go through the same counter and are not measured here.)
@Suite("Read cost")
struct ReadCostTests {
    let folder = TemporaryDirectory()

    func bytesRead(verifying path: String) throws -> (read: Int, size: Int, verdict: Verdict) {
        let file = try FileSource(path: path, readingWholeUpTo: FileSource.headerReadLimit)
        let report = try Verifier(explicitChecks: false).verify(file)
        return (file.bytesRead, file.size, report.verdict)
    }

    func make(_ name: String, _ shell: String) throws -> String {
        let path = folder.file(name)
        let run = try Fixtures.run("/bin/sh", ["-c", shell, path, folder.path])  // $0 output, $1 folder
        #expect(run.status == 0, "\(run.stderr)")
        try Fixtures.labelFile(path, to: path)
        return path
    }

    @Test func largeFilesOfEveryWritableFormat() throws {
        let wav = folder.file("big.wav")
        Fixtures.write(Fixtures.pcmWAV(dataSize: 12 << 20), to: wav)
        let noise =
            "python3 -c \"import os,sys; sys.stdout.buffer.write(b'P6\\\\n1200 1200\\\\n255\\\\n' + os.urandom(1200*1200*3))\" > \"$1/noise.ppm\""
        let files = [
            try make("big.png", "\(noise) && pnmtopng \"$1/noise.ppm\" > \"$0\""),
            try make("big.jpg", "\(noise) && cjpeg -quality 95 -outfile \"$0\" \"$1/noise.ppm\""),
            try make("big.flac", "flac --silent -f -o \"$0\" \"$1/big.wav\""),
            try make("big.mp3", "lame --quiet -b 320 \"$1/big.wav\" \"$0\""),
            try make("big.ogg", "oggenc -Q -q 8 \"$1/big.wav\" -o \"$0\""),
            try make("big.md", "(printf -- '---\\ntitle: t\\n---\\n'; head -c 3000000 /dev/zero | tr '\\\\0' 'a') > \"$0\""),
            try make("big.webp", "cwebp -quiet -q 95 \"$1/noise.ppm\" -o \"$0\" || cwebp -quiet -q 95 \"$1/../noise.ppm\" -o \"$0\""),
        ]
        try Fixtures.labelFile(wav, to: wav)
        for path in [wav] + files {
            let (read, size, verdict) = try bytesRead(verifying: path)
            #expect(verdict == .compliant, "\(path)")
            #expect(size > 1 << 20, "\(path) is only \(size) bytes")
            // Headers, metadata and at most a 256 KiB tail, whatever the size.
            #expect(read <= 300 << 10, "\((path as NSString).lastPathComponent): read \(read) of \(size) bytes")
        }
    }
}
