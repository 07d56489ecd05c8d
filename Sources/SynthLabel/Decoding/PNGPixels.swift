import CPNGSafe

/// A PNG's pixels exactly as stored (rows of raw samples), decoded by libpng.
///
/// Used to prove that labelling never touches image data, and by content checks that
/// need pixels. Decoding goes through `CPNGSafe`, which owns libpng's setjmp, so a
/// corrupt image is an error here, never an abort.
package struct PNGPixels: Equatable, Sendable {
    package var width: Int
    package var height: Int
    package var bitDepth: Int
    package var colorType: Int
    package var rows: [UInt8]

    /// Refuses images whose decoded rows would exceed this many bytes.
    package static let defaultLimit = 1 << 30

    package init(decoding data: [UInt8], limit: Int = defaultLimit) throws(FormatError) {
        var image = cpng_raw_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBufferPointer { buffer in
            cpng_decode_raw(buffer.baseAddress, buffer.count, limit, &image, &message, message.count)
        }
        guard status == 0, let pixels = image.pixels else {
            let text = String(nulTerminated: message)
            throw FormatError(.corrupt, "libpng: \(text)")
        }
        defer { cpng_free(&image) }
        width = Int(image.width)
        height = Int(image.height)
        bitDepth = Int(image.bit_depth)
        colorType = Int(image.color_type)
        rows = Array(UnsafeBufferPointer(start: pixels, count: image.row_bytes * Int(image.height)))
    }
}
