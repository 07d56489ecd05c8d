import CSndFile
import Glibc

/// A libsndfile handle reading a `FileSource` (on disk or in memory) through virtual I/O, so a
/// file another step has just made needs no path.
final class SoundFileReader {
    let handle: OpaquePointer
    let info: SF_INFO
    private let cursor: Cursor

    private final class Cursor {
        let file: FileSource
        var position = 0
        init(_ file: FileSource) { self.file = file }
    }

    init(_ file: FileSource, path: String) throws(SynthLabelError) {
        // libogg gathers a packet whole before the decoder sees it, so a packet that never ends
        // would be read into memory to the end of the file.
        if (try? file.bytes(upTo: 4, at: 0)) == Array("OggS".utf8) {
            let overlong: Int?
            do throws(FormatError) { overlong = try OggAdapter.overlongPacket(in: file) } catch {
                throw .cannotDecode(path: path, reason: "its samples were not decoded: \(error)")
            }
            if let overlong {
                throw .cannotDecode(
                    path: path,
                    reason:
                        "its samples were not decoded: the Ogg packet starting in the page at byte \(overlong) runs on past \(OggAdapter.longestPacket >> 20) MiB"
                )
            }
        }
        cursor = Cursor(file)
        var io = SF_VIRTUAL_IO(
            get_filelen: { user in user.map { sf_count_t(Unmanaged<Cursor>.fromOpaque($0).takeUnretainedValue().file.size) } ?? 0 },
            seek: { offset, whence, user in
                guard let user else { return -1 }
                let cursor = Unmanaged<Cursor>.fromOpaque(user).takeUnretainedValue()
                let base = whence == SEEK_CUR ? cursor.position : whence == SEEK_END ? cursor.file.size : 0
                cursor.position = max(0, min(cursor.file.size, base + Int(offset)))
                return sf_count_t(cursor.position)
            },
            read: { pointer, count, user in
                guard let user, let pointer else { return 0 }
                let cursor = Unmanaged<Cursor>.fromOpaque(user).takeUnretainedValue()
                guard let bytes = try? cursor.file.bytes(upTo: Int(count), at: cursor.position) else { return 0 }
                bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(start: pointer, count: bytes.count).copyMemory(from: $0) }
                cursor.position += bytes.count
                return sf_count_t(bytes.count)
            },
            write: nil,
            tell: { user in user.map { sf_count_t(Unmanaged<Cursor>.fromOpaque($0).takeUnretainedValue().position) } ?? -1 })
        var info = SF_INFO()
        guard let handle = sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(cursor).toOpaque()) else {
            // Callers have read the container and found it whole, so this is the samples'
            // encoding (a PCM depth of 36 or 45 bits, say) that libsndfile does not decode.
            throw .cannotDecode(path: path, reason: "libsndfile cannot decode its samples (\(String(cString: sf_strerror(nil))))")
        }
        guard info.channels > 0, info.samplerate > 0 else {
            sf_close(handle)
            throw .cannotDecode(path: path, reason: "libsndfile found no channels or sample rate in it")
        }
        self.handle = handle
        self.info = info
    }

    deinit { sf_close(handle) }

    var channels: Int { Int(info.channels) }
    var sampleRate: Int { Int(info.samplerate) }

    /// Bits per sample of integer PCM (which is then read and written as integers, exactly),
    /// or nil for float and compressed encodings.
    var integerBits: Int? {
        switch info.format & Int32(SF_FORMAT_SUBMASK) {
        case Int32(SF_FORMAT_PCM_S8), Int32(SF_FORMAT_PCM_U8): 8
        case Int32(SF_FORMAT_PCM_16): 16
        case Int32(SF_FORMAT_PCM_24): 24
        case Int32(SF_FORMAT_PCM_32): 32
        default: nil
        }
    }

    /// Float or double samples (read and written as doubles, exactly).
    var isFloatingPoint: Bool {
        let subtype = info.format & Int32(SF_FORMAT_SUBMASK)
        return subtype == Int32(SF_FORMAT_FLOAT) || subtype == Int32(SF_FORMAT_DOUBLE)
    }

    /// Up to `frames` frames as doubles (±1); the number read, 0 at the end.
    func read(into buffer: inout [Double], frames: Int) -> Int {
        Int(buffer.withUnsafeMutableBufferPointer { sf_readf_double(handle, $0.baseAddress, sf_count_t(frames)) })
    }

    /// Up to `frames` frames as 32-bit integers (full scale ±2³¹); the number read.
    func read(into buffer: inout [Int32], frames: Int) -> Int {
        Int(buffer.withUnsafeMutableBufferPointer { sf_readf_int(handle, $0.baseAddress, sf_count_t(frames)) })
    }
}

/// A temporary file libsndfile encodes in a given format (in `$TMPDIR`), handed back as a
/// `FileSource` that stays readable after the temporary name is removed.
final class SoundFileWriter {
    let handle: OpaquePointer
    private let temporary: String
    private let path: String
    private var closed = false

    /// `path` names the file being labelled, for errors.
    init(like info: SF_INFO, carrier: Carrier, path: String) throws(SynthLabelError) {
        self.path = path
        temporary = try TemporaryFile.create(named: "synthlabel-audio")
        var outputInfo = SF_INFO(
            frames: 0, samplerate: info.samplerate, channels: info.channels, format: info.format, sections: 0, seekable: 0)
        guard let handle = sf_open(temporary, Int32(SFM_WRITE), &outputInfo) else {
            unlink(temporary)
            throw .cannotEncode(
                path: path,
                reason:
                    "libsndfile cannot write this \(carrier.displayName) encoding (format 0x\(String(info.format, radix: 16))): \(String(cString: sf_strerror(nil)))"
            )
        }
        self.handle = handle
    }

    deinit {
        if !closed { sf_close(handle) }
        unlink(temporary)
    }

    /// Title, artist and the other string tags libsndfile knows, copied from `input`.
    func copyStrings(from input: OpaquePointer) {
        for kind in Int32(SF_STR_TITLE)...Int32(SF_STR_GENRE) {  // SF_STR_FIRST…SF_STR_LAST (macros Swift does not import)
            if let value = sf_get_string(input, kind) { sf_set_string(handle, kind, value) }
        }
    }

    func write(_ samples: [Double], frames: Int) {
        _ = samples.withUnsafeBufferPointer { sf_writef_double(handle, $0.baseAddress, sf_count_t(frames)) }
    }

    func write(_ samples: [Int32], frames: Int) {
        _ = samples.withUnsafeBufferPointer { sf_writef_int(handle, $0.baseAddress, sf_count_t(frames)) }
    }

    /// Closes the encoder and opens the result, with the original's permissions.
    func finish(mode: mode_t) throws(SynthLabelError) -> FileSource {
        let error = sf_error(handle)
        sf_close(handle)
        closed = true
        guard error == 0 else {
            throw .cannotEncode(path: path, reason: "libsndfile failed while encoding: \(String(cString: sf_error_number(error)))")
        }
        chmod(temporary, mode)
        return try FileSource(path: temporary)
    }
}
