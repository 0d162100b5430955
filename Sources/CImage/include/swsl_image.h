#ifndef SWSL_IMAGE_H
#define SWSL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/// Largest width or height of a PNG, and of a JPEG as decoded (after scaling).
#define SWSL_IMAGE_MAX_SIDE 16384u
/// The pixel budget: the largest width × height decoded (2^24 = 16.8 megapixels, 48 MiB of RGB).
/// A PNG above it is refused before its pixels are allocated; a JPEG above it is decoded at
/// 1/2, 1/4 or 1/8 scale by libjpeg (the first that fits), and refused if none does.
#define SWSL_IMAGE_MAX_PIXELS (1u << 24)
/// Largest JPEG width or height read at all (a JPEG frame cannot exceed 65535).
#define SWSL_IMAGE_MAX_JPEG_SIDE 65535u
/// Size of the buffer that receives a failure's message.
#define SWSL_IMAGE_MESSAGE_SIZE 200

/// Why swsl_image_decode_fd failed (SWSL_IMAGE_OK on success).
typedef enum swsl_image_status {
    SWSL_IMAGE_OK = 0,
    /// The file could not be opened or read (message: strerror).
    SWSL_IMAGE_IO = 1,
    /// Neither the JPEG nor the PNG signature.
    SWSL_IMAGE_UNKNOWN_FORMAT = 2,
    /// Wider, taller or larger than the caps above; nothing was allocated for the pixels.
    SWSL_IMAGE_TOO_LARGE = 3,
    /// A valid file in a form not converted to RGB (e.g. a JPEG colour space other than gray/YCbCr/RGB/CMYK/YCCK).
    SWSL_IMAGE_UNSUPPORTED = 4,
    /// libjpeg or libpng refused the data (truncated, corrupt); the message is theirs.
    SWSL_IMAGE_CORRUPT = 5,
    /// malloc failed.
    SWSL_IMAGE_NO_MEMORY = 6,
} swsl_image_status;

/// The container a file was recognised as, by its first bytes.
typedef enum swsl_image_format {
    SWSL_IMAGE_FORMAT_UNKNOWN = 0,
    SWSL_IMAGE_FORMAT_JPEG = 1,
    SWSL_IMAGE_FORMAT_PNG = 2,
} swsl_image_format;

/// A decoded image: `width × height` pixels, row-major, 3 bytes (R, G, B) each, no row padding.
typedef struct swsl_image {
    uint8_t *pixels;
    uint32_t width;
    uint32_t height;
    swsl_image_format format;
    /// 1 when decoded at full size; 2, 4 or 8 when a JPEG over the pixel budget was scaled down.
    uint32_t scale_denominator;
} swsl_image;

/// Decodes the JPEG or PNG open as `fd` (recognised by its signature, not its name) into 8-bit RGB,
/// as Pillow's `Image.open(path).convert("RGB")` would: grayscale is replicated, alpha and PNG
/// transparency dropped (not composited), palettes expanded, 16-bit samples keep their high byte,
/// CMYK/YCCK JPEGs (Adobe inverted or not) converted as Pillow does. No gamma or ICC handling.
/// On success `out->pixels` must be released with swsl_image_free. On failure `out` holds no
/// memory (only `format`, what the signature said) and `message` (SWSL_IMAGE_MESSAGE_SIZE bytes,
/// may be NULL) says why. Never exits or aborts on bad input. `fd` (a regular file the caller has
/// opened and checked) is closed in every case.
swsl_image_status swsl_image_decode_fd(int fd, swsl_image *out, char *message);

/// Frees the pixels of an image returned by swsl_image_decode_fd; safe on a zeroed image.
void swsl_image_free(swsl_image *image);

#endif
