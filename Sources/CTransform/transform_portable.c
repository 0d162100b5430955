/* The portable kernels of the transforms: the reference every ISA variant matches. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* MARK: portable kernels (the reference) */

float swsl_fold_peak_portable(const swsl_f32u *src, size_t n, double k, float *dst) {
    float peak = 0.0f;
    for (size_t j = 0; j < n; j++) {
        float v = (float)((double)src[j] * k);
        dst[j] = v;
        float a = fabsf(v);
        if (a > peak) peak = a;
    }
    return peak;
}

float swsl_peak_portable(const swsl_f32u *w, size_t n) {
    float peak = 0.0f;
    for (size_t j = 0; j < n; j++) {
        float a = fabsf(w[j]);
        if (a > peak) peak = a;
    }
    return peak;
}

void swsl_quantize_portable(const swsl_f32u *w, size_t n, float scale, int8_t *q, double *signal, double *noise) {
    double sig = 0.0, err = 0.0;
    for (size_t j = 0; j < n; j++) {
        float v = nearbyintf(w[j] / scale);
        if (v != v) v = 0.0f;
        if (v > 127.0f) v = 127.0f;
        if (v < -127.0f) v = -127.0f;
        q[j] = (int8_t)v;
        double x = (double)w[j];
        double e = x - (double)v * (double)scale;
        sig += x * x;
        err += e * e;
    }
    *signal += sig;
    *noise += err;
}

void swsl_to_half_portable(const swsl_f32u *src, size_t count, uint16_t *dst) {
    for (size_t i = 0; i < count; i++) {
        _Float16 h = (_Float16)src[i];
        memcpy(&dst[i], &h, sizeof h);
    }
}
