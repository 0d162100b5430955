// JPEG decoding with libjpeg(-turbo). libjpeg's default error_exit prints and calls exit(); here
// every error, and the "premature end of file" warning, longjmps back to swsl_decode_jpeg.
#include <setjmp.h>
#include <stdio.h>  // before jpeglib.h, which uses FILE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "internal.h"

/// More scans than any real progressive JPEG has; hostile files use thousands to burn CPU.
#define MAX_SCANS 1000

typedef struct error_state {
    struct jpeg_error_mgr manager;  // first, so a j_common_ptr's err can be cast back
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} error_state;

static void fail(j_common_ptr cinfo) {
    error_state *state = (error_state *)cinfo->err;
    cinfo->err->format_message(cinfo, state->message);
    longjmp(state->jump, 1);
}

/// Traces and recoverable warnings are dropped, as Pillow does; a truncated file is an error.
static void emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) fail(cinfo);
}

static void limit_scans(j_common_ptr cinfo) {
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > MAX_SCANS) {
        error_state *state = (error_state *)cinfo->err;
        snprintf(state->message, sizeof state->message, "more than %d scans", MAX_SCANS);
        longjmp(state->jump, 1);
    }
}

/// Pillow's MULDIV255: a × b / 255, rounded.
static inline uint8_t muldiv255(int a, int b) {
    int t = a * b + 128;
    return (uint8_t)(((t >> 8) + t) >> 8);
}

/// One decoded row (1, 3 or 4 components) to RGB. CMYK is read with Adobe's inverted polarity,
/// as Pillow always assumes ("CMYK;I"), then converted as Pillow's cmyk2rgb.
static void row_to_rgb(const uint8_t *in, int components, uint8_t *out, size_t width) {
    for (size_t x = 0; x < width; x++, out += 3) {
        if (components == 1) {
            out[0] = out[1] = out[2] = in[x];
        } else if (components == 3) {
            memcpy(out, in + 3 * x, 3);
        } else {
            const uint8_t *p = in + 4 * x;
            int nk = p[3];  // 255 - K, K = 255 - stored
            for (int c = 0; c < 3; c++) out[c] = (uint8_t)(nk - muldiv255(255 - p[c], nk));
        }
    }
}

/// Decodes at full size when the image fits the pixel budget, else at the first of 1/2, 1/4 and
/// 1/8 scale (libjpeg's DCT scaling) that fits; SWSL_IMAGE_TOO_LARGE when none does.
static swsl_image_status choose_scale(j_decompress_ptr cinfo, char *message) {
    if (cinfo->image_width > SWSL_IMAGE_MAX_JPEG_SIDE || cinfo->image_height > SWSL_IMAGE_MAX_JPEG_SIDE)
        return swsl_image_check_size(cinfo->image_width, cinfo->image_height, message);
    for (unsigned denominator = 1; denominator <= 8; denominator *= 2) {
        cinfo->scale_num = 1;
        cinfo->scale_denom = denominator;
        jpeg_calc_output_dimensions(cinfo);
        unsigned long long pixels = (unsigned long long)cinfo->output_width * cinfo->output_height;
        if (pixels <= SWSL_IMAGE_MAX_PIXELS && cinfo->output_width <= SWSL_IMAGE_MAX_SIDE
            && cinfo->output_height <= SWSL_IMAGE_MAX_SIDE)
            return swsl_image_check_size(cinfo->output_width, cinfo->output_height, message);
    }
    swsl_image_message(message, "JPEG is %u x %u pixels; even at 1/8 scale it exceeds the budget of %u pixels",
                       (unsigned)cinfo->image_width, (unsigned)cinfo->image_height, SWSL_IMAGE_MAX_PIXELS);
    return SWSL_IMAGE_TOO_LARGE;
}

static int choose_output(j_decompress_ptr cinfo) {
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo->out_color_space = JCS_GRAYSCALE; return 1;
    case JCS_YCbCr:
    case JCS_RGB: cinfo->out_color_space = JCS_RGB; return 1;
    case JCS_CMYK:
    case JCS_YCCK: cinfo->out_color_space = JCS_CMYK; return 1;
    default: return 0;
    }
}

swsl_image_status swsl_decode_jpeg(FILE *file, swsl_image *out, char *message) {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress = {.progress_monitor = limit_scans};
    error_state state;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;
    state.message[0] = '\0';

    cinfo.err = jpeg_std_error(&state.manager);
    state.manager.error_exit = fail;
    state.manager.emit_message = emit_message;
    if (setjmp(state.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        swsl_image_message(message, "%s", state.message);
        return SWSL_IMAGE_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    jpeg_stdio_src(&cinfo, file);
    jpeg_read_header(&cinfo, TRUE);

    swsl_image_status status = choose_scale(&cinfo, message);
    if (status == SWSL_IMAGE_OK && !choose_output(&cinfo)) {
        swsl_image_message(message, "unsupported JPEG colour space %d", (int)cinfo.jpeg_color_space);
        status = SWSL_IMAGE_UNSUPPORTED;
    }
    if (status != SWSL_IMAGE_OK) {
        jpeg_destroy_decompress(&cinfo);
        return status;
    }
    jpeg_start_decompress(&cinfo);

    size_t width = cinfo.output_width, height = cinfo.output_height;
    int components = cinfo.output_components;
    pixels = malloc(width * height * 3);
    row = malloc(width * (size_t)components);
    if (pixels == NULL || row == NULL) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        swsl_image_message(message, "out of memory for %zu x %zu pixels", width, height);
        return SWSL_IMAGE_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
            snprintf(state.message, sizeof state.message, "no data for row %zu", y);
            longjmp(state.jump, 1);
        }
        row_to_rgb(row, components, pixels + y * width * 3, width);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);

    out->pixels = pixels;
    out->width = (uint32_t)width;
    out->height = (uint32_t)height;
    out->scale_denominator = cinfo.scale_denom;
    return SWSL_IMAGE_OK;
}
