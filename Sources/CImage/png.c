// PNG decoding with libpng. libpng reports errors through a callback that must not return; ours
// keeps the message and longjmps back to swsl_decode_png. Warnings are dropped.
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "internal.h"

typedef struct error_state {
    char message[SWSL_IMAGE_MESSAGE_SIZE];
} error_state;

static void fail(png_structp png, png_const_charp text) {
    error_state *state = png_get_error_ptr(png);
    snprintf(state->message, sizeof state->message, "%s", text);
    png_longjmp(png, 1);
}

static void warn(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

/// Transformations to 8-bit samples, keeping the channel layout (gray, gray+alpha, RGB or RGBA):
/// palettes expand to RGB(A), gray below 8 bits scales to 0–255, 16-bit keeps the high byte.
/// Pillow's "RGB;16B"/"I;16B" unpacking does the same; gamma and colour profiles are ignored by both.
static void request_8bit(png_structp png, png_infop info) {
    int depth = png_get_bit_depth(png, info);
    int type = png_get_color_type(png, info);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_strip_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

/// Rows of `channels` bytes per pixel to RGB: gray replicated, alpha dropped (not composited).
static void to_rgb(const uint8_t *in, int channels, uint8_t *out, size_t count) {
    for (size_t i = 0; i < count; i++, in += channels, out += 3) {
        if (channels <= 2) {
            out[0] = out[1] = out[2] = in[0];
        } else {
            out[0] = in[0];
            out[1] = in[1];
            out[2] = in[2];
        }
    }
}

static unsigned long big_endian32(const unsigned char *p) {
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/// Checks the size in the IHDR (which must come first) before libpng reads on, so that an
/// oversized header is refused whatever follows it. Leaves `file` at its start.
static swsl_image_status check_header(FILE *file, char *message) {
    unsigned char head[24];
    swsl_image_status status = SWSL_IMAGE_OK;
    if (fread(head, 1, sizeof head, file) == sizeof head && memcmp(head + 12, "IHDR", 4) == 0)
        status = swsl_image_check_size(big_endian32(head + 16), big_endian32(head + 20), message);
    if (fseek(file, 0, SEEK_SET) != 0) {
        swsl_image_message(message, "cannot seek back to the start of the file");
        return SWSL_IMAGE_IO;
    }
    return status;
}

swsl_image_status swsl_decode_png(FILE *file, swsl_image *out, char *message) {
    swsl_image_status header = check_header(file, message);
    if (header != SWSL_IMAGE_OK) return header;
    error_state state = {.message = ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, fail, warn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        swsl_image_message(message, "out of memory starting libpng");
        return SWSL_IMAGE_NO_MEMORY;
    }
    uint8_t *volatile pixels = NULL;   // RGB result
    uint8_t *volatile samples = NULL;  // libpng's rows when they are not already RGB
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        if (samples != pixels) free(samples);
        free(pixels);
        free(rows);
        swsl_image_message(message, "%s", state.message);
        return SWSL_IMAGE_CORRUPT;
    }
    png_init_io(png, file);
    png_read_info(png, info);

    size_t width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    swsl_image_status status = swsl_image_check_size(width, height, message);
    if (status != SWSL_IMAGE_OK) {
        png_destroy_read_struct(&png, &info, NULL);
        return status;
    }
    request_8bit(png, info);
    int channels = png_get_channels(png, info);
    if (png_get_bit_depth(png, info) != 8 || channels < 1 || channels > 4
        || png_get_rowbytes(png, info) != width * (size_t)channels) {
        png_destroy_read_struct(&png, &info, NULL);
        swsl_image_message(message, "unsupported PNG layout (%d channels after conversion)", channels);
        return SWSL_IMAGE_UNSUPPORTED;
    }
    pixels = malloc(width * height * 3);
    samples = channels == 3 ? pixels : malloc(width * height * (size_t)channels);
    rows = malloc(height * sizeof(png_bytep));
    if (pixels == NULL || samples == NULL || rows == NULL) {
        png_destroy_read_struct(&png, &info, NULL);
        if (samples != pixels) free(samples);
        free(pixels);
        free(rows);
        swsl_image_message(message, "out of memory for %zu x %zu pixels", width, height);
        return SWSL_IMAGE_NO_MEMORY;
    }
    for (size_t y = 0; y < height; y++) rows[y] = samples + y * width * (size_t)channels;
    png_read_image(png, rows);
    // No png_read_end: the chunks after the image data are not needed, and a file cut off
    // after its last IDAT still yields every pixel (Pillow decodes it too).
    png_destroy_read_struct(&png, &info, NULL);

    if (samples != pixels) {
        to_rgb(samples, channels, pixels, width * height);
        free(samples);
    }
    free(rows);
    out->pixels = pixels;
    out->width = (uint32_t)width;
    out->height = (uint32_t)height;
    return SWSL_IMAGE_OK;
}
