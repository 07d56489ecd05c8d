#ifndef CPNGSAFE_H
#define CPNGSAFE_H

#include <stddef.h>
#include <stdint.h>

/// Pixels of a PNG as libpng stores them: rows of raw samples, no transforms
/// (palette indices stay indices, 16-bit samples stay big-endian).
typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;
    size_t row_bytes;
    uint8_t *pixels;      /* height * row_bytes bytes, malloc'd; free with cpng_free */
} cpng_raw_image;

/// Decodes a whole PNG held in memory. Returns 0 on success; on failure returns -1,
/// writes libpng's message into `error` and leaves `out->pixels` NULL.
/// libpng reports errors by longjmp; this function owns the setjmp, so a corrupt
/// file becomes an error code instead of aborting the process.
/// `max_pixels_bytes` bounds the allocation (refused above it).
int cpng_decode_raw(const uint8_t *data, size_t length, size_t max_pixel_bytes,
                    cpng_raw_image *out, char *error, size_t error_capacity);

void cpng_free(cpng_raw_image *image);

/// A PNG written by libpng: IHDR, IDAT and IEND only, not interlaced, zlib level 6 and
/// libpng's default filter choice. `out->pixels` receives the file (malloc'd; free with
/// cpng_free), `out->row_bytes` its length. Returns 0 on success, -1 with `error` filled.
int cpng_encode_raw(const cpng_raw_image *image, cpng_raw_image *out, char *error, size_t error_capacity);

#endif
