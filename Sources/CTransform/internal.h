#ifndef SWSL_TRANSFORM_INTERNAL_H
#define SWSL_TRANSFORM_INTERNAL_H

#include "swsl_transform.h"

/* The building blocks each instruction set provides; the driver in transform.c combines them. */

/* A float that may sit at any address: weights read straight from a mapped checkpoint need not be
 * 4-byte aligned (the legacy format packs storages after 8-byte headers at arbitrary offsets). */
typedef float swsl_f32u __attribute__((aligned(1), may_alias));

/* dst[j] = (float)((double)src[j] * k) for n elements; returns max |dst[j]| (NaN ignored). */
typedef float (*swsl_fold_peak_fn)(const swsl_f32u *src, size_t n, double k, float *dst);
/* max |w[j]| (NaN ignored). */
typedef float (*swsl_peak_fn)(const swsl_f32u *w, size_t n);
/* q[j] = clamp(round_half_even(w[j] / scale), ±127), NaN → 0; adds Σw², Σ(w − q·scale)². */
typedef void (*swsl_quantize_fn)(const swsl_f32u *w, size_t n, float scale, int8_t *q, double *signal, double *noise);

float swsl_fold_peak_portable(const swsl_f32u *src, size_t n, double k, float *dst);
float swsl_peak_portable(const swsl_f32u *w, size_t n);
void swsl_quantize_portable(const swsl_f32u *w, size_t n, float scale, int8_t *q, double *signal, double *noise);
void swsl_to_half_portable(const swsl_f32u *src, size_t count, uint16_t *dst);

#if defined(__x86_64__) || defined(__i386__)
#define SWSL_TRANSFORM_HAVE_AVX2 1
float swsl_fold_peak_avx2(const swsl_f32u *src, size_t n, double k, float *dst);
float swsl_peak_avx2(const swsl_f32u *w, size_t n);
void swsl_quantize_avx2(const swsl_f32u *w, size_t n, float scale, int8_t *q, double *signal, double *noise);
void swsl_to_half_avx2(const swsl_f32u *src, size_t count, uint16_t *dst);
#endif

#endif
