#include "internal.h"
#include "swsl_cpu.h"

#include <math.h>
#include <string.h>

/* MARK: dispatch */

int swsl_transform_supported(swsl_transform_isa isa) {
    switch (isa) {
    case SWSL_TRANSFORM_PORTABLE: return 1;
    case SWSL_TRANSFORM_AVX2:
#ifdef SWSL_TRANSFORM_HAVE_AVX2
        return swsl_cpu_has(SWSL_CPU_AVX2_FMA_F16C);
#else
        return 0;
#endif
    }
    return 0;
}

swsl_transform_isa swsl_transform_best(void) {
    /* -1 = not yet asked. A race only asks the CPU twice. */
    static int best = -1;
    int b = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (b < 0) {
        b = swsl_transform_supported(SWSL_TRANSFORM_AVX2) ? SWSL_TRANSFORM_AVX2 : SWSL_TRANSFORM_PORTABLE;
        __atomic_store_n(&best, b, __ATOMIC_RELAXED);
    }
    return (swsl_transform_isa)b;
}

typedef struct {
    swsl_fold_peak_fn fold_peak;
    swsl_peak_fn peak;
    swsl_quantize_fn quantize;
} kernels;

static kernels kernels_for(swsl_transform_isa isa) {
#ifdef SWSL_TRANSFORM_HAVE_AVX2
    if (isa == SWSL_TRANSFORM_AVX2) return (kernels){swsl_fold_peak_avx2, swsl_peak_avx2, swsl_quantize_avx2};
#endif
    (void)isa;
    return (kernels){swsl_fold_peak_portable, swsl_peak_portable, swsl_quantize_portable};
}

/* MARK: drivers */

void swsl_fold_rows_using(swsl_transform_isa isa, const void *source, size_t rows, size_t per_row,
                          const double *scale, float *dst) {
    kernels k = kernels_for(isa);
    const swsl_f32u *src = source;
    for (size_t r = 0; r < rows; r++) {
        const swsl_f32u *s = src + r * per_row;
        float *d = dst + r * per_row;
        if (scale == NULL) {
            if ((const void *)d != (const void *)s) memmove(d, s, per_row * sizeof(float));
        } else {
            (void)k.fold_peak(s, per_row, scale[r], d);
        }
    }
}

void swsl_fold_rows(const void *src, size_t rows, size_t per_row, const double *scale, float *dst) {
    swsl_fold_rows_using(swsl_transform_best(), src, rows, per_row, scale, dst);
}

static float scale_of(float peak) { return peak > 0.0f ? peak / 127.0f : 1.0f; }

void swsl_fold_quantize_using(swsl_transform_isa isa, const void *source, size_t rows, size_t per_row,
                              const double *fold_scale, int per_channel, float *work, int8_t *out,
                              float *out_scales, double *signal, double *noise) {
    kernels k = kernels_for(isa);
    const swsl_f32u *src = source;
    if (per_channel) {
        for (size_t r = 0; r < rows; r++) {
            const swsl_f32u *row = src + r * per_row;
            float peak;
            if (fold_scale) {
                peak = k.fold_peak(row, per_row, fold_scale[r], work);
                row = (const swsl_f32u *)work;
            } else {
                peak = k.peak(row, per_row);
            }
            float scale = scale_of(peak);
            out_scales[r] = scale;
            k.quantize(row, per_row, scale, out + r * per_row, signal, noise);
        }
    } else {
        size_t n = rows * per_row;
        const swsl_f32u *w = src;
        float peak = 0.0f;
        if (fold_scale) {
            for (size_t r = 0; r < rows; r++) {
                float p = k.fold_peak(src + r * per_row, per_row, fold_scale[r], work + r * per_row);
                if (p > peak) peak = p;
            }
            w = (const swsl_f32u *)work;
        } else {
            peak = k.peak(src, n);
        }
        float scale = scale_of(peak);
        out_scales[0] = scale;
        k.quantize(w, n, scale, out, signal, noise);
    }
}

void swsl_fold_quantize(const void *src, size_t rows, size_t per_row, const double *fold_scale,
                        int per_channel, float *work, int8_t *out, float *out_scales,
                        double *signal, double *noise) {
    swsl_fold_quantize_using(swsl_transform_best(), src, rows, per_row, fold_scale, per_channel, work, out,
                             out_scales, signal, noise);
}

void swsl_to_half_using(swsl_transform_isa isa, const void *src, size_t count, uint16_t *dst) {
#ifdef SWSL_TRANSFORM_HAVE_AVX2
    if (isa == SWSL_TRANSFORM_AVX2) {
        swsl_to_half_avx2(src, count, dst);
        return;
    }
#endif
    (void)isa;
    swsl_to_half_portable(src, count, dst);
}

void swsl_to_half(const void *src, size_t count, uint16_t *dst) {
    swsl_to_half_using(swsl_transform_best(), src, count, dst);
}
