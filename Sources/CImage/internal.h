#ifndef SWSL_IMAGE_INTERNAL_H
#define SWSL_IMAGE_INTERNAL_H

#include <stdio.h>

#include "swsl_image.h"

/// Decoders for one container each. `file` is positioned at its start; on failure nothing stays
/// allocated and `message` (may be NULL) says why.
swsl_image_status swsl_decode_jpeg(FILE *file, swsl_image *out, char *message);
swsl_image_status swsl_decode_png(FILE *file, swsl_image *out, char *message);

/// SWSL_IMAGE_TOO_LARGE (with a message) when `width × height` is empty or over the caps.
swsl_image_status swsl_image_check_size(unsigned long width, unsigned long height, char *message);

/// Writes a printf-style message into `message` (SWSL_IMAGE_MESSAGE_SIZE bytes) unless it is NULL.
void swsl_image_message(char *message, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
