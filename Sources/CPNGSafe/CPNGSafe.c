#include "CPNGSafe.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t length;
    size_t offset;
} memory_reader;

typedef struct {
    jmp_buf jump;
    char *error;
    size_t error_capacity;
} error_context;

static void on_error(png_structp png, png_const_charp message) {
    error_context *context = (error_context *)png_get_error_ptr(png);
    if (context->error && context->error_capacity > 0) {
        strncpy(context->error, message, context->error_capacity - 1);
        context->error[context->error_capacity - 1] = 0;
    }
    longjmp(context->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void read_from_memory(png_structp png, png_bytep out, png_size_t count) {
    memory_reader *reader = (memory_reader *)png_get_io_ptr(png);
    if (count > reader->length - reader->offset) {
        png_error(png, "unexpected end of file");
    }
    memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

int cpng_decode_raw(const uint8_t *data, size_t length, size_t max_pixel_bytes,
                    cpng_raw_image *out, char *error, size_t error_capacity) {
    memset(out, 0, sizeof(*out));
    error_context context = {.error = error, .error_capacity = error_capacity};
    memory_reader reader = {.data = data, .length = length, .offset = 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    /* volatile: modified between setjmp and a possible longjmp. */
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (!info || setjmp(context.jump)) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        return -1;
    }
    png_set_read_fn(png, &reader, read_from_memory);
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_read_info(png, info);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    uint32_t width = png_get_image_width(png, info);
    uint32_t height = png_get_image_height(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (height != 0 && row_bytes > max_pixel_bytes / height) {
        png_error(png, "image larger than the allowed decode size");
    }
    pixels = malloc(row_bytes * height + 1);
    rows = malloc(sizeof(png_bytep) * (height + 1));
    if (!pixels || !rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    out->width = width;
    out->height = height;
    out->bit_depth = png_get_bit_depth(png, info);
    out->color_type = png_get_color_type(png, info);
    out->row_bytes = row_bytes;
    out->pixels = pixels;
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

void cpng_free(cpng_raw_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
