import CPNGSafe

/// PNG pixels in and out through libpng, for the caption and the watermark: a rewrite decodes
/// and re-encodes the pixels and keeps every other chunk (text, colour profile, EXIF, physical
/// size, private chunks), in order.
///
/// Samples keep their depth and colour type, with two exceptions antialiased drawing forces: palette
/// images become RGB (RGBA with `tRNS`), since antialiased edges need colours a palette lacks,
/// and grey below 8 bits becomes 8-bit grey. The chunks that describe the old form (`PLTE`,
/// `tRNS`, `hIST`, `bKGD`) are converted or dropped to match. Interlaced files come out
/// non-interlaced.
enum PNGCodec {
    /// Decodes the pixels, lets `edit` change them, and re-encodes the file with every other
    /// chunk kept in order (the form changes `Conversion` describes applied).
    static func rewrite(
        _ bytes: [UInt8], path: String,
        edit: (inout Raster, Conversion, _ chunkData: (String) -> [UInt8]?) throws(SynthLabelError) -> Void
    ) throws(SynthLabelError) -> [UInt8] {
        let decoded = try decode(bytes, path: path)
        let chunks = decoded.chunks
        let chunkData = { (type: String) in Self.data(of: type, in: chunks, bytes) }
        var raster = decoded.raster
        let converted = decoded.conversion
        try edit(&raster, converted, chunkData)

        let encoded = try encode(raster, path: path)
        let newChunks: [PNGAdapter.Chunk]
        do { newChunks = try PNGAdapter.chunks(of: FileSource(bytes: encoded)).chunks } catch { throw SynthLabelError(error, path: path) }

        var output = PNGAdapter.signature
        var placedImage = false
        // (A `where` clause binds only the last pattern of a case, so each form change is tested apart.)
        let paletteChunks: Set<String> = ["PLTE", "tRNS", "hIST"]
        for chunk in chunks {
            if chunk.type == "IHDR" {
                if let header = newChunks.first(where: { $0.type == "IHDR" }) { output += encoded[header.offset..<header.end] }
            } else if chunk.type == "IDAT" {
                if !placedImage {
                    for idat in newChunks where idat.type == "IDAT" { output += encoded[idat.offset..<idat.end] }
                    placedImage = true
                }
            } else if converted.fromPalette && chunk.type == "bKGD" {
                if let index = bytes[chunk.dataRange].first, let palette = chunkData("PLTE"), Int(index) * 3 + 2 < palette.count {
                    let rgb = palette[Int(index) * 3..<Int(index) * 3 + 3]
                    output += PNGAdapter.makeChunk("bKGD", rgb.flatMap { [0, $0] })
                }
            } else if converted.fromPalette && paletteChunks.contains(chunk.type) {
                continue
            } else if converted.scale != 1 && (chunk.type == "tRNS" || chunk.type == "bKGD") {
                // A grey key or background value, widened to 8 bits like the samples.
                let value = Int(bytes[chunk.dataRange].uint16BEOrZero) * converted.scale
                output += PNGAdapter.makeChunk(chunk.type, [UInt8(value >> 8), UInt8(value & 0xFF)])
            } else {
                output += bytes[chunk.offset..<chunk.end]
            }
        }
        if let last = chunks.last, last.end < bytes.count { output += bytes[last.end...] }
        return output
    }

    /// A PNG's chunks and its pixels in paintable form.
    struct Decoded {
        var chunks: [PNGAdapter.Chunk]
        var raster: Raster
        var conversion: Conversion
    }

    static func decode(_ bytes: [UInt8], path: String) throws(SynthLabelError) -> Decoded {
        let chunks: [PNGAdapter.Chunk]
        do throws(FormatError) {
            let walked = try PNGAdapter.chunks(of: FileSource(bytes: bytes, path: path))
            if let damage = walked.damage.first { throw damage }
            chunks = walked.chunks
        } catch { throw SynthLabelError(error, path: path) }
        let pixels: PNGPixels
        do { pixels = try PNGPixels(decoding: bytes, limit: Raster.decodeLimit(fileSize: bytes.count)) } catch {
            throw .damaged(path: path, error)
        }
        let (raster, conversion) = try makeRaster(
            pixels, palette: data(of: "PLTE", in: chunks, bytes), transparency: data(of: "tRNS", in: chunks, bytes), path: path)
        return Decoded(chunks: chunks, raster: raster, conversion: conversion)
    }

