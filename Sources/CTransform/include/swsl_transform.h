#ifndef SWSL_TRANSFORM_H
#define SWSL_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

/// Folds a per-row scale into float32 weights: dst[r][j] = (float)((double)src[r][j] * scale[r]).
/// `scale` may be NULL (a plain copy). `src` and `dst` may be the same buffer.
void swsl_fold_rows(const float *src, size_t rows, size_t per_row, const double *scale, float *dst);

/// Folds (as swsl_fold_rows) and quantizes symmetric int8 in one pass. `per_channel` != 0 gives one
/// scale per row (out_scales has `rows` entries), else one for the whole tensor (out_scales[0]).
/// scale = max|w| / 127 (1 when all zero), q = round-half-even(w / scale) clamped to ±127.
/// Adds Σw² and Σ(w − q·scale)² (in double, row-major order) to *signal and *noise.
/// `work` must hold per_row floats (per-channel) or rows × per_row floats (per-tensor).
void swsl_fold_quantize(const float *src, size_t rows, size_t per_row, const double *fold_scale,
                        int per_channel, float *work, int8_t *out, float *out_scales,
                        double *signal, double *noise);

/// Converts float32 to IEEE half (round to nearest even), as Float16(x) does.
void swsl_to_half(const float *src, size_t count, uint16_t *dst);

#endif
