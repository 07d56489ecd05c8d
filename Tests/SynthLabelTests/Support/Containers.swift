@testable import SynthLabel

/// Splits containers into their parts so tests can compare what labelling must not touch.
enum Containers {
    /// PNG chunks as (type, whole chunk bytes).
    static func pngChunks(_ bytes: [UInt8]) -> [(type: String, bytes: [UInt8])] {
        var chunks: [(String, [UInt8])] = []
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int((try? bytes.uint32BE(at: offset)) ?? 0)
            let end = min(bytes.count, offset + 12 + length)
            chunks.append(((try? bytes.fourCC(at: offset + 4)) ?? "?", Array(bytes[offset..<end])))
            offset = end
        }
        return chunks
    }

    /// A PNG with `chunk` inserted before the chunk of type `before`.
    static func png(_ bytes: [UInt8], inserting chunk: [UInt8], before type: String) -> [UInt8] {
        var out = Array(bytes[0..<8])
        var inserted = false
        for part in pngChunks(bytes) {
            if part.type == type && !inserted {
                out += chunk
                inserted = true
            }
            out += part.bytes
        }
        return out
    }

    static func textChunk(_ keyword: String, _ text: String) -> [UInt8] {
        PNGAdapter.makeChunk("tEXt", Array(keyword.utf8) + [0] + Array(text.utf8))
    }

    /// JPEG marker segments before SOS as (marker, whole segment), then the rest.
    static func jpegSegments(_ bytes: [UInt8]) -> (segments: [(marker: UInt8, bytes: [UInt8])], scan: [UInt8]) {
        var segments: [(UInt8, [UInt8])] = []
        var offset = 2
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF, bytes[offset + 1] != 0xDA {
            let length = Int((try? bytes.uint16BE(at: offset + 2)) ?? 0)
            segments.append((bytes[offset + 1], Array(bytes[offset..<offset + 2 + length])))
            offset += 2 + length
        }
        return (segments, Array(bytes[offset...]))
    }

    /// RIFF chunks as (id, whole chunk bytes including the pad byte).
    static func riffChunks(_ bytes: [UInt8]) -> [(id: String, bytes: [UInt8])] {
        var chunks: [(String, [UInt8])] = []
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = Int((try? bytes.uint32LE(at: offset + 4)) ?? 0)
            let end = min(bytes.count, offset + 8 + size + (size & 1))
            chunks.append(((try? bytes.fourCC(at: offset)) ?? "?", Array(bytes[offset..<end])))
            offset = end
        }
        return chunks
    }
}