    /// The data of the first chunk of `type`.
    private static func data(of type: String, in chunks: [PNGAdapter.Chunk], _ bytes: [UInt8]) -> [UInt8]? {
        chunks.first { $0.type == type }.map { Array(bytes[$0.dataRange]) }
    }

    /// How the stored form changed on the way to a paintable raster.
    struct Conversion {
        var fromPalette = false
        /// Factor that widened grey samples below 8 bits (1 when unchanged).
        var scale = 1
        var keepsTransparencyKey: Bool { !fromPalette }
    }

    static func makeRaster(_ pixels: PNGPixels, palette: [UInt8]?, transparency: [UInt8]?, path: String) throws(SynthLabelError)
        -> (Raster, Conversion)
    {
        let width = pixels.width
        let height = pixels.height
        let depth = pixels.bitDepth
        let bytesPerSample = depth == 16 ? 2 : 1
        switch pixels.colorType {
        case 2, 4, 6:
            let channels = pixels.colorType == 2 ? 3 : pixels.colorType == 4 ? 2 : 4
            return (
                Raster(width: width, height: height, channels: channels, bytesPerSample: bytesPerSample, samples: pixels.rows), Conversion()
            )
        case 0 where depth >= 8:
            return (Raster(width: width, height: height, channels: 1, bytesPerSample: bytesPerSample, samples: pixels.rows), Conversion())
        case 0:
            let scale = 255 / ((1 << depth) - 1)
            let indices = unpack(pixels)
            return (
                Raster(width: width, height: height, channels: 1, bytesPerSample: 1, samples: indices.map { UInt8(Int($0) * scale) }),
                Conversion(scale: scale)
            )
        case 3:
            guard let palette, !palette.isEmpty else { throw .damaged(path: path, FormatError(.corrupt, "palette image without PLTE")) }
            let alpha = transparency ?? []
            let channels = transparency == nil ? 3 : 4
            var samples = [UInt8](repeating: 0, count: width * height * channels)
            var cursor = 0
            for index in unpack(pixels) {
                let entry = Int(index)
                let base = entry * 3 + 2 < palette.count ? entry * 3 : 0
                samples[cursor] = palette[base]
                samples[cursor + 1] = palette[base + 1]
                samples[cursor + 2] = palette[base + 2]
                if channels == 4 { samples[cursor + 3] = entry < alpha.count ? alpha[entry] : 255 }
                cursor += channels
            }
            return (
                Raster(width: width, height: height, channels: channels, bytesPerSample: 1, samples: samples), Conversion(fromPalette: true)
            )
        default:
            throw .damaged(path: path, FormatError(.corrupt, "unknown PNG colour type \(pixels.colorType)"))
        }
    }

    /// One byte per pixel from samples packed 1, 2, 4 or 8 bits wide.
    private static func unpack(_ pixels: PNGPixels) -> [UInt8] {
        let depth = pixels.bitDepth
        if depth == 8 { return pixels.rows }
        let rowBytes = (pixels.width * depth + 7) / 8
        let perByte = 8 / depth
        let mask = UInt8((1 << depth) - 1)
        var out = [UInt8](repeating: 0, count: pixels.width * pixels.height)
        for y in 0..<pixels.height {
            for x in 0..<pixels.width {
                let byte = pixels.rows[y * rowBytes + x / perByte]
                let shift = 8 - depth * (x % perByte + 1)
                out[y * pixels.width + x] = (byte >> UInt8(shift)) & mask
            }
        }
        return out
    }

    static func encode(_ raster: Raster, path: String) throws(SynthLabelError) -> [UInt8] {
        let colorType: Int32 = [1: 0, 2: 4, 3: 2, 4: 6][raster.channels] ?? 2
        var message = [CChar](repeating: 0, count: 256)
        var result = cpng_raw_image()
        var samples = raster.samples
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            var image = cpng_raw_image(
                width: UInt32(raster.width), height: UInt32(raster.height), bit_depth: Int32(raster.bytesPerSample * 8),
                color_type: colorType, row_bytes: raster.rowBytes, pixels: buffer.baseAddress)
            return cpng_encode_raw(&image, &result, &message, message.count)
        }
        guard status == 0, let data = result.pixels else {
            let text = String(nulTerminated: message)
            throw .cannotEncode(path: path, reason: "libpng: \(text)")
        }
        defer { cpng_free(&result) }
        return Array(UnsafeBufferPointer(start: data, count: result.row_bytes))
    }
}

extension ArraySlice<UInt8> {
    var uint16BEOrZero: UInt16 {
        count >= 2 ? UInt16(self[startIndex]) << 8 | UInt16(self[startIndex + 1]) : 0
    }
}
