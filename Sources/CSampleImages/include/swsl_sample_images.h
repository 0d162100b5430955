#ifndef SWSL_SAMPLE_IMAGES_H
#define SWSL_SAMPLE_IMAGES_H

/*
 * Everyday photographs bundled for `verify`'s default inputs (Fixtures/generate_sample_images.py):
 * scikit-image's astronaut, chelsea, coffee and rocket, free of copyright restrictions, each
 * swsl_sample_image_side() x swsl_sample_image_side() pixels of 8-bit RGB, rows top to bottom.
 */

#ifdef __cplusplus
extern "C" {
#endif

/** Number of photographs. */
int swsl_sample_image_count(void);
/** Width and height of each, in pixels. */
int swsl_sample_image_side(void);
/** Name of photograph `index` (0 ..< count). */
const char *swsl_sample_image_name(int index);
/** Its pixels: side * side * 3 bytes. */
const unsigned char *swsl_sample_image_rgb(int index);

#ifdef __cplusplus
}
#endif

#endif
