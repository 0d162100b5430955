/* What the decoders share: the failure message and the size checks against the pixel budget.
 * decode.c calls the decoders, the decoders call this file; nothing here calls back. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void swsl_image_message(char *message, const char *format, ...) {
    if (message == NULL) return;
    va_list args;
    va_start(args, format);
    vsnprintf(message, SWSL_IMAGE_MESSAGE_SIZE, format, args);
    va_end(args);
}

swsl_image_status swsl_image_check_size(unsigned long width, unsigned long height, char *message) {
    if (width == 0 || height == 0) {
        swsl_image_message(message, "empty image (%lu x %lu)", width, height);
        return SWSL_IMAGE_CORRUPT;
    }
    if (width > SWSL_IMAGE_MAX_SIDE || height > SWSL_IMAGE_MAX_SIDE
        || (unsigned long long)width * height > SWSL_IMAGE_MAX_PIXELS) {
        swsl_image_message(message, "image is %lu x %lu pixels; at most %u per side and %u in all (the pixel budget) are decoded",
                           width, height, SWSL_IMAGE_MAX_SIDE, SWSL_IMAGE_MAX_PIXELS);
        return SWSL_IMAGE_TOO_LARGE;
    }
    return SWSL_IMAGE_OK;
}
