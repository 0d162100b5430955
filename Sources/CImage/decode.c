#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const unsigned char jpeg_signature[3] = {0xFF, 0xD8, 0xFF};
static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

static swsl_image_format sniff(FILE *file) {
    unsigned char head[8] = {0};
    size_t got = fread(head, 1, sizeof head, file);
    if (got >= sizeof jpeg_signature && memcmp(head, jpeg_signature, sizeof jpeg_signature) == 0)
        return SWSL_IMAGE_FORMAT_JPEG;
    if (got >= sizeof png_signature && memcmp(head, png_signature, sizeof png_signature) == 0)
        return SWSL_IMAGE_FORMAT_PNG;
    return SWSL_IMAGE_FORMAT_UNKNOWN;
}

swsl_image_status swsl_image_decode_fd(int fd, swsl_image *out, char *message) {
    memset(out, 0, sizeof *out);
    if (message != NULL) message[0] = '\0';
    FILE *file = fdopen(fd, "rb");
    if (file == NULL) {
        swsl_image_message(message, "%s", strerror(errno));
        close(fd);
        return SWSL_IMAGE_IO;
    }
    swsl_image_format format = sniff(file);
    swsl_image_status status;
    if (ferror(file)) {
        swsl_image_message(message, "%s", strerror(errno));
        status = SWSL_IMAGE_IO;
    } else if (format == SWSL_IMAGE_FORMAT_UNKNOWN) {
        swsl_image_message(message, "not a JPEG or PNG file (unknown signature)");
        status = SWSL_IMAGE_UNKNOWN_FORMAT;
    } else if (fseek(file, 0, SEEK_SET) != 0) {
        swsl_image_message(message, "%s", strerror(errno));
        status = SWSL_IMAGE_IO;
    } else {
        status = format == SWSL_IMAGE_FORMAT_JPEG ? swsl_decode_jpeg(file, out, message)
                                                  : swsl_decode_png(file, out, message);
    }
    fclose(file);
    if (status != SWSL_IMAGE_OK) memset(out, 0, sizeof *out);
    else if (out->scale_denominator == 0) out->scale_denominator = 1;
    out->format = format;
    return status;
}

void swsl_image_free(swsl_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
