import CZlib

/// zlib decompression with a hard cap on output, for compressed PNG text chunks, PDF
/// streams and (raw deflate, no zlib header) ZIP entries.
enum Inflate {
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int, at offset: Int, raw: Bool = false) throws(FormatError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, raw ? -15 : 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FormatError(.corrupt, at: offset, "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = Array(input)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            var result = Z_OK
            repeat {
                result = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = UInt32(chunkBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return Z_MEM_ERROR }
                if produced == 0 && result == Z_OK && stream.avail_in == 0 { return Z_DATA_ERROR }
            } while result == Z_OK
            return result
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_MEM_ERROR: throw FormatError(.tooLarge, at: offset, "compressed text expands past \(limit) bytes")
        default: throw FormatError(.corrupt, at: offset, "compressed text is not valid zlib data")
        }
    }
}
