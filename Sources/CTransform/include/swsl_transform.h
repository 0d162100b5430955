#ifndef SWSL_TRANSFORM_H
#define SWSL_TRANSFORM_H

/*
 * Hot loops of the conversion: BatchNorm folding, symmetric int8 quantization, half conversion.
 * Every implementation gives the same bytes: folding is (float)((double)w * s), the int8 scale is
 * max|w| / 127 in float, q = round-half-even(w / scale) clamped to ±127 (NaN → 0). Only the order
 * of the SQNR sums (in double) differs between implementations.
 *
 * The functions without `_using` run the best implementation this CPU supports; the `_using`
 * variants run a named one (which must be supported), so tests can compare them.
 *
 * Float32 inputs (`src`) may sit at any address (weights read in place from a mapped checkpoint);
 * outputs and work buffers are the caller's, naturally aligned.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An instruction-set choice for the transform kernels. */
typedef enum {
    /** Plain C, any CPU. */
    SWSL_TRANSFORM_PORTABLE = 0,
    /** AVX2 + FMA + F16C intrinsics. */
    SWSL_TRANSFORM_AVX2 = 1,
} swsl_transform_isa;

/** True when this CPU runs `isa`. */
int swsl_transform_supported(swsl_transform_isa isa);

/** The best instruction set this CPU runs (asked once). */
swsl_transform_isa swsl_transform_best(void);

/// Folds a per-row scale into float32 weights: dst[r][j] = (float)((double)src[r][j] * scale[r]).
/// `scale` may be NULL (a plain copy). `src` and `dst` may be the same buffer.
void swsl_fold_rows(const void *src, size_t rows, size_t per_row, const double *scale, float *dst);
void swsl_fold_rows_using(swsl_transform_isa isa, const void *src, size_t rows, size_t per_row,
                          const double *scale, float *dst);

/// Folds (as swsl_fold_rows) and quantizes symmetric int8 in one pass. `per_channel` != 0 gives one
/// scale per row (out_scales has `rows` entries), else one for the whole tensor (out_scales[0]).
/// scale = max|w| / 127 (1 when all zero), q = round-half-even(w / scale) clamped to ±127.
/// Adds Σw² and Σ(w − q·scale)² (in double) to *signal and *noise.
/// `work` must hold per_row floats (per-channel) or rows × per_row floats (per-tensor).
void swsl_fold_quantize(const void *src, size_t rows, size_t per_row, const double *fold_scale,
                        int per_channel, float *work, int8_t *out, float *out_scales,
                        double *signal, double *noise);
void swsl_fold_quantize_using(swsl_transform_isa isa, const void *src, size_t rows, size_t per_row,
                              const double *fold_scale, int per_channel, float *work, int8_t *out,
                              float *out_scales, double *signal, double *noise);

/// Converts float32 to IEEE half (round to nearest even), as Float16(x) does.
void swsl_to_half(const void *src, size_t count, uint16_t *dst);
void swsl_to_half_using(swsl_transform_isa isa, const void *src, size_t count, uint16_t *dst);

#ifdef __cplusplus
}
#endif

#endif
