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

typedef struct {
    uint8_t *data;
    size_t length;
    size_t capacity;
} memory_writer;

static void write_to_memory(png_structp png, png_bytep data, png_size_t count) {
    memory_writer *writer = (memory_writer *)png_get_io_ptr(png);
    if (count > writer->capacity - writer->length) {
        size_t capacity = writer->capacity ? writer->capacity : 65536;
        while (count > capacity - writer->length) {
            if (capacity > SIZE_MAX / 2) png_error(png, "output too large");
            capacity *= 2;
        }
        uint8_t *grown = realloc(writer->data, capacity);
        if (!grown) png_error(png, "out of memory");
        writer->data = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->data + writer->length, data, count);
    writer->length += count;
}

static void flush_memory(png_structp png) { (void)png; }

int cpng_encode_raw(const cpng_raw_image *image, cpng_raw_image *out, char *error, size_t error_capacity) {
    memset(out, 0, sizeof(*out));
    error_context context = {.error = error, .error_capacity = error_capacity};
    /* volatile: read after a possible longjmp. */
    memory_writer *volatile writer = calloc(1, sizeof(memory_writer));
    png_bytep *volatile rows = NULL;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!writer || !png || !info || setjmp(context.jump)) {
        if (writer) free(writer->data);
        free(writer);
        free(rows);
        png_destroy_write_struct(&png, info ? &info : NULL);
        return -1;
    }
    png_set_write_fn(png, writer, write_to_memory, flush_memory);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, image->width, image->height, image->bit_depth, image->color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    rows = malloc(sizeof(png_bytep) * (image->height + 1));
    if (!rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < image->height; y++) rows[y] = image->pixels + (size_t)y * image->row_bytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    out->pixels = writer->data;
    out->row_bytes = writer->length;
    free(writer);
    free(rows);
    png_destroy_write_struct(&png, &info);
    return 0;
}
